# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the mapi.messaging.message_service role: thin edges around plugin_utils/target.py."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.mapi.messaging.plugins.plugin_utils import target as core


def message_service_target(reg_stat_results, office_version="auto", office_bitness="auto",
                           existing=None, found=None, mapisvc_paths=None, folders=None):
    """Registry readings (a looped win_reg_stat result) -> the message_service_target dict.

    Without ``existing`` only detection runs (the paths to look at are in
    ``search_paths``); with it, the MAPISVC.INF files are located too."""
    if isinstance(reg_stat_results, dict):
        reg_stat_results = reg_stat_results.get("results")
    if not isinstance(reg_stat_results, list):
        raise AnsibleFilterError("message_service_target: expected the registered result of a looped "
                                 "ansible.windows.win_reg_stat task (its results list)")
    detected = core.detect(core.from_reg_stat(reg_stat_results), office_version, office_bitness)
    detected["search_paths"] = core.search_paths(detected)
    if existing is None and not mapisvc_paths:
        return detected
    return core.locate(detected, existing or [], found or [], mapisvc_paths, folders or [])


def message_service_plan(target, state="present", name=None, display_name=None, files=None,
                         install_dir=None, properties=None, providers=None, registry=None,
                         messaging_subsystem=False, profile=None):
    """The role's variables checked against the target, and every change decided."""
    if not isinstance(target, dict) or "windows_arch" not in target:
        raise AnsibleFilterError("message_service_plan: expected the dict made by the "
                                 "mapi.messaging.message_service_target filter")
    return core.plan(target, state=state, name=name, display_name=display_name, files=files,
                     install_dir=install_dir, service_properties=properties, providers=providers,
                     registry=registry, messaging_subsystem=messaging_subsystem, profile_spec=profile)


def message_service_in_use(result):
    """The registered result of the preflight's in-use check -> problems (empty when free)."""
    if not isinstance(result, dict):
        raise AnsibleFilterError("message_service_in_use: expected the registered result of the "
                                 "message_service_in_use.ps1 win_powershell task")
    if result.get("skipped"):
        return []
    if result.get("failed"):
        errors = [((error or {}).get("exception") or {}).get("message") for error in result.get("error") or []]
        return ["in-use check: the check could not run (%s); nothing was changed on this host"
                % ("; ".join(message for message in errors if message) or result.get("msg") or "unknown error")]
    return core.in_use(result.get("result"))


class FilterModule:
    def filters(self):
        return {
            "message_service_target": message_service_target,
            "message_service_plan": message_service_plan,
            "message_service_in_use": message_service_in_use,
        }
