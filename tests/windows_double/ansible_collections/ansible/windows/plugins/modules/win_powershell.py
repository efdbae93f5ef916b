# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: win_powershell
short_description: TEST DOUBLE of ansible.windows.win_powershell on the simulated Windows host
description:
  - TEST DOUBLE, never for production. It cannot run PowerShell. It accepts exactly the options
    the real ansible.windows.win_powershell documents and runs a Python re-implementation
    (a I(contract)) of a known script, chosen by the marker line C(# mapi.messaging: <name>)
    in the script. The contract lives in C(plugins/module_utils/contract_<name>.py) of this
    double collection. Any other script fails and says so.
  - Check mode follows the real module, which skips (C(changed=true)) scripts that do not declare
    C([CmdletBinding(SupportsShouldProcess)]).
options: {}
author:
  - mapi.messaging maintainers
"""

EXAMPLES = r"""
- ansible.windows.win_powershell:
    script: |
      # mapi.messaging: replace
      param ($Path, $Content, $ExpectedSha1, $Backup)
    parameters:
      Path: C:\Temp\x.txt
      Content: aGVsbG8=
"""

RETURN = r"""
result:
  description: As the real module (see ansible.windows.win_powershell).
  returned: always
  type: raw
"""

import importlib.util
import os
import re
import traceback

from ansible_collections.ansible.windows.plugins.module_utils._double_docs import DoubleModule
from ansible_collections.ansible.windows.plugins.module_utils._double_host import Machine, SimulationError

MARKER = re.compile(r"^[ \t]*#[ \t]*mapi\.messaging:[ \t]*([A-Za-z0-9_]+)[ \t]*$", re.MULTILINE)
# The real module's test for a script that takes -WhatIf (win_powershell.ps1).
SHOULD_PROCESS = re.compile(r"\[CmdletBinding\((?:[\w=\$]+,\s*)?SupportsShouldProcess(?:=\$true)?(?:,\s*[\w=\$]+)?\)\]",
                            re.IGNORECASE)
PARAM_BLOCK = re.compile(r"\bparam\s*\((.*?)\)\s*$", re.IGNORECASE | re.DOTALL | re.MULTILINE)
NOT_SIMULATED = ("arguments", "chdir", "executable", "path", "sensitive_parameters")


class ScriptError(Exception):
    pass


def contracts_dir():
    folder = os.environ.get("SIMULATED_WINDOWS_CONTRACTS")
    if not folder or not os.path.isdir(folder):
        raise ScriptError("SIMULATED_WINDOWS_CONTRACTS is not set to the double's module_utils folder; run through "
                          "the mapi_testdouble.windows_host.simulated shell")
    return folder


def load_contract(folder, name):
    path = os.path.join(folder, "contract_%s.py" % name)
    if not os.path.isfile(path):
        return None
    spec = importlib.util.spec_from_file_location("simulated_contract_%s" % name, path)
    contract = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(contract)
    return contract


def script_parameters(script):
    """Names declared in the script's top param () block (lower-cased)."""
    match = PARAM_BLOCK.search(script)
    if not match:
        return frozenset()
    return frozenset(name.lower() for name in re.findall(r"\$(\w+)", match.group(1)))


def find_contract(script):
    """(name, contract module) for the script: by marker, else by its param block signature."""
    folder = contracts_dir()
    marker = MARKER.search(script)
    if marker:
        contract = load_contract(folder, marker.group(1))
        if contract is None:
            raise ScriptError("TEST DOUBLE: the script is marked '# mapi.messaging: %s' but there is no "
                              "contract_%s.py in %s" % (marker.group(1), marker.group(1), folder))
        return marker.group(1), contract
    # Fallback for scripts that do not carry the marker yet: an exact param block match.
    declared = script_parameters(script)
    for entry in sorted(os.listdir(folder)):
        if entry.startswith("contract_") and entry.endswith(".py"):
            contract = load_contract(folder, entry[len("contract_"):-3])
            expected = frozenset(name.lower() for name in getattr(contract, "PARAMETERS", ()))
            if declared and declared == expected:
                return entry[len("contract_"):-3], contract
    raise ScriptError("TEST DOUBLE: this win_powershell script is not simulated. Only scripts with a "
                      "'# mapi.messaging: <name>' marker line and a contract_<name>.py in %s run here" % folder)


def bind(contract, parameters):
    """PowerShell parameter binding: names case-insensitive, unknown names refused."""
    names = {name.lower(): name for name in getattr(contract, "PARAMETERS", ())}
    bound = {}
    for name, value in (parameters or {}).items():
        if name.lower() not in names:
            raise ScriptError("A parameter cannot be found that matches parameter name '%s'." % name)
        bound[names[name.lower()]] = value
    return bound


def error_record(message, exception_type="System.Management.Automation.RuntimeException"):
    """One entry of the real module's ``error`` list (the fields transport-like callers read)."""
    return {
        "output": message + "\n",
        "error_details": None,
        "exception": {"message": message, "type": exception_type, "help_link": None, "source": None,
                      "hresult": -2146233087, "inner_exception": None},
        "target_object": None,
        "category_info": {"category": "OperationStopped", "category_id": 14, "activity": "",
                          "reason": exception_type.rsplit(".", 1)[-1], "target_name": "", "target_type": ""},
        "fully_qualified_error_id": message,
        "script_stack_trace": "at <ScriptBlock>, <No file>: simulated",
        "pipeline_iteration_info": [],
    }


def main():
    module = DoubleModule("win_powershell", required_one_of=[["path", "script"]],
                          mutually_exclusive=[["path", "script"]])
    params = module.params
    result = {"changed": True, "result": {}, "host_out": "", "host_err": "", "output": [], "error": [],
              "warning": [], "verbose": [], "debug": [], "information": []}
    # .get: older ansible.windows releases (the one bundled with ansible-core 2.16) lack some
    # of these options, and the double only knows the options the real module documents.
    for name in NOT_SIMULATED:
        if params.get(name):
            module.fail_json(msg="TEST DOUBLE: win_powershell option %s is not simulated" % name, **result)
    try:
        machine = Machine()
        for name, wanted in (("creates", True), ("removes", False)):
            if params.get(name) and os.path.exists(machine.host_path(params[name])) == wanted:
                result.update(changed=False, msg="skipped, since %s %s" % (params[name], "exists" if wanted else "does not exist"))
                module.exit_double(result)
        contract_name, contract = find_contract(params["script"])
    except (ScriptError, SimulationError) as e:
        module.fail_json(msg=str(e), **result)
    if module.check_mode and not SHOULD_PROCESS.search(params["script"]):
        result["msg"] = "skipped, running in check mode"
        module.exit_double(result)
    try:
        outcome = contract.run(machine, bind(contract, params["parameters"]), module.check_mode)
    except Exception as e:  # pylint: disable=broad-except  # any failure is the script's terminating error
        result["failed"] = True
        result["changed"] = False
        result["error"] = [error_record(str(e))]
        result["debug"] = [traceback.format_exc()]
        module.fail_json(msg="TEST DOUBLE contract '%s' failed: %s" % (contract_name, e), **result)
    result["changed"] = bool(outcome.get("changed", True))
    result["result"] = outcome.get("result", {})
    result["output"] = list(outcome.get("output", []))
    module.exit_double(result)


if __name__ == "__main__":
    main()
