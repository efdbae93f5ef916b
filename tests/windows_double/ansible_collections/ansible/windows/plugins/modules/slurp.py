# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: slurp
short_description: TEST DOUBLE of ansible.windows.slurp on the simulated Windows host
description:
  - TEST DOUBLE, never for production. Accepts exactly the options the real ansible.windows.slurp
    documents (in its slurp.yml) and returns a simulated file's bytes, base64-encoded.
options: {}
author:
  - mapi.messaging maintainers
"""

EXAMPLES = r"""
- ansible.windows.slurp:
    src: C:\Windows\win.ini
"""

RETURN = r"""
content:
  description: As the real module (see ansible.windows.slurp).
  returned: success
  type: str
"""

import base64
import os

from ansible_collections.ansible.windows.plugins.module_utils._double_docs import DoubleModule
from ansible_collections.ansible.windows.plugins.module_utils._double_host import Machine, SimulationError


def main():
    module = DoubleModule("slurp")
    result = {"changed": False}
    try:
        machine = Machine()
        src = machine.expand(module.params["src"])
        target = machine.host_path(src)
    except SimulationError as e:
        module.fail_json(msg=str(e), **result)
    # The real module's own messages (mapi.messaging's transport matches them).
    if os.path.isfile(target):
        with open(target, "rb") as handle:
            result["content"] = base64.b64encode(handle.read()).decode("ascii")
        result["encoding"] = "base64"
        module.exit_double(result)
    if os.path.isdir(target):
        module.fail_json(msg="Path %s is a directory" % src, **result)
    module.fail_json(msg="Path %s is not found" % src, **result)


if __name__ == "__main__":
    main()
