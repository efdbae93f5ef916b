#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: mapisvc_info
short_description: Report the MAPI message services in MAPISVC.INF files and what is wrong with them
version_added: 0.1.0
description:
  - Reads one or more C(MAPISVC.INF) files and returns, as Windows' profile API
    (C(GetPrivateProfileString)) reads them with the same parser as M(mapi.messaging.mapisvc), every
    service C([Services]) lists, with its display name, whether C([Default Services]) lists it,
    the entries of its section, and its provider and linked sections.
  - Returns a list of findings per file, each with a severity, a code, the service, section, key
    and line it concerns, a one-line message and a one-line fix. The codes are C(utf8-bom),
    C(duplicate-section), C(duplicate-key), C(missing-section), C(service-without-section),
    C(section-without-service), C(provider-without-service), C(dll-32-suffix), C(dll-path-period), C(service-uid),
    C(primary-identity-conflict), C(provider-missing-entry), C(credential) and C(unreadable);
    the collection's C(docs/mapisvc_info.md) explains each.
  - Changes nothing, on the target or anywhere else.
  - One module execution per host on Windows. Several paths are read with one
    C(ansible.windows.win_powershell) call, a single path with one C(ansible.windows.slurp).
    On POSIX targets each path is one execution of M(mapi.messaging.mapisvc_file).
author:
  - mapi.messaging maintainers (@mapi-messaging)
options:
  path:
    description:
      - Full path of a C(MAPISVC.INF) file on the target, or a list of such paths. Each path is
        reported in RV(files), in the order given.
      - A path that does not exist is reported with RV(files[].exists=false). A path that is a
        folder, or a file that cannot be read, fails the task.
      - A string is one path, even with commas in it.
    type: raw
    required: true
  profiles:
    description:
      - Also report the users' Outlook profiles in RV(profiles) (Windows hosts only),
        which profiles each user has, which is the default, and which message services the default profile holds.
      - Costs one more read-only module execution (the probe script of the C(message_service) role,
        given only ProfileList and the users' profile keys), which runs in check mode too.
      - Only logged-on users (hive loaded under C(HKEY_USERS)) are inspected; the others are
        counted as not inspected, with the reason. No user's hive is ever loaded.
      - On a host that is not Windows the task fails naming this option.
    type: bool
    default: false
extends_documentation_fragment:
  - mapi.messaging.mapisvc
  - mapi.messaging.mapisvc.action_plugin
  - mapi.messaging.mapisvc.action_group
  - mapi.messaging.mapisvc.codepage
attributes:
  check_mode:
    support: full
    details: Runs the same in check mode; it never changes anything.
  diff_mode:
    support: none
    details: Nothing changes, so there is nothing to show.
  platform:
    support: full
    platforms: [windows, posix]
    details: Windows workstations; POSIX hosts (golden images, Wine prefixes) through the same code path.
notes:
  - The module's logic runs in its action plugin on the controller; the target needs no Python
    on Windows, and only the standard modules are used on it.
  - Services are reported as MAPI reads them. The first section and the first key of a name
    win; a key hidden by an earlier line without C(=) is left out of RV(files[].services[].properties).
  - A file with a UTF-8 byte order mark is read as Windows reads it, as ANSI with three stray
    characters on its first line, so a section header on that line is not seen.
seealso:
  - module: mapi.messaging.mapisvc
    description: Makes the file declare a service exactly as written, with the same parser.
  - module: mapi.messaging.mapisvc_report
    description: Adds up what this module found on every host into one fleet report.
  - name: The profile census
    description: What O(profiles) reads, and who is counted as not inspected and why.
    link: https://github.com/mapi-messaging/mapi.messaging/blob/main/docs/mapisvc_info.md
  - name: The findings of mapisvc_info
    description: What each finding code means and how to fix it.
    link: https://github.com/mapi-messaging/mapi.messaging/blob/main/docs/mapisvc_info.md
  - name: The message_service role
    description: >-
      Its C(detect) entry point finds every MAPISVC.INF copy of a Windows host and reports each
      as this module does.
    link: https://github.com/mapi-messaging/mapi.messaging/blob/main/docs/role-message-service.md
  - module: community.general.ini_file
    description: >-
      Edits one key of an INI file, on targets with Python; it does not read the file as Windows
      does, so a key it finds may be one MAPI never sees.
  - name: File format of MapiSvc.inf
    description: Microsoft's description of the file.
    link: https://learn.microsoft.com/en-us/office/client-developer/outlook/mapi/file-format-of-mapisvc-inf
"""

EXAMPLES = r"""
- name: Read the MAPISVC.INF copies MAPI may use
  mapi.messaging.mapisvc_info:
    path:
      - 'C:\Program Files\Common Files\System\MSMAPI\1033\MAPISVC.INF'
      - 'C:\Program Files (x86)\Common Files\System\MSMAPI\1033\MAPISVC.INF'
      - 'C:\Windows\System32\MAPISVC.INF'
  register: mapisvc

- name: Stop when a copy has errors
  ansible.builtin.assert:
    that: mapisvc.findings_count.error == 0
    fail_msg: "{{ mapisvc.files | map(attribute='findings') | flatten | selectattr('severity', 'eq', 'error') | map(attribute='message') | list }}"

- name: Check that the Contoso connector is registered
  ansible.builtin.assert:
    that: "'CONTOSO' in mapisvc.services"

- name: Which logged-on users have the Contoso connector in their default Outlook profile
  mapi.messaging.mapisvc_info:
    path: 'C:\Program Files\Common Files\System\MSMAPI\1033\MAPISVC.INF'
    profiles: true
  register: census

# Service names compare without case, as MAPI compares them: lowercase both sides.
- name: Show them
  ansible.builtin.debug:
    msg: "{{ item.sid }} has the Contoso connector in the default profile"
  loop: "{{ census.profiles.users }}"
  loop_control:
    label: "{{ item.sid }}"
  when: "'contoso' in item.default_services | map('lower') | list"
"""

RETURN = r"""
files:
  description: One entry per requested path, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The path as given.
      type: str
      sample: 'C:\Program Files\Common Files\System\MSMAPI\1033\MAPISVC.INF'
    exists:
      description: Whether the file exists. A missing file has no services and no findings.
      type: bool
      sample: true
    encoding:
      description:
        - How Windows decodes the file, V(utf-16-le) (byte order mark) or the ANSI code page in
          O(codepage), such as V(cp1252). Null when the file is missing or unreadable.
        - M(mapi.messaging.mapisvc) names a file's encoding the same way.
      type: str
      sample: cp1252
    services:
      description: Every service C([Services]) lists, in file order.
      type: list
      elements: dict
      contains:
        name:
          description: The service's key in C([Services]), also its section name.
          type: str
          sample: MSEMS
        display_name:
          description: The C([Services]) value.
          type: str
          sample: Microsoft Exchange Server
        default:
          description: Whether C([Default Services]) lists the service.
          type: bool
          sample: false
        section_exists:
          description: Whether the service's own section exists.
          type: bool
          sample: true
        properties:
          description: The service section's entries as MAPI reads them, C(Providers) and C(Sections) included.
          type: dict
          sample: {PR_SERVICE_DLL_NAME: emsui.dll, Providers: 'EMS_DSA,EMS_MDB_public'}
        providers:
          description: The sections C(Providers=) names, in order, with their entries.
          type: list
          elements: dict
          sample: [{name: EMS_DSA, exists: true, properties: {PR_PROVIDER_DLL_NAME: EMSABP.DLL}}]
        sections:
          description: The sections C(Sections=) names, in order, with their entries.
          type: list
          elements: dict
          sample: [{name: MSEMS_MSMail_Section, exists: true, properties: {UID: 13DBB0C8AA05101A9BB000AA002FC45A}}]
    findings:
      description: What is wrong with the file, in line order.
      type: list
      elements: dict
      contains:
        severity:
          description: V(error) (MAPI fails or misbehaves, or a credential is exposed) or V(warning).
          type: str
          sample: error
        code:
          description: What kind of problem it is; C(docs/mapisvc_info.md) explains each code.
          type: str
          sample: missing-section
        service:
          description: The service the problem belongs to, or null.
          type: str
          sample: MSEMS
        section:
          description: The section concerned, or null.
          type: str
          sample: MSEMS
        key:
          description: The entry concerned, or null.
          type: str
          sample: Providers
        line:
          description: The line number in the file (the first line is 1), or null.
          type: int
          sample: 29
        message:
          description: One line, what is wrong.
          type: str
          sample: Providers= of [MSEMS] names [EMS_RXP], which the file lacks, so MAPI cannot add the service to a profile
        fix:
          description: One line, how to fix it.
          type: str
          sample: add the [EMS_RXP] section, or remove EMS_RXP from Providers=
services:
  description: Every service name found in any of the files, each once, sorted case-insensitively.
  returned: always
  type: list
  elements: str
  sample: [FABRIKAM, MSEMS, MSPST MS]
findings_count:
  description: How many findings of each severity the files have together.
  returned: always
  type: dict
  sample: {error: 0, warning: 2}
profiles:
  description:
    - The census of the users' Outlook profiles; M(mapi.messaging.message_service_plan) returns the same shape
      with O(mapi.messaging.message_service_plan#module:detect_only=true).
    - Office's version is not detected here, so every version's profile keys are read (16.0, 15.0, then the
      Windows Messaging Subsystem key); a user's profiles are those of all of them, and the default profile is
      the first DefaultProfile, newest location first, that names an existing profile.
  returned: when O(profiles=true)
  type: dict
  contains:
    users:
      description: Every user account (local, domain, Entra ID) once, sorted by SID.
      type: list
      elements: dict
      contains:
        sid:
          description: The account's SID.
          type: str
        inspected:
          description: Whether the user's profiles were read (the hive is loaded and its keys could be read).
          type: bool
        reason:
          description:
            - Why the user was not inspected, null when inspected.
            - The hive is not loaded (the user is not logged on); the probe's error when the user's keys could not
              be read; or, when C(HKEY_USERS) itself could not be listed, that it is not known whether the user is
              logged on, with the probe's error.
          type: str
        profiles:
          description: The names of the user's Outlook profiles.
          type: list
          elements: str
        default_profile:
          description: The default profile, only when a profile of that name exists; else null.
          type: str
        default_services:
          description: The message services (their C([Services]) names, PR_SERVICE_NAME) the default profile holds.
          type: list
          elements: str
    errors:
      description: What kept users from being counted, such as ProfileList that could not be read.
      type: list
      elements: str
  sample:
    users:
      - {sid: S-1-5-21-1004336348-1177238915-682003330-1001, inspected: true, reason: null,
         profiles: [Outlook], default_profile: Outlook, default_services: [MSEMS, CONTOSO]}
      - {sid: S-1-12-1-3545394826-1177282345-2611744406-2393584103, inspected: false,
         reason: "hive not loaded (the user is not logged on); the audit never loads a user's hive",
         profiles: [], default_profile: null, default_services: []}
    errors: []
"""

from ansible.module_utils.basic import AnsibleModule

# Shared with the action plugin, which does the work on the controller.
ARGUMENT_SPEC = dict(
    path=dict(type="raw", required=True),
    codepage=dict(type="str", default="cp1252"),
    profiles=dict(type="bool", default=False),
)


def main():
    # The work is done by the action plugin of the same name on the controller; this file
    # documents the options and only runs if that plugin was bypassed.
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="mapi.messaging.mapisvc_info runs through its action plugin on the controller; "
                         "call it as a task (mapi.messaging.mapisvc_info), not as a raw module")


if __name__ == "__main__":
    main()
