# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: win_regedit
short_description: TEST DOUBLE of ansible.windows.win_regedit on the simulated Windows host
description:
  - TEST DOUBLE, never for production. Accepts exactly the options the real
    ansible.windows.win_regedit documents and edits the simulated registry (registry.json),
    following the real module's data conversion, comparison, check mode and diff.
  - O(hive) loads a simulated hive file (JSON) at C(HKLM:\ANSIBLE) for the task, like RegLoadKey;
    a hive that is loaded as a user's C(HKU:\<SID>) cannot be loaded again (sharing violation).
options: {}
author:
  - mapi.messaging maintainers
"""

EXAMPLES = r"""
- ansible.windows.win_regedit:
    path: HKLM:\SOFTWARE\Contoso
    name: Version
    data: 1
    type: dword
"""

RETURN = r"""
data_changed:
  description: As the real module (see ansible.windows.win_regedit).
  returned: always
  type: bool
"""

import os
import re

from ansible_collections.ansible.windows.plugins.module_utils._double_docs import DoubleModule
from ansible_collections.ansible.windows.plugins.module_utils._double_host import (
    Machine, SimulationError, find_value, read_hive, write_hive, write_json)

HIVE_MOUNT = ["HKEY_LOCAL_MACHINE", "ANSIBLE"]
# RegistryValueKind names, as the real module's diff spells them.
_KINDS = {"none": "None", "binary": "Binary", "dword": "DWord", "expandstring": "ExpandString",
          "multistring": "MultiString", "string": "String", "qword": "QWord"}


class DataError(Exception):
    pass


def hex_string_to_bytes(text):
    """Convert-RegExportHexStringToByteArray of the real module."""
    text = re.sub(r"^hex:", "", text.lower())
    text = re.sub(r"[^a-f0-9\\,x\-:]", "", text).replace(",", ":")
    if not text:
        return []
    if len(text) == 1:
        return [int(text, 16)]
    if len(text) % 2 == 0 and ":" not in text:
        return [int(text[i:i + 2], 16) for i in range(0, len(text), 2)]
    if ":" in text:
        return [int(part, 16) for part in re.split(":+", text)]
    return []


def _to_unsigned(data):
    if isinstance(data, bool):
        return int(data)
    if isinstance(data, int):
        return data
    if isinstance(data, float):
        if data % 1:
            raise DataError("data '%s' cannot be a decimal or float value with a remainder when type is dword or qword" % data)
        return int(data)
    try:
        # [UInt64]"0x10" and [UInt64]"16" both convert in PowerShell.
        return int(str(data).strip(), 0)
    except ValueError:
        raise DataError("Cannot convert value \"%s\" to type \"System.UInt64\"" % data)


def normalize(data, kind, name):
    """The data the real module hands to SetValue for ``kind``."""
    if kind in ("binary", "none"):
        if data is None:
            data = ""
        if isinstance(data, str):
            return hex_string_to_bytes(data)
        if isinstance(data, int):
            if data > 255:
                raise DataError("cannot convert binary data '%s' to byte array, please specify this value as a "
                                "yaml byte array or a comma separated hex value string" % data)
            return [data]
        if isinstance(data, list):
            return [item if isinstance(item, int) else int(str(item), 0) for item in data]
        return data
    if kind in ("dword", "qword"):
        value = _to_unsigned(0 if data is None else data)
        if kind == "dword" and value > 0xFFFFFFFF:
            raise DataError("data cannot be larger than 0xffffffff when type is dword")
        if value > 0xFFFFFFFFFFFFFFFF:
            raise DataError("data cannot be larger than 0xffffffffffffffff when type is qword")
        return value
    if kind in ("string", "expandstring"):
        if data is None:
            return "" if name else None
        return _text(data)
    # multistring
    if data is None:
        return []
    if isinstance(data, list):
        return [_text(item) for item in data]
    return [_text(data)]


def _text(value):
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def differs(existing, new):
    """Compare-RegistryProperty: arrays element-wise (case-insensitive, as Compare-Object),
    scalars case-sensitively (-cne)."""
    if isinstance(existing, list):
        if not isinstance(new, list) or len(existing) != len(new):
            return True
        return any(str(a).lower() != str(b).lower() for a, b in zip(existing, new))
    if isinstance(existing, str) and not isinstance(new, str):
        return existing != _text(new)
    return existing != new


def diff_value(kind, value):
    if kind in ("binary", "none"):
        value = ["0x%02x" % byte for byte in value]
    elif kind == "dword":
        value = "0x%08x" % value
    elif kind == "qword":
        value = "0x%016x" % value
    return {"type": _KINDS[kind], "value": value}


def state_present(module, reg, path, components, name, data, kind, result, diff):
    key = reg.open(components)
    if key is None:
        result["changed"] = True
        diff["before"], diff["after"] = {}, {path: {}}
        if module.check_mode:
            return  # as the real module: no key handle in check mode, so no value is compared
        key = reg.open(components, create=True)
    else:
        diff["before"], diff["after"] = {path: {}}, {path: {}}
    if data is None:
        return
    value_name = name or ""
    stored, existing = find_value(key, value_name)
    if existing is not None:
        change = False
        if kind != existing["type"]:
            change = True
            result["data_type_changed"] = True
            if differs(existing["data"], data):
                result["data_changed"] = True
        elif differs(existing["data"], data):
            change = True
            result["data_changed"] = True
        before = diff_value(existing["type"], existing["data"])
        if change:
            key["values"][stored] = {"type": kind, "data": data}
            result["changed"] = True
            diff["before"][path][value_name] = before
            diff["after"][path][value_name] = diff_value(kind, data)
        else:
            diff["before"][path][value_name] = before
            diff["after"][path][value_name] = before
    else:
        key.setdefault("values", {})[value_name] = {"type": kind, "data": data}
        result["changed"] = True
        diff["after"][path][value_name] = diff_value(kind, data)


def state_absent(module, reg, path, components, name, delete_key, result, diff):
    key = reg.open(components)
    if key is None:
        return
    if delete_key and not name:
        reg.delete(components)
        result["changed"] = True
        diff["before"], diff["after"] = {path: {}}, {}
        return
    stored, existing = find_value(key, name or "")
    if existing is None:
        return
    del key["values"][stored]
    result["changed"] = True
    diff["before"] = {path: {name: diff_value(existing["type"], existing["data"])}}
    diff["after"] = {path: {}}


def main():
    module = DoubleModule("win_regedit")
    params = module.params
    path, name, kind, state = params["path"], params["name"], params["type"], params["state"]
    result = {"changed": False, "data_changed": False, "data_type_changed": False}
    diff = {"before": "", "after": ""}
    if name is None and kind != "string":
        module.warn("the data type when name is not specified can only be 'string', the type has automatically been converted")
        kind = "string"
    if name == "":
        name = None
    try:
        data = normalize(params["data"], kind, name)
    except DataError as e:
        module.fail_json(msg=str(e), **result)
    try:
        machine = Machine()
        hive_file = machine.host_path(machine.expand(params["hive"])) if params["hive"] else None  # type: path
        with machine.registry(write=False) as reg:
            components = reg.split(path)
            if hive_file:
                load_hive(module, machine, reg, params["hive"], hive_file)
            if state == "present":
                state_present(module, reg, path, components, name, data, kind, result, diff)
            else:
                state_absent(module, reg, path, components, name, params["delete_key"], result, diff)
            if result["changed"] and not module.check_mode:
                save(machine, reg, hive_file)
    except SimulationError as e:
        module.fail_json(msg=str(e), **result)
    if module._diff:
        result["diff"] = diff
    module.exit_double(result)


def load_hive(module, machine, reg, hive, hive_file):
    if not os.path.isfile(hive_file):
        module.fail_json(msg="hive at path '%s' is not valid or accessible, cannot load hive" % hive)
    if reg.open(HIVE_MOUNT) is not None:
        module.warn("hive already loaded at HKLM:\\ANSIBLE, had to unload hive for win_regedit to continue")
        reg.delete(HIVE_MOUNT)
    for sid, loaded in (reg.data.get("loaded_hives") or {}).items():
        if machine.host_path(loaded) == hive_file:
            module.fail_json(msg="failed to load registry hive from '%s' to HKLM:\\ANSIBLE: Failed to load registry "
                                 "hive at %s (The process cannot access the file because it is being used by another "
                                 "process, Win32ErrorCode 32); it is loaded as HKU:\\%s" % (hive, hive, sid))
    reg.mount_hive(HIVE_MOUNT, read_hive(hive_file))


def save(machine, reg, hive_file):
    """Write what changed: the hive file (then unload it) and registry.json."""
    if hive_file:
        write_hive(hive_file, reg.open(HIVE_MOUNT))
        reg.delete(HIVE_MOUNT)
    write_json(os.path.join(machine.root, "registry.json"), reg.data)


if __name__ == "__main__":
    main()
