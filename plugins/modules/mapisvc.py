#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: mapisvc
short_description: Make MAPISVC.INF declare a MAPI message service exactly as written
version_added: 0.1.0
description:
  - Declares a whole MAPI message service (its C([Services]) entry, its service section,
    its provider sections and linked sections, and their properties) and makes a
    C(MAPISVC.INF) file say exactly that, touching nothing else.
  - The file is read the way Windows reads it through C(GetPrivateProfileString). Names match
    case-insensitively, blanks around names and values are ignored, one pair of outer quotes
    is stripped, C(;) starts a comment only at the start of a line, and the first section and
    first key of a name win. Later duplicate sections are invisible to MAPI; the module edits
    the first one and warns about the rest.
  - Values are compared by meaning, not spelling, flag lists as sets (C(A|B) equals C(B | A)),
    comma lists item by item after trimming, hex values and tags case-insensitively. A file
    that already says the same thing in another spelling is left byte-for-byte alone.
  - The declaration may write only what its service owns. A provider, linked or service
    section named like one of MAPISVC.INF's own sections, like another service's section, or
    like a section another service lists (and this one does not) is refused before any edit,
    with C(state=absent) too.
  - Values that look like credentials are shown as C(********) in RV(changes) and in the diff.
  - Comments, blank lines, order, casing, unrelated sections, the line ending style and the
    encoding (ANSI code page, or UTF-16LE with byte order mark) are preserved. New keys go after
    the last key of their section and new sections at the end of the file, as C(key=value).
    A file with no change is never written.
  - The work happens on the controller. The target is read with one module execution (so a run that
    changes nothing costs one module execution) and, only when the content changes, written
    back whole or not at all. On Windows one C(ansible.windows.win_powershell) call checks that
    the file still has the content that was read, writes a temporary file in the same folder
    and swaps it in with C(File.Replace), keeping a backup until the new file is verified. On
    POSIX targets one execution of M(mapi.messaging.mapisvc_file) reads, and one compares and
    renames a temporary file over the target while it holds a lock.
    If the file changed in between, it is read again and the declaration re-applied (up to ten
    attempts, after a short random wait), never silently overwritten.
  - Bad input fails before anything is written, with every problem listed by its field and
    the fix. That includes property names that are neither identifiers nor 8-hex-digit tags,
    values with line breaks or NUL, section names with C(]), C(,) or C(=), duplicate provider
    names, integers for tags that are not C(PT_LONG), DLL names that already carry the C(32)
    suffix MAPI adds, C(PR_SERVICE_UID), characters the file's encoding cannot hold, a UTF-8 byte
    order mark (which hides the first section from Windows), and values that look like
    passwords or other credentials.
  - MAPI copies MAPISVC.INF into a profile only when the service is added to that profile;
    editing the file does not change existing profiles.
author:
  - mapi.messaging maintainers (@mapi-messaging)
options:
  path:
    description:
      - Full path of the C(MAPISVC.INF) file on the target.
      - For Office 2002-2010 MSI installs it is next to C(msmapi32.dll) in
        C(<Common Files>\System\MSMAPI\<LCID>\) (C(Program Files (x86)) for 32-bit Office on
        64-bit Windows). Other copies can exist (system directory, Click-to-Run virtual file
        system); update every copy MAPI may read.
    type: str
    required: true
    aliases: [dest]
  service:
    description:
      - The service's key in C([Services]), which is also its section name and the name
        C(CreateMsgService) takes.
      - Required unless O(src) is given.
    type: str
  display_name:
    description:
      - The C([Services]) value shown to users. Required with O(state=present) unless O(src)
        is given.
    type: str
  default_service:
    description:
      - V(true) lists the service in C([Default Services]) (added to profiles created with
        C(MAPI_DEFAULT_SERVICES)), V(false) removes it from there; omitted leaves it as it is.
    type: bool
  help_file:
    description:
      - Path of the service's help file, written to C([Help File Mappings]). Omitted leaves it
        as it is.
    type: str
  properties:
    description:
      - Entries of the service section, property name or 8-hex-digit tag to value.
      - Strings are written as given. Lists are written as comma lists, or as C(A | B) for
        flag properties (C(PR_RESOURCE_FLAGS), C(PR_RESOURCE_TYPE)). An integer is only
        accepted for C(PT_LONG) tags (type C(0003)) and written as its four bytes
        little-endian in hex, so C(3) becomes C(03000000).
      - C(PR_SERVICE_DLL_NAME) and C(PR_PROVIDER_DLL_NAME) take the DLL name without the
        C(32) suffix (MAPI inserts it before the first period), or a full path with no other
        period.
      - C(Providers) and C(Sections) come from O(providers) and O(sections).
    type: dict
  providers:
    description:
      - Provider sections, in order. Their names become the service's C(Providers=) entry.
      - Omitted leaves C(Providers=) and the provider sections as they are.
      - A provider the service no longer has is declared with O(providers[].state=absent).
        It is left out of C(Providers=) and its section is removed, in this run or any later
        one (unless another service references it).
    type: list
    elements: dict
    suboptions:
      name:
        description: Section name of the provider.
        type: str
        required: true
      properties:
        description:
          - Entries of the provider section, as in O(properties).
          - C(PR_PROVIDER_DLL_NAME) is required with O(state=present) and
            O(providers[].state=present). It is the provider's DLL name or full path, without the
            C(32) MAPI adds. MAPI cannot load a provider without it, so a provider lacking it is refused
            before any change, naming the field; so is a provider section of an O(src) fragment.
            M(mapi.messaging.mapisvc_info) reports such a section as an error.
        type: dict
        default: {}
      state:
        description:
          - V(absent) retires the provider, as described above; it takes no O(providers[].properties).
        type: str
        choices: [present, absent]
        default: present
  sections:
    description:
      - Linked sections (often holding a C(UID=)), in order. Their names become the service's
        C(Sections=) entry. Omitted leaves C(Sections=) as it is.
      - O(sections[].state=absent) retires a linked section as O(providers[].state) does.
    type: list
    elements: dict
    suboptions:
      name:
        description: Section name.
        type: str
        required: true
      properties:
        description: Entries of the section, as in O(properties).
        type: dict
        default: {}
      state:
        description: V(absent) removes the section and leaves it out of C(Sections=).
        type: str
        choices: [present, absent]
        default: present
  src:
    description:
      - A vendor's MAPISVC.INF fragment on the controller (what C(mergeini -m) merged), searched
        in the C(files/) folders like other C(src) options.
      - Every service its C([Services]) section lists is made present (or absent with
        O(state=absent)) with its service section, the sections its C(Providers=) and
        C(Sections=) name, its C([Default Services]) entry if the fragment has one, and its
        C([Help File Mappings]) entry if the fragment has one.
      - Mutually exclusive with O(service) and the options that describe a service.
    type: path
  purge:
    description:
      - With V(true), keys in the service, provider and linked sections that are not declared
        are removed, and provider and linked sections the service no longer lists are removed
        (unless another service references them).
      - C([Services]), C([Default Services]) and C([Help File Mappings]) are never purged, and
        neither are keys of a section another service also lists (a warning names it).
    type: bool
    default: false
  backup:
    description:
      - Keep a copy of the previous file on the target when it is changed; its path is
        returned as RV(backup_file).
    type: bool
    default: false
  create:
    description:
      - Create the file if it does not exist (its folder must exist). Without it a missing
        file is an error, because writing to the wrong path is the most common mistake.
    type: bool
    default: false
  state:
    description:
      - V(present) makes the file declare the service.
      - V(absent) removes the service's entries from C([Services]), C([Default Services]) and
        C([Help File Mappings]), its service section, and the provider and linked sections it
        lists (or that are declared), except sections another service still references.
        A missing file is fine.
    type: str
    choices: [present, absent]
    default: present
  allow_secrets:
    description:
      - MAPISVC.INF is readable by every user, and MAPI's documentation says credentials never
        belong in it. Property names or values that look like passwords, secrets, tokens or
        API keys are refused unless this is V(true).
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
    details: Reports what would change, without writing.
  diff_mode:
    support: full
    details: Shows the file before and after, with values that look like credentials masked.
  platform:
    support: full
    platforms: [windows, posix]
    details: Windows workstations; POSIX hosts (golden images, Wine prefixes) through the same code path.
notes:
  - The module's logic runs in its action plugin on the controller; the target needs no Python
    on Windows, and only the standard C(ansible.windows) modules are used on it (POSIX targets
    run the collection's M(mapi.messaging.mapisvc_file)).
  - Nothing here changes existing MAPI profiles, which keep the copy MAPI made when the
    service was added to them.
seealso:
  - module: mapi.messaging.mapisvc_info
    description: Reports the services the file declares and what is wrong with it, changing nothing.
  - name: The message_service role
    description: >-
      Installs a message service whole (files, registry values, the default profile) and runs
      this module for each MAPISVC.INF copy that would change; C(ansible-doc -t role
      mapi.messaging.message_service) shows its variables.
    link: https://github.com/mapi-messaging/mapi.messaging/blob/main/docs/role-message-service.md
  - name: The mapisvc module guide
    description: How the module reads and edits the file, with examples.
    link: https://github.com/mapi-messaging/mapi.messaging/blob/main/docs/mapisvc.md
  - module: community.general.ini_file
    description: >-
      Edits one key of an INI file, on targets with Python. It reads only UTF-8, not the file as
      Windows does, and does not know which sections a service owns, so it is no substitute for
      this module on MAPISVC.INF.
  - module: ansible.windows.win_regedit
    description: >-
      Sets the registry values a message service needs besides its MAPISVC.INF entries, as the
      role does.
  - name: File format of MapiSvc.inf
    description: Microsoft's description of the file.
    link: https://learn.microsoft.com/en-us/office/client-developer/outlook/mapi/file-format-of-mapisvc-inf
"""

EXAMPLES = r"""
- name: Register the Contoso connector
  mapi.messaging.mapisvc:
    path: 'C:\Program Files\Common Files\System\MSMAPI\1033\MAPISVC.INF'
    service: CONTOSO
    display_name: Contoso Connector
    default_service: true
    properties:
      PR_SERVICE_DLL_NAME: 'C:\Program Files\Contoso\contoso.dll'
      PR_SERVICE_ENTRY_NAME: ServiceEntry
      PR_RESOURCE_FLAGS: [SERVICE_SINGLE_COPY, SERVICE_NO_PRIMARY_IDENTITY]
      PR_SERVICE_SUPPORT_FILES: [contoso.dll, contosoui.dll]
      '66040003': 3
    providers:
      - name: CONTOSO_AB
        properties:
          PR_RESOURCE_TYPE: MAPI_AB_PROVIDER
          PR_PROVIDER_DLL_NAME: 'C:\Program Files\Contoso\contoso.dll'
          PR_PROVIDER_DISPLAY: Contoso Directory
    sections:
      - name: CONTOSO_Profile
        properties:
          UID: 13DBB0C8AA05101A9BB000AA002FC45A
    backup: true

- name: Merge a vendor's MAPISVC.INF fragment (what mergeini -m did)
  mapi.messaging.mapisvc:
    path: 'C:\Program Files (x86)\Common Files\System\MSMAPI\1033\MAPISVC.INF'
    src: files/contoso-mapisvc.inf

- name: Keep the service exactly as declared, dropping keys nobody declared
  mapi.messaging.mapisvc:
    path: 'C:\Program Files\Common Files\System\MSMAPI\1033\MAPISVC.INF'
    service: CONTOSO
    display_name: Contoso Connector
    properties:
      PR_SERVICE_DLL_NAME: 'C:\Program Files\Contoso\contoso.dll'
    providers:
      - name: CONTOSO_AB
        properties:
          PR_RESOURCE_TYPE: MAPI_AB_PROVIDER
          PR_PROVIDER_DLL_NAME: 'C:\Program Files\Contoso\contoso.dll'
    purge: true

- name: Remove the service, leaving other vendors' services alone
  mapi.messaging.mapisvc:
    path: 'C:\Program Files\Common Files\System\MSMAPI\1033\MAPISVC.INF'
    service: CONTOSO
    state: absent
    backup: true
"""

RETURN = r"""
changes:
  description:
    - Every edit made (or, in check mode, that would be made), in order. O(state=absent)
      and O(purge) may list section removals.
    - RV(changes[].key) is null for a section added or removed; RV(changes[].before) and
      RV(changes[].after) then hold that section's entries as a dictionary (null when absent).
  returned: always
  type: list
  elements: dict
  contains:
    section:
      description: Section name.
      type: str
      sample: CONTOSO
    key:
      description: Key name, or null for a whole section.
      type: str
      sample: PR_SERVICE_DLL_NAME
    before:
      description: Value as Windows read it before, null if it was missing.
      type: raw
      sample: contoso.dll
    after:
      description: Value written, null if removed.
      type: raw
      sample: 'C:\Program Files\Contoso\contoso.dll'
  sample:
    - section: Services
      key: CONTOSO
      before: null
      after: Contoso Connector
backup_file:
  description: Path of the backup kept on the target.
  returned: changed and O(backup=true)
  type: str
  sample: 'C:\Program Files\Common Files\System\MSMAPI\1033\MAPISVC.INF.4242.2026-11-21@10-00-00~'
path:
  description: The file that was checked.
  returned: always
  type: str
  sample: 'C:\Program Files\Common Files\System\MSMAPI\1033\MAPISVC.INF'
encoding:
  description:
    - The file's encoding, V(utf-16-le) (byte order mark) or the ANSI code page in O(codepage),
      such as V(cp1252).
    - M(mapi.messaging.mapisvc_info) names a file's encoding the same way.
  returned: always
  type: str
  sample: cp1252
msg:
  description: A one-line summary.
  returned: always
  type: str
  sample: changed 14 entries and 3 sections
problems:
  description: Every problem found in the declaration, each naming its field and the fix.
  returned: failed because of the declaration
  type: list
  elements: str
  sample:
    - "properties.PR_SERVICE_DLL_NAME: 'contoso32.dll' already ends in '32', and MAPI adds '32' itself"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mapi.messaging.plugins.module_utils.mapisvc_spec import (
    ARGUMENT_SPEC, MUTUALLY_EXCLUSIVE, REQUIRED_ONE_OF)


def main():
    # The work is done by the action plugin of the same name on the controller; this file
    # documents the options and only runs if that plugin was bypassed.
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE,
                           required_one_of=REQUIRED_ONE_OF, supports_check_mode=True)
    module.fail_json(msg="mapi.messaging.mapisvc runs through its action plugin on the controller; "
                         "call it as a task (mapi.messaging.mapisvc), not as a raw module")


if __name__ == "__main__":
    main()
