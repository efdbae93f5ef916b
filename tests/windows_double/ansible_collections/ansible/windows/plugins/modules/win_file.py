# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: win_file
short_description: TEST DOUBLE of ansible.windows.win_file on the simulated Windows host
description:
  - TEST DOUBLE, never for production. Accepts exactly the options the real
    ansible.windows.win_file documents and creates, touches or removes simulated files and
    folders, with the real module's check mode and messages.
options: {}
author:
  - mapi.messaging maintainers
"""

EXAMPLES = r"""
- ansible.windows.win_file:
    path: C:\Program Files\Contoso
    state: directory
"""

RETURN = r"""
changed:
  description: Whether anything changed.
  returned: always
  type: bool
"""

import os
import shutil
import time

from ansible_collections.ansible.windows.plugins.module_utils._double_docs import DoubleModule
from ansible_collections.ansible.windows.plugins.module_utils._double_host import Machine, SimulationError


def main():
    module = DoubleModule("win_file", internal={"_original_basename": {"type": "str"}})
    params = module.params
    state, check = params["state"], module.check_mode
    result = {"changed": False}
    try:
        machine = Machine()
        path = machine.expand(params["path"])
        target = machine.host_path(path)
    except SimulationError as e:
        module.fail_json(msg=str(e), **result)
    if os.path.isdir(target) and params["_original_basename"]:
        target = os.path.join(target, params["_original_basename"])

    if state == "touch":
        if not check:
            if os.path.exists(target):
                now = time.time()
                os.utime(target, (now, now))
            else:
                # Out-File -Encoding ASCII of $null: an empty file (its folder must exist).
                if not os.path.isdir(os.path.dirname(target)):
                    module.fail_json(msg="Could not find a part of the path '%s'." % path, **result)
                open(target, "ab").close()
        result["changed"] = True

    if os.path.exists(target):
        if state == "absent":
            if not check:
                if os.path.isdir(target):
                    shutil.rmtree(target)
                else:
                    os.remove(target)
            result["changed"] = True
        elif state == "directory" and not os.path.isdir(target):
            module.fail_json(msg="path %s is not a directory" % path, **result)
        elif state == "file" and os.path.isdir(target):
            module.fail_json(msg="path %s is not a file" % path, **result)
    elif state != "touch" or check:
        if state is None:
            state = "file" if os.path.basename(target) else "directory"
        if state == "directory":
            # New-Item -ItemType Directory creates missing parents too.
            if os.path.lexists(target) and not os.path.isdir(target):
                module.fail_json(msg="path %s is not a directory" % path, **result)
            if not check:
                os.makedirs(target, exist_ok=True)
            result["changed"] = True
        elif state == "file":
            module.fail_json(msg="path %s will not be created" % path, **result)
    module.exit_double(result)


if __name__ == "__main__":
    main()
