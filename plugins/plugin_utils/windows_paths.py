# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Windows paths and registry keys: where Windows and Office keep what the role reads, and
which paths and keys the role may touch.

- Where things are: the registry keys detection reads (``host.py``), the Windows Messaging
  Subsystem values, MAPISVC.INF and MSMAPI32.DLL, and small Windows path helpers (``join``,
  ``folder_of``, ``leaf_of``).
- What the role may touch (``file_name_problem``, ``path_problem``, ``install_dir_problem``,
  ``inside``, ``registry_path_problem``): every file it deletes is a plain file name inside its
  own install folder, every registry path it writes or deletes is the vendor's own key under
  ``HKLM:\\SOFTWARE``. ``service_plan.py`` applies them once, before any change; ``profile.py``
  uses the same path helpers for the PRF and the Active Setup script.

Paths and names compare with Windows' case rule, ``ini.fold``. Sources: the project's domain
notes (sections 1, 3, 5, 6), Microsoft's "Supporting Message Service Installation", "File format
of MapiSvc.inf" and "Naming Files, Paths, and Namespaces".
"""

from __future__ import annotations

import re
from typing import Any, Optional

from ansible_collections.mapi.messaging.plugins.plugin_utils import ini, properties

SOFTWARE = "HKLM:\\SOFTWARE"
WOW = "HKLM:\\SOFTWARE\\WOW6432Node"
MESSAGING = "Microsoft\\Windows Messaging Subsystem"
OFFICE_VERSIONS = ("16.0", "15.0", "14.0")
C2R_CONFIGURATION = SOFTWARE + "\\Microsoft\\Office\\ClickToRun\\Configuration"
OUTLOOK_CLIENT = "Clients\\Mail\\Microsoft Outlook"
CURRENT_VERSION = SOFTWARE + "\\Microsoft\\Windows\\CurrentVersion"
NT_CURRENT_VERSION = SOFTWARE + "\\Microsoft\\Windows NT\\CurrentVersion"
ENVIRONMENT = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment"

# The values Office writes under Windows Messaging Subsystem (domain notes, section 6).
MESSAGING_SUBSYSTEM_VALUES = (
    ("MAPI", "1"), ("MAPIX", "1"), ("MAPIXVER", "1.0.0.1"), ("CMC", "1"),
    ("CMCDLLNAME32", "mapi32.dll"), ("OLEMessaging", "1"))

MAPISVC = "MAPISVC.INF"
MSMAPI_DLL = "MSMAPI32.DLL"
BITNESS = {"x64": "x64", "amd64": "x64", "arm64": "x64", "ia64": "x64", "x86": "x86", "i386": "x86"}
# Installed DLL names carry "32" before the first period; MAPI inserts it itself.
SUFFIXED = re.compile(r"^(?P<stem>[^.]*?)32(?P<rest>\..*)$", re.IGNORECASE)


def join(*parts: str) -> str:
    """Windows path join: one backslash between parts, none doubled."""
    parts = [part for part in parts if part]
    if not parts:
        return ""
    head = parts[0].rstrip("\\")
    for part in parts[1:]:
        head += "\\" + part.strip("\\")
    return head


def folder_of(path: str) -> str:
    return path.rstrip("\\").rsplit("\\", 1)[0]


def leaf_of(path: str) -> str:
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1]


def registered_name(installed: str) -> str:
    """The name MAPI is given for an installed DLL: ``contoso32.dll`` -> ``contoso.dll``
    (MAPI inserts "32" before the first period itself). Other names stay as they are."""
    match = SUFFIXED.match(installed)
    if match and installed.lower().endswith(".dll"):
        return match.group("stem") + match.group("rest")
    return installed


def default_install_dir(target: dict[str, Any], service: Optional[str]) -> str:
    return join(target.get("program_files") or "C:\\Program Files", service or "")


# --- What the role may touch ---------------------------------------------------------------
# Windows' naming rules ("Naming Files, Paths, and Namespaces", Microsoft Learn): reserved
# characters < > : " / \ | ? * and codes 0-31; device names CON, PRN, AUX, NUL, COM0-9, LPT0-9
# (also with an extension, and the superscript digits); Win32 strips a trailing period or space.
RESERVED_CHARACTERS = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
DEVICE_NAME = re.compile(r"^(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9\u00b9\u00b2\u00b3]|LPT[0-9\u00b9\u00b2\u00b3])"
                         r"(\..*)?$", re.IGNORECASE)
DRIVE_PATH = re.compile(r"^[A-Za-z]:\\")
# Folders that hold Windows, other programs or users' data, relative to a drive root. The
# install folder may be none of these, nor inside the ones marked True (a folder inside
# Windows, Users or ProgramData is Windows' or writable by ordinary users; inside Office's,
# the Store's or Microsoft's shared component folders it is Microsoft's).
SHARED_FOLDERS = {
    "windows": True, "users": True, "programdata": True, "$recycle.bin": True,
    "system volume information": True, "recovery": True, "perflogs": True, "temp": True,
    "program files": False, "program files (x86)": False,
    "program files\\common files": False, "program files (x86)\\common files": False,
    "program files\\common files\\system": True, "program files (x86)\\common files\\system": True,
    "program files\\common files\\microsoft shared": True,
    "program files (x86)\\common files\\microsoft shared": True,
    "program files\\microsoft office": True, "program files (x86)\\microsoft office": True,
    "program files\\windowsapps": True, "program files\\windows nt": True,
    "program files (x86)\\windows nt": True,
}


# The "~n" of a short (8.3) file name, as Windows generates them (PROGRA~1, COMMON~1).
SHORT_NAME = re.compile(r"~[0-9]")


def file_name_problem(name: object) -> Optional[str]:
    """Why ``name`` is not a plain file name (one name, no folder, drive or wildcard), else None."""
    if not isinstance(name, str) or not name.strip():
        return "%s is not a file name" % properties.shown(name)
    if name in (".", ".."):
        return "%s names a folder, not a file" % properties.shown(name)
    if RESERVED_CHARACTERS.search(name):
        return ("%s is not a plain file name: it has a folder separator, a drive, a wildcard or a "
                "control character (one of < > : \" / \\ | ? * or codes 0-31)" % properties.shown(name))
    if name[-1] in ". ":
        return "%s ends with a period or a space, which Windows strips" % properties.shown(name)
    if DEVICE_NAME.match(name):
        return "%s is a Windows device name (CON, PRN, AUX, NUL, COMn, LPTn)" % properties.shown(name)
    if SHORT_NAME.search(name):
        return ("%s looks like a short (8.3) name, which may stand for another file; give the long "
                "name" % properties.shown(name))
    return None


def path_parts(path: object) -> Optional[tuple[str, list[str]]]:
    """``C:\\A\\B`` -> ("C:", ["A", "B"]), or None when ``path`` is not an absolute drive path
    (a share, ``\\\\?\\``, a relative path). Empty parts (a doubled or trailing backslash) are
    dropped, as Windows drops them; ``.`` and ``..`` stay, for the callers to refuse."""
    if not isinstance(path, str) or not DRIVE_PATH.match(path):
        return None
    return path[:2].upper(), [part for part in re.split(r"[\\/]", path[3:]) if part]


def normalized(path: object) -> Optional[str]:
    """The comparable form of an absolute drive path (case folded, one backslash), or None
    when it is not one or has ``.``/``..`` parts."""
    parts = path_parts(path)
    if parts is None or any(part in (".", "..") for part in parts[1]):
        return None
    return ini.fold("\\".join([parts[0]] + parts[1]))


def inside(path: object, folder: object) -> bool:
    """Whether ``path`` lies strictly below ``folder`` (both absolute drive paths without
    ``.``/``..`` parts; compared like Windows, without case)."""
    path, folder = normalized(path), normalized(folder)
    return bool(path and folder) and path.startswith(folder.rstrip("\\") + "\\")


def path_problem(path: object) -> Optional[str]:
    """Why ``path`` is not an absolute local path the role can reason about, else None."""
    parts = path_parts(path)
    if parts is None:
        return ("%s is not an absolute path on a local drive (a share or relative path is refused: MAPI "
                "loads service files from a local drive)" % properties.shown(path))
    for part in parts[1]:
        if part in (".", ".."):
            return "%s has a %r part; give the path without . or .. parts" % (properties.shown(path), part)
        if RESERVED_CHARACTERS.search(part):
            return "%s has a wildcard, quote or control character" % properties.shown(path)
        # Windows drops a trailing period or space from every part ("C:\Windows.\" is
        # C:\Windows), so such a part would slip past the comparisons with protected folders.
        if part[-1] in ". ":
            return ("%s has the part %r, which ends in a period or a space that Windows strips; give the "
                    "path without them" % (properties.shown(path), part))
        # A short (8.3) name such as PROGRA~1 names a folder the controller cannot resolve.
        if SHORT_NAME.search(part):
            return ("%s has the short (8.3) name %r, which may stand for any folder; give the long "
                    "path" % (properties.shown(path), part))
    return None


def install_dir_problem(install_dir: object, target: dict[str, Any]) -> Optional[str]:
    """Why ``install_dir`` cannot be the role's install folder, else None. Removal deletes the
    files named there, so the folder must be the service's own, never a folder of Windows, of
    other programs or of users."""
    problem = path_problem(install_dir)
    if problem:
        return problem
    drive, parts = path_parts(install_dir)
    if not parts:
        return "%s is a drive root" % properties.shown(install_dir)
    relative = ini.fold("\\".join(parts))
    known = {ini.fold(folder) for folder in (target.get("program_files_dirs") or [])
             + [target.get("program_files"), target.get("common_files"), target.get("system_root"),
                target.get("system_dir")] if isinstance(folder, str)}
    folded = ini.fold(drive + "\\" + relative)
    for shared, below in SHARED_FOLDERS.items():
        folded_shared = ini.fold(shared)
        if relative == folded_shared or (below and relative.startswith(folded_shared + "\\")):
            return "%s is (or is inside) %s\\%s, a folder of Windows, of other programs or of users" % (
                properties.shown(install_dir), drive, shared.title())
    system_root = target.get("system_root")
    if folded in known or (isinstance(system_root, str) and inside(install_dir, system_root)):
        return "%s is a folder of Windows or of other programs" % properties.shown(install_dir)
    return None


# Keys directly under HKLM\SOFTWARE that are shared by many programs, so no one vendor's key:
# Microsoft (Windows and Office: Windows Messaging Subsystem, Active Setup, Run keys), Classes
# (COM classes and file types of every program, HKCR), Policies (Group Policy owns it and
# rewrites it), WOW6432Node (the 32-bit view's root: the vendor key is one level deeper),
# Clients (every mail and browser client's registration, Outlook's MAPI entry among them),
# RegisteredApplications (Default Programs), ODBC (the shared driver manager).
SHARED_SOFTWARE_KEYS = frozenset(ini.fold(key) for key in (
    "Microsoft", "Classes", "Policies", "WOW6432Node", "Clients", "RegisteredApplications", "ODBC"))
REGISTRY_FORBIDDEN = re.compile(r"[\x00-\x1f/*?\[\]]")


def registry_path_problem(path: object, whole_key: bool = False) -> Optional[str]:
    """Why the role may not write (or, with ``whole_key``, delete) the registry key ``path``,
    else None. One rule: ``HKLM:\\SOFTWARE\\<Vendor>`` or deeper (in either registry view),
    and one level deeper still to delete a whole key."""
    if not isinstance(path, str) or not path:
        return "%s is not a registry path; give e.g. HKLM:\\SOFTWARE\\Contoso\\Connector" % properties.shown(path)
    hive, sep, rest = path.partition(":\\")
    hive = hive.upper()
    if not sep or hive not in ("HKLM", "HKCU", "HKU", "HKCR", "HKCC"):
        return ("%s must start with HKLM:\\ (e.g. HKLM:\\SOFTWARE\\Contoso\\Connector)" % properties.shown(path))
    if hive == "HKCU":
        # Over WinRM/PSRP, HKCU is the connecting account's hive, not the users'.
        return ("%s is the hive of the account Ansible connects as, not the users'; per-user settings belong "
                "in message_service_profile (the PRF Outlook imports for each user, set through Active Setup)"
                % properties.shown(path))
    if hive == "HKU":
        return ("%s is a user's hive: only logged-on users' hives are loaded there, so others would be missed; "
                "per-user settings belong in message_service_profile (Active Setup reaches every user)"
                % properties.shown(path))
    if hive in ("HKCR", "HKCC"):
        return ("%s is a merged or hardware-profile view shared by every program (%s); the service's own "
                "values go under HKLM:\\SOFTWARE\\<Vendor>" % (
                    properties.shown(path), "COM classes and file types" if hive == "HKCR" else "hardware profile"))
    if REGISTRY_FORBIDDEN.search(path):
        return ("%s has a control character (CR, LF, NUL...), a / or a wildcard; give one key path"
                % properties.shown(path))
    parts = rest.rstrip("\\").split("\\")
    if any(part.strip() in ("", ".", "..") for part in parts):
        return "%s has an empty, . or .. part; give the key path without them" % properties.shown(path)
    if ini.fold(parts[0]) != ini.fold("SOFTWARE"):
        return ("%s is outside HKLM:\\SOFTWARE; the role writes only the vendor's key, "
                "HKLM:\\SOFTWARE\\<Vendor>\\..." % properties.shown(path))
    vendor = parts[1:]
    if vendor and ini.fold(vendor[0]) == ini.fold("WOW6432Node"):
        vendor = vendor[1:]
    if not vendor:
        return ("%s is not a vendor's key; give HKLM:\\SOFTWARE\\<Vendor>\\... (the 32-bit view follows "
                "Outlook's bitness, see view)" % properties.shown(path))
    if ini.fold(vendor[0]) in SHARED_SOFTWARE_KEYS:
        if ini.fold(vendor[0]) == ini.fold("Microsoft") and ini.fold("\\".join(vendor[:2])) == ini.fold(MESSAGING):
            return ("%s holds MAPI's Windows Messaging Subsystem values; set "
                    "message_service_messaging_subsystem: true instead (removal never deletes them)"
                    % properties.shown(path))
        return ("%s is under HKLM:\\SOFTWARE\\%s, which Windows and other programs share; the service's "
                "values go under HKLM:\\SOFTWARE\\<Vendor>" % (properties.shown(path), vendor[0]))
    if whole_key and len(vendor) < 2:
        return ("%s is a whole vendor key; deleting a key (an item without name) needs one level deeper, "
                "e.g. HKLM:\\SOFTWARE\\%s\\<Product>, or give the value's name" % (properties.shown(path), vendor[0]))
    return None
