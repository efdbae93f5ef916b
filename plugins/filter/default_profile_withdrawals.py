# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``mapi.messaging.default_profile_withdrawals``: whose ImportPRF names our PRF."""

from __future__ import annotations

DOCUMENTATION = r"""
name: default_profile_withdrawals
author: mapi.messaging maintainers
version_added: 0.1.0
short_description: Find the users whose Outlook ImportPRF value names a given PRF file
description:
  - Takes the looped C(ansible.windows.win_reg_stat) results of each loaded user's
    C(ImportPRF) value and returns the SIDs whose value names O(prf_path), compared like Windows
    paths (without case, C(/) equal to C(\)). Values naming another PRF are not returned, so the
    role removes only what it set.
options:
  _input:
    description: Results of a C(win_reg_stat) loop over user SIDs (C(item) is the SID) reading C(ImportPRF).
    type: list
    elements: dict
    required: true
  prf_path:
    description: The PRF path the role writes.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Users whose ImportPRF is ours
  ansible.builtin.set_fact:
    profile_withdraw: "{{ import_prf_stats.results | mapi.messaging.default_profile_withdrawals(prf_path=settings.prf_path) }}"
"""

RETURN = r"""
_value:
  description: The SIDs, sorted.
  type: list
  elements: str
"""

from ansible_collections.mapi.messaging.plugins.plugin_utils import profile


def default_profile_withdrawals(results, prf_path):
    stats = [{"sid": result.get("item"), "exists": result.get("exists"), "value": result.get("value")}
             for result in results or []]
    return profile.withdrawals(stats, prf_path)


class FilterModule:
    def filters(self):
        return {"default_profile_withdrawals": default_profile_withdrawals}
