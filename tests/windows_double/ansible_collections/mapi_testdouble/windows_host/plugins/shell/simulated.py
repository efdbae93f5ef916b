# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE shell: a POSIX shell that reports itself as PowerShell.

It lets a playbook treat localhost as a *simulated Windows host*: plugins that ask
``connection._shell.SHELL_FAMILY`` take their Windows code path (mapi.messaging's transport
does), while commands still run through ``/bin/sh`` on the controller. The ansible.windows
test doubles it is used with learn where the simulated machine lives from the environment
variable ``SIMULATED_WINDOWS_ROOT`` this plugin adds to every module's environment.
"""

from __future__ import annotations

DOCUMENTATION = r"""
name: simulated
short_description: TEST DOUBLE - POSIX shell posing as PowerShell for the simulated Windows host
description:
  - TEST DOUBLE, never for production. A subclass of the C(sh) shell whose C(SHELL_FAMILY) is
    C(powershell), so action plugins take their Windows code path while modules run locally.
  - Exports C(SIMULATED_WINDOWS_ROOT) (the sandbox folder holding C(drive/) and C(registry.json))
    and C(SIMULATED_WINDOWS_CONTRACTS) (where the win_powershell test double finds its script
    contracts) to every module.
extends_documentation_fragment:
  - shell_common
options:
  simulated_windows_root:
    description:
      - Absolute path of the simulated machine built by C(tests/windows_double/make_machine.py).
    type: path
    vars:
      - name: simulated_windows_root
    env:
      - name: SIMULATED_WINDOWS_ROOT
"""

import os

from ansible.errors import AnsibleError
from ansible.plugins.shell.sh import ShellModule as ShModule

# tests/windows_double/ansible_collections/<this collection>/plugins/shell/simulated.py ->
# tests/windows_double/ansible_collections/ansible/windows/plugins/module_utils
_COLLECTIONS_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))))
CONTRACTS_DIR = os.path.join(_COLLECTIONS_DIR, "ansible", "windows", "plugins", "module_utils")


class ShellModule(ShModule):
    # What plugins compare against to decide that the target is Windows.
    SHELL_FAMILY = "powershell"

    def env_prefix(self, **kwargs):
        root = self.get_option("simulated_windows_root")
        if not root:
            raise AnsibleError("simulated_windows_root: not set; give the simulated machine's folder "
                               "(built by tests/windows_double/make_machine.py) as a host variable")
        if not os.path.isabs(root):
            raise AnsibleError("simulated_windows_root: %s is not an absolute path" % root)
        kwargs["SIMULATED_WINDOWS_ROOT"] = root
        kwargs["SIMULATED_WINDOWS_CONTRACTS"] = CONTRACTS_DIR
        return super().env_prefix(**kwargs)
