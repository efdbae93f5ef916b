#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: message_service_plan
short_description: Read a Windows host once and plan the message_service role's changes
version_added: 0.1.0
description:
  - The preflight of the role P(mapi.messaging.message_service#role) as one task, which changes nothing.
  - Reads the host with one C(ansible.windows.win_powershell) execution (a script that declares
    C(SupportsShouldProcess), so it also runs in check mode). It reads Windows and Outlook facts from the
    registry (bitness, MSI or Click-to-Run, version, C(DLLPathEx), MAPI registration), every
    C(MAPISVC.INF) copy with its bytes, the SHA-256 of every file the role would install or delete,
    the current data of every registry value it declares (only a SHA-256 of values marked secret),
    the users and Outlook profile keys the default-profile step needs, and whether Outlook runs or
    a file the role would replace is in use.
  - Then decides on the controller, in the collection's pure core, which writes are needed. The
    role runs a write task only for what this plan lists, so a run that changes nothing costs this
    one module execution per host.
  - Checks everything the controller can check before any host changes, in check mode too. That is
    the variables, that every C(src) of O(files) can be found on the controller, which paths and registry
    keys the role may touch, and whether each C(MAPISVC.INF) copy would accept the declaration.
    Problems are returned in RV(problems); the role stops the host on them.
  - Meant to be called by the role; its options are the role's variables without the
    C(message_service_) prefix (see C(ansible-doc -t role mapi.messaging.message_service)).
author:
  - mapi.messaging maintainers (@mapi-messaging)
extends_documentation_fragment:
  - mapi.messaging.mapisvc
  - mapi.messaging.mapisvc.action_plugin
attributes:
  check_mode:
    support: full
    details: Reads only; runs the same in check mode.
  diff_mode:
    support: none
    details: It changes nothing; the role's write tasks show their differences.
  platform:
    support: full
    platforms: windows
    details:
      - Windows hosts with a PowerShell shell (WinRM, PSRP, or SSH with
        C(ansible_shell_type=powershell)); other hosts fail with a message saying so.
options:
  state:
    description: C(message_service_state).
    type: str
    choices: [present, absent]
    default: present
  detect_only:
    description:
      - Only detect the target and report every C(MAPISVC.INF) copy found (as M(mapi.messaging.mapisvc_info)
        reports them, in RV(mapisvc)); no service variables are needed or read.
    type: bool
    default: false
  name:
    description: C(message_service_name).
    type: str
  display_name:
    description: C(message_service_display_name).
    type: str
  default_service:
    description: C(message_service_default_service).
    type: bool
  help_file:
    description: C(message_service_help_file).
    type: str
  properties:
    description: C(message_service_properties).
    type: raw
  providers:
    description: C(message_service_providers).
    type: raw
  sections:
    description: C(message_service_sections).
    type: raw
  purge:
    description: C(message_service_purge).
    type: bool
    default: false
  files:
    description: C(message_service_files).
    type: raw
  install_dir:
    description: C(message_service_install_dir).
    type: str
  registry:
    description: C(message_service_registry).
    type: raw
  messaging_subsystem:
    description: C(message_service_messaging_subsystem).
    type: bool
    default: false
  profile:
    description: C(message_service_profile).
    type: raw
  office_version:
    description: C(message_service_office_version).
    type: str
    default: auto
  office_bitness:
    description: C(message_service_office_bitness).
    type: str
    default: auto
  mapisvc_paths:
    description: C(message_service_mapisvc_paths).
    type: raw
  mapisvc_backup:
    description: C(message_service_mapisvc_backup).
    type: bool
    default: false
  mapisvc_codepage:
    description: C(message_service_mapisvc_codepage).
    type: str
    default: cp1252
notes:
  - Runs on the controller through its action plugin; the only module it runs on the host is one
    C(ansible.windows.win_powershell).
seealso:
  - name: The message_service role
    description: >-
      Runs this module as its preflight and then only the writes it plans;
      C(ansible-doc -t role mapi.messaging.message_service) shows the variables.
    link: https://github.com/mapi-messaging/mapi.messaging/blob/main/docs/role-message-service.md
  - module: mapi.messaging.mapisvc
    description: Writes each MAPISVC.INF copy the plan says would change.
  - module: mapi.messaging.mapisvc_info
    description: Reports MAPISVC.INF files the way RV(mapisvc) does, for paths you give.
  - module: ansible.windows.win_regedit
    description: Writes the registry values the plan lists as differing.
  - module: community.general.ini_file
    description: >-
      Edits one key of an INI file; it does not read MAPISVC.INF as Windows does, so the role
      uses M(mapi.messaging.mapisvc) instead.
"""

EXAMPLES = r"""
- name: Read the host once and plan (what the role's preflight does)
  mapi.messaging.message_service_plan:
    name: CONTOSO
    display_name: Contoso Connector
    files:
      - src: x64/contoso32.dll
        arch: x64
  register: planned
  no_log: true  # the plan holds the declared registry data

- name: Detection only, with every MAPISVC.INF copy reported
  mapi.messaging.message_service_plan:
    detect_only: true
  register: detected
"""

RETURN = r"""
problems:
  description: Why the role must not change this host; empty when it may go on.
  returned: always
  type: list
  elements: str
notes:
  description: Things worth knowing that stop nothing (for example MAPISVC.INF copies found away from C(DLLPathEx)).
  returned: always
  type: list
  elements: str
target:
  description: What the host is (the role's C(message_service_target)).
  returned: always
  type: dict
plan:
  description: The writes the role must make (the role's C(message_service_plan)); each list holds only what differs.
  returned: unless O(detect_only)
  type: dict
profile:
  description: The default-profile writes, when O(profile) is given.
  returned: when O(profile) is given
  type: dict
mapisvc:
  description: Every MAPISVC.INF copy found, as M(mapi.messaging.mapisvc_info) returns them (C(files), C(services), C(findings_count)).
  returned: when O(detect_only)
  type: dict
profiles:
  description:
    - The census of the users' Outlook profiles, read by the same single read-only probe (the same shape as
      M(mapi.messaging.mapisvc_info) returns with O(mapi.messaging.mapisvc_info#module:profiles=true)).
    - C(users) lists every user account (local, domain and Entra ID) once, sorted by SID. A user whose hive is
      loaded (logged on) is inspected; a user listed under ProfileList whose hive is not loaded, or whose profile
      keys could not be read, has C(inspected=false) and a C(reason), and nothing else is guessed.
    - C(default_profile) is the DefaultProfile Outlook uses for the detected Office version (the C(Outlook) key
      for Outlook 2013 and later, the Windows Messaging Subsystem C(Profiles) key before), only when a profile of
      that name exists; C(default_services) are the message services (PR_SERVICE_NAME) of that profile.
    - C(errors) says what kept users from being counted (for example ProfileList could not be read).
  returned: when O(detect_only)
  type: dict
  sample:
    users:
      - sid: S-1-5-21-1004336348-1177238915-682003330-1001
        inspected: true
        reason: null
        profiles: [Outlook]
        default_profile: Outlook
        default_services: [MSEMS, CONTOSO]
      - sid: S-1-5-21-1004336348-1177238915-682003330-1004
        inspected: false
        reason: hive not loaded (the user is not logged on); the audit never loads a user's hive
        profiles: []
        default_profile: null
        default_services: []
    errors: []
"""

from ansible.module_utils.basic import AnsibleModule

# Shared with the action plugin, which does the work on the controller.
ARGUMENT_SPEC = dict(
    state=dict(type="str", choices=["present", "absent"], default="present"),
    detect_only=dict(type="bool", default=False),
    name=dict(type="str"),
    display_name=dict(type="str"),
    default_service=dict(type="bool"),
    help_file=dict(type="str"),
    properties=dict(type="raw"),
    providers=dict(type="raw"),
    sections=dict(type="raw"),
    purge=dict(type="bool", default=False),
    files=dict(type="raw"),
    install_dir=dict(type="str"),
    registry=dict(type="raw"),
    messaging_subsystem=dict(type="bool", default=False),
    profile=dict(type="raw"),
    office_version=dict(type="str", default="auto"),
    office_bitness=dict(type="str", default="auto"),
    mapisvc_paths=dict(type="raw"),
    mapisvc_backup=dict(type="bool", default=False),
    mapisvc_codepage=dict(type="str", default="cp1252"),
)


def main():
    # The work is done by the action plugin of the same name on the controller; this file
    # documents the options and only runs if that plugin was bypassed.
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="mapi.messaging.message_service_plan runs through its action plugin on the "
                         "controller; call it as a task, not as a raw module")


if __name__ == "__main__":
    main()
