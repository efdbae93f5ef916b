# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: win_find
short_description: TEST DOUBLE of ansible.windows.win_find on the simulated Windows host
description:
  - TEST DOUBLE, never for production. Accepts exactly the options the real
    ansible.windows.win_find documents and searches the simulated file system with the real
    module's matching (C(-like) wildcards or regex on the name, case-insensitive by default).
  - O(age) and O(size) filters are not simulated; a task that uses them fails and says so.
options: {}
author:
  - mapi.messaging maintainers
"""

EXAMPLES = r"""
- ansible.windows.win_find:
    paths: C:\Program Files\Common Files\System\MSMAPI
    patterns: MAPISVC.INF
    recurse: true
"""

RETURN = r"""
files:
  description: As the real module (see ansible.windows.win_find).
  returned: success
  type: list
"""

import fnmatch
import os
import re

from ansible_collections.ansible.windows.plugins.module_utils._double_docs import DoubleModule
from ansible_collections.ansible.windows.plugins.module_utils._double_files import file_info
from ansible_collections.ansible.windows.plugins.module_utils._double_host import Machine, SimulationError


def name_matches(name, patterns, use_regex, case_sensitive):
    for pattern in patterns:
        if use_regex:
            if re.search(pattern, name, 0 if case_sensitive else re.IGNORECASE):
                return True
        elif fnmatch.fnmatchcase(name.lower(), pattern.lower()):  # -like ignores case
            return True
    return False


def type_matches(host_path, file_type):
    if file_type == "any":
        return True
    return os.path.isdir(host_path) == (file_type == "directory")


def search(module, machine, folder, depth, result, seen, found):
    params = module.params
    for entry in sorted(os.listdir(folder)):
        child = os.path.join(folder, entry)
        if os.path.isdir(child) and params["recurse"] and depth != 1:
            search(module, machine, child, None if depth is None else depth - 1, result, seen, found)
        if child.lower() in seen:
            continue
        seen.add(child.lower())
        result["examined"] += 1
        if not type_matches(child, params["file_type"]):
            continue
        if params["patterns"] is not None and not name_matches(entry, params["patterns"], params["use_regex"],
                                                               # Older releases (2.x) have no case_sensitive
                                                               # and always match without case.
                                                               params.get("case_sensitive") or False):
            continue
        result["matched"] += 1
        found.append(file_info(machine, child, params["get_checksum"], params["checksum_algorithm"]))


def main():
    module = DoubleModule("win_find")
    params = module.params
    result = {"changed": False, "examined": 0, "matched": 0}
    for unsupported in ("age", "size"):
        if params[unsupported] is not None:
            module.fail_json(msg="TEST DOUBLE: the %s filter of win_find is not simulated" % unsupported, **result)
    found = []
    try:
        machine = Machine()
        for path in params["paths"]:
            folder = machine.host_path(path)
            if not os.path.exists(folder):
                module.warn("Argument path '%s' does not exist or is not accessible, skipping" % path)
            elif not os.path.isdir(folder):
                module.warn("Argument path '%s' is a file not a directory, skipping" % path)
            else:
                search(module, machine, folder, params["depth"], result, set(), found)
    except SimulationError as e:
        module.fail_json(msg=str(e), **result)
    result["files"] = sorted(found, key=lambda item: item["path"])
    module.exit_double(result)


if __name__ == "__main__":
    main()
