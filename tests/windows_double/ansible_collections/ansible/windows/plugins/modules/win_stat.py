# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: win_stat
short_description: TEST DOUBLE of ansible.windows.win_stat on the simulated Windows host
description:
  - TEST DOUBLE, never for production. Accepts exactly the options the real
    ansible.windows.win_stat documents and answers for the simulated machine's files.
options: {}
author:
  - mapi.messaging maintainers
"""

EXAMPLES = r"""
- ansible.windows.win_stat:
    path: C:\Windows\System32\notepad.exe
"""

RETURN = r"""
stat:
  description: As the real module (see ansible.windows.win_stat).
  returned: always
  type: dict
"""

import os

from ansible_collections.ansible.windows.plugins.module_utils._double_docs import DoubleModule
from ansible_collections.ansible.windows.plugins.module_utils._double_files import file_info
from ansible_collections.ansible.windows.plugins.module_utils._double_host import Machine, SimulationError


def main():
    module = DoubleModule("win_stat")
    params = module.params
    try:
        machine = Machine()
        target = machine.host_path(machine.expand(params["path"]))  # type: path
    except SimulationError as e:
        module.fail_json(msg=str(e))
    if os.path.lexists(target):
        stat = file_info(machine, target, params["get_checksum"], params["checksum_algorithm"], params["get_size"])
    else:
        stat = {"exists": False}
    module.exit_double({"changed": False, "stat": stat})


if __name__ == "__main__":
    main()
