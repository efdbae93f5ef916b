# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The default Outlook profile: the PRF file Outlook imports, and which users get what.

A pure core, no I/O. ``settings`` checks the role's ``message_service_profile`` option, fills
in its defaults and renders the PRF text; ``plan_profile`` decides from the role's single
read which logged-on users get ``ImportPRF`` set now, which are left alone because they
already have an Outlook profile, which are left to Active Setup, and on removal which users'
``ImportPRF`` names our PRF.

The PRF format (an INI file): ``[General]`` with ``Custom=1``, ``ProfileName``,
``DefaultProfile``, ``OverwriteProfile``, ``ModifyDefaultProfileIfPresent``, ``BackupProfile``;
``[Service List]`` with ``ServiceN=<friendly name>``; ``[ServiceN]`` with the values; and a
mapping section named after the friendly name with ``ServiceName=<[Services] key>`` and one
``Key=PT_TYPE,0xNNNN`` line per value (Microsoft Office Resource Kit, "Customizing a PRF
File", 2004; "Customize Outlook profiles by using an Outlook Profile (PRF) file", Office
2007/2010 resource kits, cc179062; KB 308300).

Encoding: the PRF is written as printable ASCII with CRLF and no BOM. Outlook reads PRF files
as INI files; an INI file without a UTF-16LE BOM is read in the ANSI code page of the machine,
which differs between hosts, and a UTF-8 BOM corrupts the first line. ASCII text is the same
bytes in every ANSI code page, so every name and value is restricted to it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Iterable, Optional, Union

from ansible_collections.mapi.messaging.plugins.plugin_utils import ini, windows_paths

if TYPE_CHECKING:
    from ansible_collections.mapi.messaging.plugins.plugin_utils.probe import Probe

PROPERTY_TYPES = ("PT_STRING8", "PT_UNICODE", "PT_LONG", "PT_BOOLEAN")
OVERWRITE = {"NO": "No", "YES": "Yes", "APPEND": "Append"}
# What happens to users who already have an Outlook profile: left alone, or the service added
# to their default profile by a second PRF (docs/default-profile.md, "Existing profiles and new
# profiles: what Outlook does").
EXISTING_PROFILES = ("leave", "add")
# What happens to users without a profile: left to Outlook's own first start (Autodiscover
# builds the mailbox profile), or given a default profile that holds only this service. Leaving
# them is the default: Outlook 2016 and later cannot get an Exchange or Microsoft 365 account
# from a PRF, so a profile made from ours would hold no mailbox.
NEW_PROFILES = ("leave", "create")
# The PRF for existing profiles lies beside the PRF for new ones: <name>-append.prf.
APPEND_PRF_SUFFIX = "-append.prf"

# Names that become INI section names, values and registry key names: letters, digits and
# a few punctuation characters; no brackets, '=', ';', quotes or backslashes.
DISPLAY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._()&+,'-]{0,63}$")
PROPERTY_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
SERVICE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ .-]{0,63}$")
PROPERTY_ID = re.compile(r"^(?:0[xX])?([0-9A-Fa-f]{4})$")
LONG_TEXT = re.compile(r"^(?:0[xX][0-9A-Fa-f]{1,8}|[0-9]{1,10})$")
COMPONENT_ID = re.compile(r"^[A-Za-z0-9{}._-]{1,128}$")
ACTIVE_SETUP_VERSION = re.compile(r"^[0-9]{1,5}(?:,[0-9]{1,5}){0,3}$")
OFFICE_VERSION = re.compile(r"^([0-9]{1,2})\.0$")
WINDOWS_PATH = re.compile(r'^[A-Za-z]:\\[^"\r\n\t<>|?*]*$')
# A user account's SID, the one definition the role, its removal and the plan use. Local and
# domain accounts: S-1-5-21, the account store's 96-bit identifier as three 32-bit numbers, then
# the account's 32-bit RID ([MS-DTYP] 2.4.2 SID). Entra ID (Azure AD) accounts: S-1-12-1 and the
# 128-bit object id as four 32-bit numbers (docs/default-profile.md, "Which accounts are users").
# Well-known service accounts (S-1-5-18/19/20), .DEFAULT and the <SID>_Classes hives are not
# users. SID strings are matched without case, as registry key names are.
_SUB_AUTHORITY = r"-(?:0|[1-9][0-9]{0,9})"
USER_SID = re.compile(r"^S-1-(?:5-21(?:%s){4}|12-1(?:%s){4})\Z" % (_SUB_AUTHORITY, _SUB_AUTHORITY), re.IGNORECASE)

# Keys the mapping section or [ServiceN] already use, so a property cannot take them.
RESERVED_KEYS = ("ServiceName", "UniqueService", "MDBGUID", "SectionGUID", "AccountType")
RESERVED_FOLDED = frozenset(ini.fold(key) for key in RESERVED_KEYS)

PROFILES_KEY = "Software\\Microsoft\\Office\\{version}\\Outlook\\Profiles"
# Outlook before 2013 (15.0) kept profiles here; a user with profiles only here still has
# one as far as this role is concerned.
LEGACY_PROFILES_KEY = "Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"
SETUP_KEY = "Software\\Microsoft\\Office\\{version}\\Outlook\\Setup"
ACTIVE_SETUP_KEY = "SOFTWARE\\Microsoft\\Active Setup\\Installed Components"
SCRIPT_NAME = "message_service_profile.ps1"
# Windows' own Active Setup components spell the system directory this way (REG_EXPAND_SZ).
POWERSHELL = "%SystemRoot%\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"

ASCII_PRINTABLE = re.compile(r"^[\x20-\x7e]*$")


class ProfileError(ValueError):
    """The profile option cannot be turned into a PRF; the message names each field."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def _field(problems, field, value, pattern, what):
    if not isinstance(value, str) or isinstance(value, bool) or not pattern.match(value):
        problems.append("%s: %r is not %s" % (field, value, what))
        return False
    return True


def _text_value(problems, field, value):
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        problems.append("%s: expected a string, got %s %r" % (field, type(value).__name__, value))
        return None
    text = str(value)
    if not ASCII_PRINTABLE.match(text):
        problems.append("%s: %r has characters outside printable ASCII (or a line break); the PRF is "
                        "read in the host's ANSI code page, so only ASCII is safe: use ASCII text" % (field, text))
        return None
    if text != text.strip():
        problems.append("%s: %r starts or ends with blanks, which the INI reader drops; remove them" % (field, text))
        return None
    return text


def _long_value(problems, field, value):
    if isinstance(value, bool):
        problems.append("%s: PT_LONG needs a number, got a boolean; write 0 or 1" % field)
        return None
    if isinstance(value, int):
        if not -0x80000000 <= value <= 0xFFFFFFFF:
            problems.append("%s: %d does not fit in 32 bits" % (field, value))
            return None
        return str(value & 0xFFFFFFFF)
    if isinstance(value, str) and LONG_TEXT.match(value):
        number = int(value, 16) if ini.fold(value).startswith("0X") else int(value)
        if number > 0xFFFFFFFF:
            problems.append("%s: %r does not fit in 32 bits" % (field, value))
            return None
        return value
    problems.append("%s: PT_LONG needs an integer or a decimal/0x-hex string, got %r" % (field, value))
    return None


def _boolean_value(problems, field, value):
    if not isinstance(value, bool):
        problems.append("%s: PT_BOOLEAN needs true or false, got %r" % (field, value))
        return None
    return "TRUE" if value else "FALSE"


def _properties(problems, items):
    if items is None:
        return []
    if not isinstance(items, list):
        problems.append("message_service_profile.properties: expected a list of {name, type, tag, value}, got %r" % (items,))
        return []
    result = []
    seen_names = {}
    seen_ids = {}
    for index, item in enumerate(items):
        where = "message_service_profile.properties[%d]" % index
        if not isinstance(item, dict):
            problems.append("%s: expected a dict with name, type, tag and value, got %r" % (where, item))
            continue
        unknown = sorted(set(item) - {"name", "type", "tag", "value"})
        if unknown:
            problems.append("%s: unknown keys %s; use name, type, tag, value" % (where, ", ".join(unknown)))
        name = item.get("name")
        ptype = item.get("type", "PT_STRING8")
        tag = item.get("tag")
        ok = _field(problems, where + ".name", name, PROPERTY_NAME,
                    "a PRF key name (a letter, then letters, digits or _; at most 64)")
        if ok and ini.fold(name) in RESERVED_FOLDED:
            problems.append("%s.name: %r is used by the PRF format itself; choose another name" % (where, name))
            ok = False
        if ok and ini.fold(name) in seen_names:
            problems.append("%s.name: %r repeats properties[%d] (names compare without case)"
                            % (where, name, seen_names[ini.fold(name)]))
            ok = False
        if ok:
            seen_names[ini.fold(name)] = index
        if ptype not in PROPERTY_TYPES:
            problems.append("%s.type: %r is not one of %s" % (where, ptype, ", ".join(PROPERTY_TYPES)))
            ok = False
        match = PROPERTY_ID.match(tag) if isinstance(tag, str) else None
        if match is None:
            problems.append("%s.tag: %r is not a property id: write 4 hex digits such as '0x6700'" % (where, tag))
            ok = False
        else:
            prop_id = match.group(1).upper()
            if prop_id in seen_ids:
                problems.append("%s.tag: 0x%s repeats properties[%d]" % (where, prop_id, seen_ids[prop_id]))
                ok = False
            seen_ids[prop_id] = index
        if "value" not in item or item["value"] is None:
            problems.append("%s.value: required" % where)
            continue
        if not ok:
            continue
        value = item["value"]
        if ptype == "PT_LONG":
            text = _long_value(problems, where + ".value", value)
        elif ptype == "PT_BOOLEAN":
            text = _boolean_value(problems, where + ".value", value)
        else:
            text = _text_value(problems, where + ".value", value)
        if text is not None:
            result.append({"name": name, "type": ptype, "tag": "0x" + prop_id, "value": text})
    return result


def _overwrite(problems, value):
    # YAML reads an unquoted No/Yes as a boolean: accept both spellings.
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and ini.fold(value) in OVERWRITE:
        return OVERWRITE[ini.fold(value)]
    problems.append("message_service_profile.overwrite: %r is not No, Yes or Append" % (value,))
    return None


def _bool(problems, field, value):
    if not isinstance(value, bool):
        problems.append("%s: expected true or false, got %r" % (field, value))
        return None
    return value


def _path(problems, field, value):
    if not isinstance(value, str) or not WINDOWS_PATH.match(value) or value.endswith("\\"):
        problems.append("%s: %r is not an absolute Windows file path (drive letter, no quotes)" % (field, value))
        return None
    return value


# Where Windows keeps programs when the target was not read (the defaults of ProgramFilesDir).
DEFAULT_PROGRAM_FILES = ("C:\\Program Files", "C:\\Program Files (x86)")


def _protected_location(problems, field, path, extension, target):
    """The PRF and the Active Setup script run (or are read) for every user at logon, so only
    administrators may be able to change them: they must lie in a service folder inside a
    Program Files folder (by default only administrators, SYSTEM and TrustedInstaller may write
    there; ProgramData, Users, Windows\\Temp, other drives' folders and shares let ordinary
    users create or replace files: docs/default-profile.md). Removal deletes the files, so the
    folder must also be one the role may own, and each name must end in its extension."""
    roots = [root for root in (target.get("program_files_dirs") or DEFAULT_PROGRAM_FILES) if isinstance(root, str)]
    folder = windows_paths.folder_of(path)
    problem = (windows_paths.path_problem(path) or windows_paths.file_name_problem(windows_paths.leaf_of(path))
               or windows_paths.install_dir_problem(folder, target))
    if problem is None and not any(windows_paths.inside(folder, root) for root in roots):
        problem = "%r is outside %s, so ordinary users may be able to write there" % (path, " and ".join(roots))
    if problem is None and not ini.fold(path).endswith(ini.fold(extension)):
        problem = "%r does not end in %s" % (path, extension)
    if problem:
        problems.append("%s: %s; it runs for every user at logon, so it must be a %s file in the service's "
                        "folder under Program Files (the default, <install folder>\\%s, when the install "
                        "folder is there)" % (field, problem, extension, "<service>.prf" if extension == ".prf"
                                              else SCRIPT_NAME))
        return None
    return path


def _choice(problems, field, value, choices, default):
    """One of ``choices`` (given exactly, in lower case), ``default`` when not given."""
    if value is None:
        return default
    if isinstance(value, str) and value in choices:
        return value
    problems.append("%s: %r is not one of %s" % (field, value, ", ".join(choices)))
    return None


def append_prf_path(prf_path: str) -> str:
    """Where the PRF for users who already have a profile lies: beside the PRF for new
    profiles, so the same folder rule covers both and removal finds it from ``prf_path``."""
    return prf_path[:-len(".prf")] + APPEND_PRF_SUFFIX


def _join(directory, name):
    return directory.rstrip("\\") + "\\" + name


def _no_variables(problems, field, path, from_install_dir):
    """The paths go into the Active Setup StubPath, a REG_EXPAND_SZ that Windows expands in each
    user's environment at logon: a '%' there would name another file for each user, possibly one
    outside the protected folder, so it is refused (the install folder's too, when the path
    defaults under it)."""
    if not isinstance(path, str) or "%" not in path:
        return path
    if from_install_dir:
        problems.append("message_service_install_dir: %r has a '%%', and %s defaults under it; the Active Setup "
                        "command is expanded in each user's environment at logon, so write the folder out in "
                        "full (C:\\Program Files\\...) or set %s to a path without '%%'" % (path, field, field))
    else:
        problems.append("%s: %r has a '%%'; the Active Setup command is expanded in each user's environment at "
                        "logon, so write the path out in full (C:\\Program Files\\...)" % (field, path))
    return None


def settings(profile: object, service: str, display_name: Optional[str] = None,
             target: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """Check ``profile`` (the role's ``message_service_profile``, ``None`` or ``{}`` for all
    defaults) and return the resolved settings, including the PRF text.

    ``service`` is the ``[Services]`` key (``message_service_name``); ``display_name`` the
    default friendly name; ``target`` the preflight facts (``install_dir``, ``office_version``).
    Raises ``ProfileError`` listing every problem.
    """
    problems = []
    profile = {} if profile is None else profile
    target = target or {}
    if not isinstance(profile, dict):
        raise ProfileError(["message_service_profile: expected a dict (or null), got %r" % (profile,)])
    known = {"name", "friendly_name", "default_profile", "overwrite", "modify_default_profile_if_present",
             "unique_service", "properties", "prf_path", "script_path", "active_setup_id", "active_setup_version",
             "existing_profiles", "new_profiles"}
    unknown = sorted(set(profile) - known)
    if unknown:
        problems.append("message_service_profile: unknown keys %s; known keys are %s"
                        % (", ".join(unknown), ", ".join(sorted(known))))

    _field(problems, "message_service_name", service, SERVICE_NAME,
           "a [Services] key the PRF can name (ASCII letters, digits, _, space, . or -)")
    friendly = profile.get("friendly_name") or display_name or service
    _field(problems, "message_service_profile.friendly_name", friendly, DISPLAY_NAME,
           "a PRF section name (ASCII letters, digits, space and ._()&+,'-; at most 64; "
           "it defaults to message_service_display_name)")
    name = profile.get("name", "Outlook")
    _field(problems, "message_service_profile.name", name, DISPLAY_NAME,
           "an Outlook profile name (ASCII letters, digits, space and ._()&+,'-; at most 64)")
    overwrite = _overwrite(problems, profile.get("overwrite", "No"))
    default_profile = _bool(problems, "message_service_profile.default_profile", profile.get("default_profile", True))
    modify = _bool(problems, "message_service_profile.modify_default_profile_if_present",
                   profile.get("modify_default_profile_if_present", False))
    unique = _bool(problems, "message_service_profile.unique_service", profile.get("unique_service", True))
    props = _properties(problems, profile.get("properties"))
    existing_profiles = _choice(problems, "message_service_profile.existing_profiles",
                                profile.get("existing_profiles"), EXISTING_PROFILES, "leave")
    new_profiles = _choice(problems, "message_service_profile.new_profiles",
                           profile.get("new_profiles"), NEW_PROFILES, "leave")
    if existing_profiles == "add" and unique is False:
        # The PRF for existing profiles is imported again whenever a user's ImportPRF is set
        # again; UniqueService=Yes is what keeps Outlook from adding a second copy each time.
        problems.append("message_service_profile.unique_service: false cannot be combined with "
                        "existing_profiles: add, because every import of the PRF would add the service "
                        "to the user's default profile once more; set unique_service: true (the default)")

    office_version = target.get("office_version") or "16.0"
    version_match = OFFICE_VERSION.match(office_version) if isinstance(office_version, str) else None
    if version_match is None:
        problems.append("message_service_target.office_version: %r is not an Office version such as '16.0'"
                        % (office_version,))
    install_dir = target.get("install_dir")
    prf_path = profile.get("prf_path")
    script_path = profile.get("script_path")
    if (prf_path is None or script_path is None) and not isinstance(install_dir, str):
        problems.append("message_service_target.install_dir: needed for the PRF and script paths; run the "
                        "preflight tasks first or set message_service_profile.prf_path and script_path")
    else:
        if prf_path is None:
            prf_path = _no_variables(problems, "message_service_profile.prf_path",
                                     _join(install_dir, "%s.prf" % service), True)
        else:
            prf_path = _no_variables(problems, "message_service_profile.prf_path", prf_path, False)
        if script_path is None:
            script_path = _no_variables(problems, "message_service_profile.script_path",
                                        _join(install_dir, SCRIPT_NAME), True)
        else:
            script_path = _no_variables(problems, "message_service_profile.script_path", script_path, False)
    if isinstance(prf_path, str) and ini.fold(prf_path).endswith(ini.fold(APPEND_PRF_SUFFIX)):
        # <name>-append.prf is the PRF for existing profiles of the PRF <name>.prf beside it: a
        # service whose PRF had that name would share its file with another service's.
        problems.append("message_service_profile.prf_path: %r ends in %s, the name of the PRF for existing "
                        "profiles that lies beside a PRF; set prf_path to a name that does not end in %s"
                        % (prf_path, APPEND_PRF_SUFFIX, APPEND_PRF_SUFFIX))
        prf_path = None
    prf_path = _path(problems, "message_service_profile.prf_path", prf_path) if prf_path is not None else None
    script_path = _path(problems, "message_service_profile.script_path", script_path) if script_path is not None else None
    if prf_path is not None:
        prf_path = _protected_location(problems, "message_service_profile.prf_path", prf_path, ".prf", target)
    prf_append_path = None
    if prf_path is not None:
        prf_append_path = _protected_location(
            problems, "message_service_profile.prf_path (the PRF for existing profiles, %s, lies beside it)"
            % windows_paths.leaf_of(append_prf_path(prf_path)), append_prf_path(prf_path), ".prf", target)
    if script_path is not None:
        script_path = _protected_location(problems, "message_service_profile.script_path", script_path, ".ps1",
                                          target)

    component = profile.get("active_setup_id") or "mapi.messaging.%s.profile" % service
    _field(problems, "message_service_profile.active_setup_id", component, COMPONENT_ID,
           "an Active Setup component key name (letters, digits, {}._-)")
    as_version = profile.get("active_setup_version", "1")
    if isinstance(as_version, int) and not isinstance(as_version, bool):
        as_version = str(as_version)
    _field(problems, "message_service_profile.active_setup_version", as_version, ACTIVE_SETUP_VERSION,
           "an Active Setup version: up to four numbers separated by commas, such as '1' or '1,0,0,2'")

    if problems:
        raise ProfileError(problems)

    resolved = {
        "name": name,
        "friendly_name": friendly,
        "service": service,
        "default_profile": default_profile,
        "overwrite": overwrite,
        "modify_default_profile_if_present": modify,
        "unique_service": unique,
        "properties": props,
        "prf_path": prf_path,
        "script_path": script_path,
        "office_version": office_version,
        "active_setup_id": component,
        "active_setup_version": as_version,
        "active_setup_key": "HKLM:\\%s\\%s" % (ACTIVE_SETUP_KEY, component),
        "user_active_setup_key": "%s\\%s" % (ACTIVE_SETUP_KEY.replace("SOFTWARE", "Software"), component),
        "profile_keys": profile_keys(office_version),
        "setup_key": SETUP_KEY.format(version=office_version),
        "existing_profiles": existing_profiles,
        "new_profiles": new_profiles,
        # Always named, so that a removal (or a run back to "leave") finds a PRF an earlier
        # run with "add" wrote.
        "prf_append_path": prf_append_path,
    }
    resolved["stub_path"] = stub_path(resolved)
    resolved["prf"] = render_prf(resolved)
    resolved["prf_append"] = render_prf(resolved, existing=True) if existing_profiles == "add" else None
    return resolved


def profile_keys(office_version: str) -> list[str]:
    """Where a user's Outlook profiles live, relative to the user's hive root, newest first."""
    keys = [PROFILES_KEY.format(version=office_version), LEGACY_PROFILES_KEY]
    match = OFFICE_VERSION.match(office_version)
    if match and int(match.group(1)) < 15:
        # Before Outlook 2013 the versioned key did not exist.
        keys = [LEGACY_PROFILES_KEY]
    return keys


def stub_path(resolved: dict[str, Any]) -> str:
    """The Active Setup command: the per-user script with both PRF paths, the Office version,
    the service's name and the two modes, so that it decides at logon as the plan decides
    for logged-on users. Every part is checked by ``settings``: no quote can occur in it."""
    return ('"%s" -NoProfile -NonInteractive -ExecutionPolicy Bypass -WindowStyle Hidden -File "%s" '
            '-PrfPath "%s" -AppendPrfPath "%s" -OfficeVersion %s -ServiceName "%s" -ExistingProfiles %s '
            '-NewProfiles %s'
            % (POWERSHELL, resolved["script_path"], resolved["prf_path"], resolved["prf_append_path"],
               resolved["office_version"], resolved["service"], resolved["existing_profiles"],
               resolved["new_profiles"]))


def render_prf(resolved: dict[str, Any], existing: bool = False) -> str:
    """The PRF text (CRLF line endings, ASCII) for resolved settings.

    ``existing`` False: the PRF for users without a profile, as the settings describe it.
    ``existing`` True: the PRF that adds the service to a user's existing default profile,
    whatever its name (``OverwriteProfile=Append`` with ``ModifyDefaultProfileIfPresent=TRUE``,
    as the Office Customization Tool writes a "modify profile" PRF), with ``BackupProfile=No``
    (no "Backup of" profiles) and ``UniqueService=Yes`` (no second copy of the service when the
    PRF is imported again); docs/default-profile.md gives the sources.
    """
    if existing:
        header = "; Outlook imports it for a user who has a profile: it adds the service to the default profile once."
        general = ["DefaultProfile=Yes", "OverwriteProfile=Append", "ModifyDefaultProfileIfPresent=TRUE"]
        unique = True
    else:
        header = "; Outlook imports it once for a user who has no profile yet; edits here are replaced on the next run."
        general = [
            "DefaultProfile=%s" % ("Yes" if resolved["default_profile"] else "No"),
            "OverwriteProfile=%s" % resolved["overwrite"],
            "ModifyDefaultProfileIfPresent=%s" % ("TRUE" if resolved["modify_default_profile_if_present"] else "FALSE"),
        ]
        unique = resolved["unique_service"]
    lines = [
        "; Outlook profile for the %s message service, written by mapi.messaging.message_service." % resolved["service"],
        header,
        "",
        "[General]",
        "Custom=1",
        "ProfileName=%s" % resolved["name"],
    ]
    lines.extend(general)
    lines.extend([
        # No "Backup of <profile>" copies when the import runs again.
        "BackupProfile=No",
        "",
        "[Service List]",
        "Service1=%s" % resolved["friendly_name"],
        "",
        "[Service1]",
    ])
    if unique:
        lines.append("UniqueService=Yes")
    lines.extend("%s=%s" % (prop["name"], prop["value"]) for prop in resolved["properties"])
    lines.extend(["", "[%s]" % resolved["friendly_name"], "ServiceName=%s" % resolved["service"]])
    lines.extend("%s=%s,%s" % (prop["name"], prop["type"], prop["tag"]) for prop in resolved["properties"])
    return "\r\n".join(lines) + "\r\n"


def user_sid(text: object) -> bool:
    """Whether ``text`` (a ProfileList sub key or a loaded hive name) is a user account's SID:
    local or domain (S-1-5-21-*) or Entra ID (S-1-12-1-*); not a service account, not
    ``.DEFAULT``, not a ``<SID>_Classes`` hive."""
    return isinstance(text, str) and USER_SID.match(text) is not None


def user_sids(sub_keys: Optional[Iterable[str]]) -> list[str]:
    """The user accounts' SIDs (``user_sid``) among registry sub key names, sorted, each once."""
    return sorted({key for key in (sub_keys or []) if user_sid(key)})


def names_our_prf(value: object, prf_path: object) -> bool:
    """Whether an ImportPRF value points at our PRF (Windows paths compare without case,
    and '/' and '\\' are the same separator). ``prf_path`` is one path or several (the PRF
    for new profiles and the one for existing profiles: both are ours)."""
    paths = (prf_path,) if isinstance(prf_path, str) else tuple(prf_path) if isinstance(prf_path, (list, tuple)) else ()
    if not isinstance(value, str):
        return False

    def norm(path: str) -> str:
        return ini.fold(path.strip().strip('"').replace("/", "\\").rstrip("\\"))

    return any(isinstance(path, str) and norm(value) == norm(path) for path in paths)


def our_prfs(resolved: dict[str, Any]) -> list[str]:
    """Both PRFs the role may point ImportPRF at: the one for new profiles and the one for
    existing profiles (named even when ``existing_profiles`` is ``leave``: an earlier run may
    have used it)."""
    return [path for path in (resolved["prf_path"], resolved.get("prf_append_path")) if path]


# --- the plan from the role's single read-only probe ----------------------------------------
#
# The probe (plugins/plugin_utils/probe.py) reads, in one execution that changes nothing, the
# machine keys (ProfileList, the Active Setup component key), every loaded user hive's keys
# named by ``probe_needs`` and the SHA-256 of the PRF and the script. ``plan_profile`` decides
# from that read which writes the profile step needs; every write left out is one the probe
# proved unnecessary. Whatever the probe could not read is written anyway where the write is
# safe to repeat (the module compares again), and never decided for a user.

PROFILE_LIST_KEY = "HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList"
FIRST_RUN_VALUES = ("FirstRun", "First-Run")
IMPORT_PRF = "ImportPRF"
# The values of a user's Setup key the plan reads.
SETUP_NAMES = (IMPORT_PRF,) + FIRST_RUN_VALUES
# The registry types of a value that names a file as the role writes it.
STRING_TYPES = ("REG_SZ", "REG_EXPAND_SZ")
# win_regedit's type names and the registry types the probe reports for them.
REGEDIT_TYPES = {"string": "REG_SZ", "expandstring": "REG_EXPAND_SZ", "dword": "REG_DWORD"}
STATES = ("present", "absent")


def office_versions(office_version: Union[None, str, list[str], tuple[str, ...]]) -> list[str]:
    """The Office versions whose per-user keys the probe reads: the one given (or each of a list),
    or, for ``"auto"`` (or None), every version detection may find, since detection happens in
    the same read."""
    if office_version in (None, "", "auto"):
        return list(windows_paths.OFFICE_VERSIONS)
    if isinstance(office_version, (list, tuple)):
        return list(office_version)
    return [office_version]


def probe_needs(resolved: dict[str, Any], office_version: Union[None, str, list[str], tuple[str, ...]] = "auto") -> dict[str, list[str]]:
    """What the probe must read for the profile step (the probe's ``RegistryKeys``, ``Paths``
    and ``UserKeys``, to be merged with the other steps' needs), besides the census's
    ``ProfileKeys``.

    ``resolved`` is ``settings()``; ``office_version`` is the version whose per-user keys to
    read: ``"auto"`` (or None) before detection, which reads the keys of every Office version
    detection may find, since the probe that detects the version is the same read.
    """
    # The users' profiles themselves come from the census (census.take), read through the
    # probe's ProfileKeys, which the plan action asks for on every run.
    user_keys = [SETUP_KEY.format(version=version) for version in office_versions(office_version)]
    user_keys.append(resolved["user_active_setup_key"])
    # Both PRFs: the one for existing profiles is read with "leave" too, so that a removal
    # finds a file an earlier run with "add" wrote.
    files = our_prfs(resolved) + [resolved["script_path"]]
    return {
        "registry_keys": [resolved["active_setup_key"], PROFILE_LIST_KEY],
        # The folders too: whether each exists decides the folder task.
        "paths": ini.unique(files + [windows_paths.folder_of(path) for path in files]),
        "user_keys": ini.unique(user_keys),
    }


def active_setup_values(resolved: dict[str, Any]) -> list[dict[str, Any]]:
    """The values of the machine's Active Setup component key, as win_regedit items."""
    return [
        # (Default) is what Windows shows while it runs the component at logon.
        {"name": "", "data": "%s default Outlook profile" % resolved["friendly_name"], "type": "string"},
        {"name": "ComponentID", "data": resolved["active_setup_id"], "type": "string"},
        {"name": "StubPath", "data": resolved["stub_path"], "type": "expandstring"},
        {"name": "Version", "data": resolved["active_setup_version"], "type": "string"},
        {"name": "IsInstalled", "data": 1, "type": "dword"},
    ]


def rendered_prf_sha256(resolved: dict[str, Any], which: str = "prf") -> Optional[str]:
    """SHA-256 of a PRF's bytes as win_copy writes them (its text is ASCII, so UTF-8 is ASCII):
    ``which`` ``prf`` (for new profiles) or ``prf_append`` (for existing profiles; None when
    ``existing_profiles`` is ``leave``, as there is no such text then)."""
    text = resolved[which]
    return None if text is None else hashlib.sha256(text.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class KeyReading:
    """One registry key as the probe read it. ``read`` is False when the probe did not read it
    (not asked, or an error): then ``exists``, ``values`` and ``sub_keys`` say nothing."""

    read: bool
    exists: bool = False
    values: dict = field(default_factory=dict)   # ini.fold(value name) -> (REG_ type, data)
    sub_keys: tuple = ()
    error: str = None

    def value(self, name: str) -> Optional[tuple[str, Any]]:
        return self.values.get(ini.fold(name))


@dataclass(frozen=True)
class FileReading:
    """One path as the probe read it; ``read`` False when the probe has no answer for it."""

    read: bool
    exists: bool = False
    directory: bool = False
    sha256: str = None


@dataclass(frozen=True)
class ProfilePlan:
    """The writes of the profile step, each only where the probe showed a difference.

    Install (``state: present``): ``folders`` to create, ``write_prf``, ``write_prf_append``
    (the PRF for existing profiles, only with ``existing_profiles: add``), ``write_script``,
    ``active_setup`` (win_regedit items of the component key that differ), ``import_prf``
    (``{"sid", "prf"}`` items: point that user's ImportPRF at that PRF), ``remove_first_run``
    ([SID, value name] pairs), ``withdraw_import_prf`` (SIDs of users given no PRF whose ImportPRF
    still names one of ours: they stay listed in their group too). Removal (``state: absent``):
    ``remove_active_setup``, ``withdraw_import_prf`` (every user whose ImportPRF names one of
    ours), ``remove_user_marks``, ``remove_files``.
    Report, logged-on users by what was found: ``has_service`` (the default profile holds the
    service: nothing to do), ``keep`` (a default profile without it, left alone with
    ``existing_profiles: leave``), ``no_default_profile`` (profiles but none is the default:
    left alone), ``without_profile`` (no profile, left to Outlook's first start with
    ``new_profiles: leave``), ``foreign_import_prf`` (another tool's ImportPRF: left alone),
    ``unread`` (not decided: the census or the probe could not read them), ``arranged``
    (ImportPRF already names the PRF they need: Outlook imports it at its next first run);
    ``loaded`` (every user the census did not find logged off: each is decided, or in ``unread``
    when its hive could not be read or whether it is logged on is not known),
    ``active_setup_users`` (the users not logged on), ``notes``. ``problems`` stop the step
    before any write.
    """

    state: str
    folders: tuple = ()
    write_prf: bool = False
    write_prf_append: bool = False
    write_script: bool = False
    active_setup: tuple = ()
    import_prf: tuple = ()
    remove_first_run: tuple = ()
    remove_active_setup: bool = False
    withdraw_import_prf: tuple = ()
    remove_user_marks: tuple = ()
    remove_files: tuple = ()
    loaded: tuple = ()
    has_service: tuple = ()
    keep: tuple = ()
    no_default_profile: tuple = ()
    without_profile: tuple = ()
    active_setup_users: tuple = ()
    foreign_import_prf: tuple = ()
    arranged: tuple = ()
    unread: tuple = ()
    notes: tuple = ()
    problems: tuple = ()

    @property
    def changes(self) -> int:
        """How many module executions the plan's writes take (one per loop item)."""
        return (len(self.folders) + self.write_prf + self.write_prf_append + self.write_script
                + len(self.active_setup) + len(self.import_prf) + len(self.remove_first_run)
                + self.remove_active_setup + len(self.withdraw_import_prf) + len(self.remove_user_marks)
                + len(self.remove_files))

    def as_dict(self) -> dict[str, Any]:
        """Plain lists and dicts for Ansible (what the role's tasks loop over)."""
        result = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in ("active_setup", "import_prf"):
                value = [dict(entry) for entry in value]
            elif item.name == "remove_first_run":
                value = [list(pair) for pair in value]
            elif isinstance(value, tuple):
                value = list(value)
            result[item.name] = value
        result["changes"] = self.changes
        return result


def _same_data(reg_type, wanted, current):
    if reg_type == "REG_DWORD":
        return isinstance(current, int) and not isinstance(current, bool) and current == wanted
    return isinstance(current, str) and current == wanted


def _active_setup_writes(resolved, component):
    """The component key's values that differ from what the role writes; all of them when the
    key is missing or could not be read (win_regedit compares again, so a write is safe)."""
    wanted = active_setup_values(resolved)
    if not component.read or not component.exists:
        return tuple(wanted)
    writes = []
    for item in wanted:
        current = component.value(item["name"])
        reg_type = REGEDIT_TYPES[item["type"]]
        if current is None or current[0] != reg_type or not _same_data(reg_type, item["data"], current[1]):
            writes.append(item)
    return tuple(writes)


def _file_is(reading, sha256):
    return (reading.read and reading.exists and not reading.directory and isinstance(sha256, str)
            and isinstance(reading.sha256, str) and reading.sha256.lower() == sha256.lower())


def _missing_folders(resolved, files):
    """Folders of the PRF and the script the probe did not see; a file found in a folder
    proves the folder exists."""
    missing = []
    for folder in ini.unique([windows_paths.folder_of(resolved["prf_path"]),
                              windows_paths.folder_of(resolved["script_path"])]):
        reading = files(folder)
        if reading.read and reading.exists and reading.directory:
            continue
        held = [path for path in (resolved["prf_path"], resolved["script_path"])
                if ini.fold(windows_paths.folder_of(path)) == ini.fold(folder)]
        if any(files(path).read and files(path).exists for path in held):
            continue
        missing.append(folder)
    return tuple(missing)


def _import_prf(setup, ours):
    """What a user's ImportPRF (as the Setup key was read) arranges: ``None`` when nothing (the
    value is missing, or a blank string), the path when it is a string naming one of ``ours``,
    and ``False`` when it is another tool's. Only REG_SZ and REG_EXPAND_SZ name a file the way
    the role writes it; any other type is someone else's and never overwritten or removed."""
    found = setup.value(IMPORT_PRF)
    if found is None:
        return None
    reg_type, data = found
    if reg_type not in STRING_TYPES or not isinstance(data, str):
        return False
    if not data.strip():
        return None
    return data if names_our_prf(data, ours) else False


def _unread_note(sid, readings, what="not decided"):
    errors = sorted({reading.error for reading in readings if reading.error})
    return "user %s %s: the probe could not read %s" % (
        sid, what, "; ".join(errors) if errors else "its keys (not in the probe's result)")


def _wanted_prf(resolved, people):
    """Which of our PRFs a user's ImportPRF should name, from the census of that user
    (``UserProfiles``), or the name of the report group that leaves the user alone.

    A default profile that holds the service needs nothing, ever again. A default profile
    without it gets the PRF for existing profiles only with ``existing_profiles: add``.
    Profiles but no default (or a DefaultProfile naming no profile): what Outlook does with an
    appending PRF there is unverified, so the user is left alone. No profile at all gets the
    PRF for new profiles only with ``new_profiles: create``.
    """
    if people.profiles:
        if not people.default_profile:
            return None, "no_default_profile"
        if ini.fold(resolved["service"]) in {ini.fold(name) for name in people.default_services}:
            return None, "has_service"
        if resolved["existing_profiles"] != "add":
            return None, "keep"
        return resolved["prf_append_path"], None
    if resolved["new_profiles"] != "create":
        return None, "without_profile"
    return resolved["prf_path"], None


def _decide(resolved, state, machine_key, user_key, files, taken, prf_hash, script_hash, append_hash=None):
    """The plan from readings: ``machine_key(path)`` and ``user_key(sid, relative key)`` return
    a ``KeyReading``, ``files(path)`` a ``FileReading``; ``taken`` is the census of the host
    (``census.take``): every user account, the logged-on ones inspected (``UserProfiles``:
    ``inspected``, ``reason``, ``profiles``, ``default_profile``, ``default_services``), the
    others ``logged_off``, and its ``errors`` (users not counted).
    ``append_hash`` is the SHA-256 of the PRF for existing profiles as the role writes it."""
    # Imported here: the census module takes user_sid and profile_keys from this one.
    from ansible_collections.mapi.messaging.plugins.plugin_utils import census  # pylint: disable=import-outside-toplevel

    if state not in STATES:
        raise ProfileError(["message_service_state: %r is not present or absent" % (state,)])
    notes = list(taken.errors)
    problems = []
    loaded = [entry for entry in taken.users if not entry.logged_off]
    others = tuple(entry.sid for entry in taken.users if entry.logged_off)
    component = machine_key(resolved["active_setup_key"])
    setup_key = resolved["setup_key"]
    mark_key = resolved["user_active_setup_key"]
    ours = our_prfs(resolved)
    unread = []

    if state == "absent":
        withdraw, marks, named = [], [], []
        for entry in loaded:
            sid = entry.sid
            setup, mark = user_key(sid, setup_key), user_key(sid, mark_key)
            if not (setup.read and mark.read):
                unread.append(sid)
                notes.append(_unread_note(sid, (setup, mark)))
            arranged = _import_prf(setup, ours) if setup.read else None
            if arranged:
                withdraw.append(sid)
                named.append(arranged)
            if mark.read and mark.exists:
                marks.append(sid)
        remove_files = []
        # With existing_profiles: leave there is no text to compare with: render it as "add" would.
        append_sha256 = hashlib.sha256(render_prf(resolved, existing=True).encode("ascii")).hexdigest()
        for path in ours + [resolved["script_path"]]:
            reading = files(path)
            if reading.read and reading.directory:
                # win_file state=absent deletes a folder with everything in it: never ours to do.
                notes.append("%s is a folder on the host, not the role's file: left as it is" % path)
            elif path == resolved["prf_append_path"] and not (reading.read and not reading.exists):
                # The PRF for existing profiles is deleted only where the role could have written
                # it: its bytes are those the role renders, or a user's ImportPRF names it.
                if _file_is(reading, append_sha256) or names_our_prf(path, named):
                    remove_files.append(path)
                else:
                    notes.append("%s was left as it is: %s" % (path, (
                        "its content is not the PRF the role writes for existing profiles, and no logged-on "
                        "user's ImportPRF names it" if reading.read
                        else "the probe could not read it, so it is not known to be the role's file")))
            elif not reading.read or reading.exists:
                remove_files.append(path)
        return ProfilePlan(
            state=state, remove_active_setup=not (component.read and not component.exists),
            withdraw_import_prf=tuple(withdraw), remove_user_marks=tuple(marks),
            remove_files=tuple(ini.unique(remove_files)), loaded=tuple(entry.sid for entry in loaded),
            active_setup_users=others, unread=tuple(unread), notes=tuple(notes))

    written = ["prf_path", "script_path"] + (["prf_append_path"] if resolved.get("prf_append") is not None else [])
    for field_name in written:
        if files(resolved[field_name]).read and files(resolved[field_name]).directory:
            option = "prf_path" if field_name == "prf_append_path" else field_name
            problems.append("message_service_profile.%s: %s is a folder on the host, so the file cannot be "
                            "written there; set %s to a file path in a folder of its own"
                            % (option, resolved[field_name], option))
    groups = {name: [] for name in ("has_service", "keep", "no_default_profile", "without_profile")}
    imports, first_runs, foreign, arranged, withdraw = [], [], [], [], []
    for people in loaded:
        sid = people.sid
        if not people.inspected:
            unread.append(sid)
            notes.append("user %s not decided: %s" % (sid, people.reason or "its profiles could not be read"))
            continue
        wanted, group = _wanted_prf(resolved, people)
        setup = user_key(sid, setup_key)
        if wanted is None:
            groups[group].append(sid)
            # An ImportPRF of ours that an earlier run set (with another mode, or before the
            # user's profiles changed) would still make Outlook import that PRF: withdrawn. An
            # unread Setup key is noted, never guessed.
            if not setup.read:
                notes.append(_unread_note(sid, [setup], "left alone, but whether its ImportPRF names one of the "
                                                        "role's PRFs is not known"))
            elif _import_prf(setup, ours):
                withdraw.append(sid)
            continue
        if not setup.read:
            unread.append(sid)
            notes.append(_unread_note(sid, [setup]))
            continue
        import_prf = _import_prf(setup, ours)
        if import_prf is False:
            # Another tool arranged this user's next Outlook start: its value stays.
            foreign.append(sid)
            continue
        # Missing, blank, or naming our other PRF (the user gained or lost a profile since): ours to set.
        if import_prf is None or not names_our_prf(import_prf, wanted):
            imports.append({"sid": sid, "prf": wanted})
        else:
            arranged.append(sid)
        first_runs.extend((sid, name) for name in FIRST_RUN_VALUES if setup.value(name) is not None)
    append_written = resolved.get("prf_append") is not None
    return ProfilePlan(
        state=state, folders=_missing_folders(resolved, files),
        write_prf=not _file_is(files(resolved["prf_path"]), prf_hash),
        write_prf_append=append_written and not _file_is(files(resolved["prf_append_path"]), append_hash),
        write_script=not _file_is(files(resolved["script_path"]), script_hash),
        active_setup=_active_setup_writes(resolved, component),
        import_prf=tuple(imports), remove_first_run=tuple(first_runs), withdraw_import_prf=tuple(withdraw),
        loaded=tuple(entry.sid for entry in loaded),
        active_setup_users=others, foreign_import_prf=tuple(foreign), arranged=tuple(arranged),
        unread=tuple(unread), notes=tuple(notes), problems=tuple(problems),
        **{name: tuple(sids) for name, sids in groups.items()})


def _reading(registry, path, names):
    """A ``KeyReading`` of ``path`` from a probe ``Registry`` (the values in ``names`` only)."""
    error = registry.error(path)
    if error:
        return KeyReading(read=False, error=error)
    if not registry.exists(path):
        return KeyReading(read=True, exists=False)
    values = {}
    for name in names:
        data = registry.value(path, name)
        if data is not None:
            values[ini.fold(name)] = (registry.type(path, name), data)
    return KeyReading(read=True, exists=True, values=values, sub_keys=tuple(registry.sub_keys(path)))


def plan_profile(resolved: dict[str, Any], probed: Probe, prf_sha256: Optional[str] = None,
                 script_sha256: Optional[str] = None, state: str = "present",
                 created_folders: Iterable[str] = ()) -> ProfilePlan:
    """The profile step's ``ProfilePlan`` from one probe (``probe.Probe``) of the host.

    ``resolved`` is ``settings()`` for the detected Office version; ``prf_sha256`` the SHA-256
    of the PRF (None: ``rendered_prf_sha256(resolved)``); ``script_sha256`` the SHA-256 of the
    role's ``files/message_service_profile.ps1`` on the controller (None: unknown, so the script
    is written); ``state`` ``present`` or ``absent``; ``created_folders`` the folders the
    run creates before the profile step (the install folder). The probe must have read
    ``probe_needs(resolved)``; what it did not read is never taken as proof of anything.
    Logged-on users are decided from the census of their profiles (``census.take``): whether
    they have profiles, which is the default and which services it holds.
    """
    registry = probed.registry
    users = probed.users
    component_names = tuple(item["name"] for item in active_setup_values(resolved))

    def machine_key(path: str) -> KeyReading:
        names = component_names if ini.fold(path) == ini.fold(resolved["active_setup_key"]) else ()
        return _reading(registry, path, names)

    def user_key(sid: str, relative: str) -> KeyReading:
        found = users.key(sid, relative)
        if found is None:
            return KeyReading(read=False)
        if found.error:
            return KeyReading(read=False, error=found.error)
        return _reading(found.values, found.key, SETUP_NAMES)

    def files(path: str) -> FileReading:
        found = probed.path(path)
        if found is None or found.error:
            return FileReading(read=False)
        return FileReading(read=True, exists=found.exists, directory=found.directory, sha256=found.sha256)

    # Imported here: the census module takes user_sid and profile_keys from this one.
    from ansible_collections.mapi.messaging.plugins.plugin_utils import census  # pylint: disable=import-outside-toplevel

    taken = census.take(probed, [resolved["office_version"]])
    # The probe's own errors reach the run through the plan action; the census's (users who
    # could not be counted) are this step's notes.
    taken = dataclasses.replace(taken, errors=tuple(error for error in taken.errors if error not in probed.errors))
    decided = _decide(resolved, state, machine_key, user_key, files, taken,
                      rendered_prf_sha256(resolved) if prf_sha256 is None else prf_sha256, script_sha256,
                      append_hash=rendered_prf_sha256(resolved, "prf_append"))
    # A folder an earlier step of the same run creates (the install folder) needs no task here.
    created = {ini.fold(folder) for folder in created_folders}
    return dataclasses.replace(decided, folders=tuple(
        folder for folder in decided.folders if ini.fold(folder) not in created))
