# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for mapi.messaging.message_service_plan: the role's preflight in one task.

One ``win_powershell`` execution reads everything the role decides from (``probe_script.py``);
the decisions are made here, on the controller, by the pure core: ``host.detect`` (what the
host is), ``service_plan.plan`` (which writes differ) and ``profile.plan_profile`` (the default
profile). The role then runs a write task only for what the plan lists, so a run that changes
nothing costs this one execution per host. The same execution reads the logged-on users'
Outlook profiles; with ``detect_only`` the result carries their census (``census.take``), so
the audit's detection still costs one execution per host.
"""

from __future__ import annotations

import hashlib
import os
import tempfile

from ansible import constants as C
from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.module_utils.common.text.converters import to_bytes
from ansible.plugins.action import ActionBase

from ansible_collections.mapi.messaging.plugins.modules.message_service_plan import ARGUMENT_SPEC
from ansible_collections.mapi.messaging.plugins.plugin_utils import census, findings, host, probe, probe_script
from ansible_collections.mapi.messaging.plugins.plugin_utils import profile as profile_core
from ansible_collections.mapi.messaging.plugins.plugin_utils import service_plan
from ansible_collections.mapi.messaging.plugins.plugin_utils.probe import PROBE_DEPTH

# Read in blocks so a large DLL is never held in memory whole.
_BLOCK = 1024 * 1024


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


# Service variables the plan takes under the names the role's variables have without their
# message_service_ prefix; the mapisvc options among them are passed through as they are.
_PLAN_ARGS = ("state", "name", "display_name", "files", "install_dir", "properties", "providers", "registry",
              "messaging_subsystem", "profile")
_PROBE_ARGS = ("state", "name", "files", "install_dir", "properties", "registry", "messaging_subsystem")
_MAPISVC_ARGS = {"default_service": "default_service", "help_file": "help_file", "sections": "sections",
                 "purge": "purge", "backup": "mapisvc_backup", "codepage": "mapisvc_codepage"}
# Where the default install folder (and so the PRF and script) lies on a usual host, before
# detection says which of them applies. A host with Program Files elsewhere is only read less
# precisely: what was not read is written (and compared again by the write module).
_PROFILE_FOLDERS = ("C:\\Program Files", "C:\\Program Files (x86)")


def _merge(*needs):
    """The probe's parameters from the needs of each step (lists concatenated; probe.parameters
    drops repeats)."""
    merged = {key: [] for key in ("registry_keys", "values", "paths", "mapisvc_paths", "user_keys",
                                  "in_use_paths", "profile_keys")}
    for need in needs:
        for key, items in need.items():
            merged[key].extend(items or [])
    return merged


def _profile_settings(args, target):
    """profile.settings for this host, or None (no profile declared, or its problems: the
    service plan reports those). A removal withdraws what an install with the default settings
    arranged even when message_service_profile is not given."""
    declared = args["profile"]
    if declared is None and args["state"] == "absent":
        declared = {}
    if declared is None or not args["name"]:
        return None
    try:
        return profile_core.settings(declared, args["name"], args["display_name"], target)
    except profile_core.ProfileError:
        return None


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)[1]
        if self._connection._shell.SHELL_FAMILY != "powershell":
            raise AnsibleActionFail("mapi.messaging.message_service_plan: this host does not use a PowerShell "
                                    "shell; the message_service role is for Windows hosts (connect with "
                                    "winrm, psrp or ssh with ansible_shell_type powershell)")
        mapisvc_paths = args["mapisvc_paths"] or []
        if isinstance(mapisvc_paths, str) or not all(isinstance(path, str) and path for path in mapisvc_paths):
            raise AnsibleActionFail("message_service_mapisvc_paths: give a list of full MAPISVC.INF paths")
        local_sha256 = {}
        versions = profile_core.office_versions(args["office_version"])
        needs = [{"registry_keys": host.registry_keys(), "mapisvc_paths": mapisvc_paths}, census.probe_keys(versions)]
        if not args["detect_only"]:
            local_sha256 = self._local_sources(args)
            needs.append(service_plan.probe_needs(**{key: args[key] for key in _PROBE_ARGS}))
            folders = [args["install_dir"]] if args["install_dir"] else [
                "%s\\%s" % (root, args["name"]) for root in _PROFILE_FOLDERS]
            for folder in folders:
                resolved = _profile_settings(args, {"install_dir": folder, "office_version": "16.0"})
                if resolved is not None:
                    needs.append(profile_core.probe_needs(resolved))
        try:
            answer = self._execute_module(
                module_name="ansible.windows.win_powershell",
                module_args={"script": probe_script.PROBE_SCRIPT, "depth": PROBE_DEPTH,
                             "parameters": probe.parameters(**_merge(*needs))},
                task_vars=task_vars)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        try:
            probed = probe.read(answer)
        except probe.ProbeError as e:
            result.update(changed=False, problems=["probe: %s; nothing was changed on this host" % e],
                          notes=[], target={}, plan={})
            return result

        target = host.detect(probed, args["office_version"], args["office_bitness"], mapisvc_paths)
        result.update(changed=False, target=target.as_dict(), notes=list(target.notes))
        if args["detect_only"]:
            files = [findings.report(copy.path, copy.content, args["mapisvc_codepage"]) for copy in probed.copies]
            result.update(problems=list(target.problems) + list(probed.errors),
                          mapisvc=dict(files=files, **findings.summary(files)),
                          profiles=census.take(probed, [target.office_version] if target.office_version
                                               else versions).as_dict())
            return result

        planned = service_plan.plan(
            target, probed, local_sha256=local_sha256,
            service_args={option: args[name] for option, name in _MAPISVC_ARGS.items()},
            **{key: args[key] for key in _PLAN_ARGS})
        result["target"]["install_dir"] = planned.install_dir
        problems = list(planned.problems) + list(probed.errors)
        resolved = _profile_settings(args, result["target"])
        profile = None
        if resolved is not None:
            script_sha256 = self._local_sha256(profile_core.SCRIPT_NAME)
            profile_plan = profile_core.plan_profile(
                resolved, probed, None, script_sha256, args["state"],
                created_folders=[planned.install_dir] if planned.create_install_dir else [])
            problems += list(profile_plan.problems)
            result["notes"] += list(profile_plan.notes)
            planned, profile_plan = service_plan.with_profile_files(planned, profile_plan, resolved)
            profile = dict(profile_plan.as_dict(), settings=resolved)
        result["plan"] = dict(planned.as_dict(), profile=profile)
        result["plan"]["copy_folders"] = [self._stage(group) for group in planned.copy_folders]
        result["problems"] = list(dict.fromkeys(problems))
        # The plan holds the declared registry data (possibly credentials) and the PRF: the
        # result is hidden like a no_log task's; the role shows the problems and the decisions.
        result["_ansible_no_log"] = True
        return result

    def _stage(self, group):
        """The plan's copy folder with ``src``: a fresh controller folder holding each file under
        its installed name, a symlink to the found ``src`` (win_copy follows it with
        ``local_follow: true`` and so reads, and decrypts, the file itself) or the PRF's bytes
        as win_copy writes ``content`` (``to_bytes`` of the text: ASCII, line ends as rendered).
        The folder lies in Ansible's local temporary folder, removed when ansible-playbook
        exits. The trailing slash makes win_copy copy the folder's contents, not the folder."""
        staging = tempfile.mkdtemp(prefix="message_service-", dir=C.DEFAULT_LOCAL_TMP)
        for source in group["sources"]:
            staged = os.path.join(staging, source["name"])
            if "content" in source:
                with open(staged, "wb") as stream:
                    stream.write(to_bytes(source["content"]))
                continue
            try:
                found = self._find_needle("files", source["src"])
            except AnsibleError as e:
                raise AnsibleActionFail("%s: %s; nothing was changed on this host" % (source["src"], e))
            os.symlink(os.path.realpath(found), staged)
        return {"src": staging + os.path.sep, "dest": group["dest"], "files": list(group["files"]),
                "paths": list(group["paths"])}

    def _local_sha256(self, src):
        """SHA-256 of a controller file found the way win_copy finds ``src``, or None."""
        try:
            path = self._find_needle("files", src)
        except AnsibleError:
            return None
        return sha256_of(path) if os.path.isfile(path) else None

    def _local_sources(self, args):
        """SHA-256 of every ``files[].src`` found on the controller, the way win_copy finds it
        (the role's files/ folder, then the playbook's). The plan refuses a src missing here,
        before any host changes and in check mode too."""
        found = {}
        for item in args["files"] or []:
            src = item.get("src") if isinstance(item, dict) else None
            if isinstance(src, str) and src and src not in found:
                sha256 = self._local_sha256(src)
                if sha256 is not None:
                    found[src] = sha256
        return found
