# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation shared by the collection's modules, written once so it cannot drift apart."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # What every module of the collection declares; each module gives its own support values.
    # A module's own keys win over a fragment's, so a module may add details.
    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Can run in check mode and report what would change without changing anything.
  diff_mode:
    description: Returns what changed (or, in check mode, would change) when run with C(--diff).
  platform:
    description: The target operating systems the module can work on.
    support: full
  async:
    description: Can be used with the C(async) keyword.
  action:
    description: Has an action plugin of the same name, which does the work on the controller.
"""

    # The modules whose work happens in an action plugin of the same name on the controller.
    # ActionBase.run refuses a task with async for any action plugin that does not set
    # _supports_async, and none of ours does: their work is a short series of module calls.
    ACTION_PLUGIN = r"""
attributes:
  action:
    support: full
  async:
    support: none
    details:
      - The work happens in the module's action plugin on the controller, which runs only in the
        foreground; a task with C(async) fails with C(does not support async) before it starts.
"""

    # The modules meta/runtime.yml lists in action_groups.mapisvc.
    ACTION_GROUP = r"""
attributes:
  action_group:
    description: >-
      Use C(group/mapi.messaging.mapisvc) in C(module_defaults) to set options (such as the
      file's C(path)) once for every module of the group.
    support: full
    membership:
      - mapi.messaging.mapisvc
"""

    # The modules that read MAPISVC.INF files and so need to know how a file without a byte
    # order mark is encoded. plugin_utils.ini.check_codepage enforces the list.
    CODEPAGE = r"""
options:
  codepage:
    description:
      - The target's ANSI code page, used to read files without a UTF-16LE byte order mark.
        New files that M(mapi.messaging.mapisvc) creates are written in it.
      - V(cp1252) is Western European and US Windows. The other ANSI code pages of Windows are
        accepted, V(cp1250), V(cp1251), V(cp1253) to V(cp1258), V(cp874), V(cp932), V(cp936),
        V(cp949) and V(cp950), and V(utf-8) for Windows set to use UTF-8 for worldwide language
        support.
      - Anything else is refused before the target is read, with an error naming this option;
        for a code page close to an ANSI one, such as V(latin-1), the error names the ANSI code
        page to use instead.
    type: str
    default: cp1252
"""
