# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for mapi.messaging.mapisvc_info: read MAPISVC.INF files, report what MAPI sees.

The target only reads: all paths in one ``win_powershell`` call on Windows (one ``slurp``
for a single path), one ``slurp`` per path on POSIX targets (see
``plugin_utils/transport.py``). Everything else happens here on the controller in
``plugin_utils/findings.py``. Nothing on the target changes, so check mode runs the same.

With ``profiles: true`` (Windows only) one more read-only execution runs the role's probe
script with only ProfileList and the users' profile keys, and ``census.take`` turns its answer
into the profile census.
"""

from __future__ import annotations


from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.mapi.messaging.plugins.modules.mapisvc_info import ARGUMENT_SPEC
from ansible_collections.mapi.messaging.plugins.plugin_utils import census, findings, ini, probe, probe_script, transport


def paths_of(value):
    """The ``path`` option as a list: one string or a list of strings, none empty.

    The option is ``raw`` because Ansible's ``list`` type splits a string on commas, and a
    Windows path may hold a comma."""
    paths = [value] if isinstance(value, str) else value
    if not isinstance(paths, list) or not paths:
        raise AnsibleActionFail("path: give the full path of a MAPISVC.INF file, or a non-empty list "
                                "of such paths")
    for i, path in enumerate(paths):
        if not isinstance(path, str) or not path.strip():
            raise AnsibleActionFail("path[%d]: %r is not a path; give each file's full path as a "
                                    "string" % (i, path))
    return [str(path) for path in paths]


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)[1]
        paths = paths_of(args["path"])
        # One rule for every action: rot13, base64, UTF-16 and the like are no ANSI code page.
        problem = ini.check_codepage(args["codepage"])
        if problem:
            raise AnsibleActionFail(problem)
        if args["profiles"] and self._connection._shell.SHELL_FAMILY != "powershell":
            raise AnsibleActionFail("profiles: the Outlook profile census reads the user hives of a Windows host, and "
                                    "this host does not use a PowerShell shell; set profiles to false for it (or "
                                    "connect to Windows with winrm, psrp or ssh with ansible_shell_type powershell)")
        remote = transport.Remote(self, task_vars)
        try:
            contents = remote.read_all(paths)
            answer = self._probe_profiles(task_vars) if args["profiles"] else None
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        files = [findings.report(path, data, args["codepage"]) for path, data in zip(paths, contents)]
        result.update(changed=False, files=files, **findings.summary(files))
        if answer is not None:
            try:
                probed = probe.read(answer)
            except probe.ProbeError as e:
                raise AnsibleActionFail("profiles: %s" % e) from None
            result["profiles"] = census.take(probed, "auto").as_dict()
        return result

    def _probe_profiles(self, task_vars):
        """The probe script with only what the census reads (ProfileList and every Office
        version's profile keys): one read-only execution that runs in check mode too."""
        parameters = probe.parameters(values=[], paths=[], mapisvc_paths=[], user_keys=[], in_use_paths=[],
                                      **census.probe_keys("auto"))
        return self._execute_module(module_name="ansible.windows.win_powershell", task_vars=task_vars,
                                    module_args={"script": probe_script.PROBE_SCRIPT, "depth": probe.PROBE_DEPTH,
                                                 "parameters": parameters})
