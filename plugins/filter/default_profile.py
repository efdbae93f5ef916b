# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``mapi.messaging.default_profile``: the role's default-profile settings and PRF."""

from __future__ import annotations

DOCUMENTATION = r"""
name: default_profile
author: mapi.messaging maintainers
version_added: 0.1.0
short_description: Resolve the default Outlook profile settings and render its PRF file
description:
  - Checks the C(message_service_profile) option of the C(mapi.messaging.message_service) role,
    fills in its defaults and renders the Outlook profile (PRF) file that Outlook imports for a
    user who has no profile yet.
  - The PRF is printable ASCII with CRLF line endings and no byte order mark, so that every
    ANSI code page reads the same text; names and values outside that are refused.
  - Used by the role's C(profile) and C(profile_absent) tasks; it reads nothing from any host.
options:
  _input:
    description: The C(message_service_profile) dict; null or an empty dict for all defaults.
    type: dict
    required: true
  service:
    description: The C([Services]) key of the message service (C(message_service_name)).
    type: str
    required: true
  display_name:
    description: The default friendly name of the service in the PRF (C(message_service_display_name)).
    type: str
  target:
    description:
      - The preflight facts (C(message_service_target)); C(install_dir) and C(office_version) are used.
      - C(office_version) defaults to C(16.0).
    type: dict
"""

EXAMPLES = r"""
- name: Resolve the profile settings
  ansible.builtin.set_fact:
    profile_settings: >-
      {{ message_service_profile | mapi.messaging.default_profile(service='CONTOSO',
         display_name='Contoso Connector', target=message_service_target) }}

- name: Show the PRF text
  ansible.builtin.debug:
    msg: "{{ profile_settings.prf }}"
"""

RETURN = r"""
_value:
  description: The resolved settings.
  type: dict
  contains:
    prf:
      description: The PRF file text (CRLF line endings).
      type: str
    prf_path:
      description: Where the PRF goes on the host.
      type: str
    script_path:
      description: Where the Active Setup script goes on the host.
      type: str
    stub_path:
      description: The Active Setup C(StubPath) command line.
      type: str
    active_setup_key:
      description: The machine's Active Setup component key.
      type: str
    user_active_setup_key:
      description: The per-user Active Setup key, relative to a user's hive root.
      type: str
    active_setup_version:
      description: The Active Setup C(Version) value.
      type: str
    profile_keys:
      description: Where a user's Outlook profiles live, relative to the user's hive root.
      type: list
      elements: str
    setup_key:
      description: The key holding C(ImportPRF), C(FirstRun) and C(First-Run), relative to a user's hive root.
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.mapi.messaging.plugins.plugin_utils import profile


def default_profile(value, service, display_name=None, target=None):
    try:
        return profile.settings(value, service, display_name=display_name, target=target)
    except profile.ProfileError as error:
        raise AnsibleFilterError("message_service_profile is not valid: %s" % error) from None


class FilterModule:
    def filters(self):
        return {"default_profile": default_profile}
