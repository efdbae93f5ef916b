# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``mapi.messaging.default_profile_users``: which users get the default profile how."""

from __future__ import annotations

DOCUMENTATION = r"""
name: default_profile_users
author: mapi.messaging maintainers
version_added: 0.1.0
short_description: Decide which Windows users get the default Outlook profile arranged now
description:
  - Takes the looped C(ansible.windows.win_reg_stat) results of each loaded user's Outlook
    profile keys and returns which logged-on users have no Outlook profile (they get
    C(ImportPRF) set now), which have one (left alone), and which users have a Windows profile
    but no loaded hive (Active Setup handles them at their next logon).
  - Only C(S-1-5-21-*) SIDs count as users; C(_Classes) hives and service accounts are ignored.
options:
  _input:
    description:
      - Results of a C(win_reg_stat) loop whose C(item) is C([sid, profile key]).
      - A user has a profile when any of its profile keys exists with at least one subkey.
    type: list
    elements: dict
    required: true
  profile_list:
    description: Subkey names of C(HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList).
    type: list
    elements: str
  loaded:
    description: Subkey names of C(HKU:\) (the loaded user hives).
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Decide per user
  ansible.builtin.set_fact:
    profile_users: >-
      {{ profile_stats.results | mapi.messaging.default_profile_users(
         profile_list=profile_list.sub_keys, loaded=loaded_hives.sub_keys) }}
"""

RETURN = r"""
_value:
  description: SIDs per decision.
  type: dict
  contains:
    loaded:
      description: Users whose hive is loaded.
      type: list
      elements: str
    import:
      description: Loaded users without an Outlook profile.
      type: list
      elements: str
    keep:
      description: Loaded users with an Outlook profile (left alone).
      type: list
      elements: str
    active_setup:
      description: Users with a Windows profile whose hive is not loaded.
      type: list
      elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.mapi.messaging.plugins.plugin_utils import profile


def default_profile_users(results, profile_list=None, loaded=None):
    stats = []
    for result in results or []:
        item = result.get("item")
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise AnsibleFilterError("default_profile_users: each result needs item [sid, key], got %r" % (item,))
        stats.append({"sid": item[0], "exists": result.get("exists"), "sub_keys": result.get("sub_keys")})
    try:
        return profile.plan_users(profile_list, loaded, stats)
    except ValueError as error:
        raise AnsibleFilterError("default_profile_users: %s" % error) from None


class FilterModule:
    def filters(self):
        return {"default_profile_users": default_profile_users}
