# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: win_reg_stat
short_description: TEST DOUBLE of ansible.windows.win_reg_stat on the simulated Windows host
description:
  - TEST DOUBLE, never for production. Accepts exactly the options the real
    ansible.windows.win_reg_stat documents and reads the simulated registry (registry.json).
options: {}
author:
  - mapi.messaging maintainers
"""

EXAMPLES = r"""
- ansible.windows.win_reg_stat:
    path: HKLM:\SOFTWARE\Microsoft\Windows Messaging Subsystem
    name: MAPIX
"""

RETURN = r"""
exists:
  description: As the real module (see ansible.windows.win_reg_stat).
  returned: always
  type: bool
"""

from ansible_collections.ansible.windows.plugins.module_utils._double_docs import DoubleModule
from ansible_collections.ansible.windows.plugins.module_utils._double_host import Machine, SimulationError, find_value

# RegistryValueKind -> the names the real module returns.
_RETURN_TYPES = {"binary": "REG_BINARY", "string": "REG_SZ", "dword": "REG_DWORD", "qword": "REG_QWORD",
                 "multistring": "REG_MULTI_SZ", "expandstring": "REG_EXPAND_SZ", "none": "REG_NONE"}


def property_value(machine, stored_name, value):
    """Get-PropertyValue of the real module: type, value (expanded), raw_value."""
    kind = "string" if stored_name == "" else value["type"]
    data = value["data"]
    raw = data
    if kind in ("binary", "none"):
        raw = ["0x%02x" % byte for byte in data]
    elif kind == "expandstring":
        data = machine.expand(data)
    return {"type": _RETURN_TYPES[kind], "value": data, "raw_value": raw}


def main():
    module = DoubleModule("win_reg_stat")
    path, name = module.params["path"], module.params["name"]
    result = {"changed": False}
    try:
        machine = Machine()
        with machine.registry() as reg:
            key = reg.open(reg.split(path))
    except SimulationError as e:
        module.fail_json(msg=str(e), **result)
    if key is None:
        result["exists"] = False
    elif name is None:
        result["exists"] = True
        result["properties"] = {stored: property_value(machine, stored, value)
                                for stored, value in key.get("values", {}).items()}
        result["sub_keys"] = list(key.get("keys", {}))
    else:
        stored, value = find_value(key, name)
        result["exists"] = value is not None
        if value is not None:
            result.update(property_value(machine, stored, value))
    module.exit_double(result)


if __name__ == "__main__":
    main()
