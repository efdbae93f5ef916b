# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where and how a message service goes on one Windows host, decided from what was read.

The role ``mapi.messaging.message_service`` reads a few registry keys and looks for files;
this module turns those readings into decisions, without I/O, so each rule is unit-tested:

- ``detect``: Windows' and Outlook's bitness, MSI or Click-to-Run, whether MAPI is there
  (``MAPIX=1``), the folders that follow from them, and the MSMAPI folders to search.
- ``locate``: which MAPISVC.INF copies exist, and where to create one when none does.
- the rules of what the role may touch (``file_name_problem``, ``install_dir_problem``,
  ``inside``, ``registry_path_problem``): every file it deletes is a plain file name inside its
  own install folder, every registry path it writes or deletes is the vendor's own key under
  ``HKLM:\\SOFTWARE``. ``service_plan.py`` applies them once, before any change; ``profile.py``
  uses the same path helpers for the PRF and the Active Setup script.
- ``plan`` and ``in_use``: the role's variables checked and every change kept, in the dict the
  role's preflight reads; the rules themselves are in ``service_plan.py`` and ``removal.py``.

Sources: the project's domain notes (sections 1, 3, 5, 6), Microsoft's "Supporting Message
Service Installation" and "File format of MapiSvc.inf". Click-to-Run locations are
unverified on real Windows (see docs/role-message-service.md).
"""

from __future__ import annotations

import re

from ansible_collections.mapi.messaging.plugins.plugin_utils import ini, probe, properties

SOFTWARE = "HKLM:\\SOFTWARE"
WOW = "HKLM:\\SOFTWARE\\WOW6432Node"
MESSAGING = "Microsoft\\Windows Messaging Subsystem"
OFFICE_VERSIONS = ("16.0", "15.0", "14.0")
C2R_CONFIGURATION = SOFTWARE + "\\Microsoft\\Office\\ClickToRun\\Configuration"
OUTLOOK_CLIENT = "Clients\\Mail\\Microsoft Outlook"
CURRENT_VERSION = SOFTWARE + "\\Microsoft\\Windows\\CurrentVersion"
NT_CURRENT_VERSION = SOFTWARE + "\\Microsoft\\Windows NT\\CurrentVersion"
ENVIRONMENT = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment"

# Every key detect() reads; the role's vars/main.yml lists the same keys for win_reg_stat
# (a unit test keeps the two in step).
REGISTRY_KEYS = tuple(
    ["%s\\%s" % (root, MESSAGING) for root in (SOFTWARE, WOW)]
    + ["%s\\Microsoft\\Office\\%s\\Outlook" % (root, version)
       for version in OFFICE_VERSIONS for root in (SOFTWARE, WOW)]
    + [C2R_CONFIGURATION]
    + ["%s\\%s" % (root, OUTLOOK_CLIENT) for root in (SOFTWARE, WOW)]
    + [CURRENT_VERSION, NT_CURRENT_VERSION, ENVIRONMENT])

# The values Office writes under Windows Messaging Subsystem (domain notes, section 6).
MESSAGING_SUBSYSTEM_VALUES = (
    ("MAPI", "1"), ("MAPIX", "1"), ("MAPIXVER", "1.0.0.1"), ("CMC", "1"),
    ("CMCDLLNAME32", "mapi32.dll"), ("OLEMessaging", "1"))

MAPISVC = "MAPISVC.INF"
MSMAPI_DLL = "MSMAPI32.DLL"
BITNESS = {"x64": "x64", "amd64": "x64", "arm64": "x64", "ia64": "x64", "x86": "x86", "i386": "x86"}
# Installed DLL names carry "32" before the first period; MAPI inserts it itself.
SUFFIXED = re.compile(r"^(?P<stem>[^.]*?)32(?P<rest>\..*)$", re.IGNORECASE)


def _fold(text):
    return text.casefold()


def join(*parts):
    """Windows path join: one backslash between parts, none doubled."""
    parts = [part for part in parts if part]
    if not parts:
        return ""
    head = parts[0].rstrip("\\")
    for part in parts[1:]:
        head += "\\" + part.strip("\\")
    return head


def folder_of(path):
    return path.rstrip("\\").rsplit("\\", 1)[0]


def leaf_of(path):
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1]


# The registry readings class lives with the probe that now reads the registry; kept here by
# name for the callers of from_reg_stat.
Registry = probe.Registry


def from_reg_stat(results):
    """Registry readings from a looped ``ansible.windows.win_reg_stat`` result (``item`` is
    the key path; ``properties`` maps each value name to ``{value, type, raw_value}``)."""
    keys = {}
    for result in results or []:
        path = result.get("item")
        if not isinstance(path, str):
            continue
        if not result.get("exists"):
            keys[path] = None
            continue
        keys[path] = {name: (prop or {}).get("value") for name, prop in (result.get("properties") or {}).items()}
    return Registry(keys)


def detect(registry, office_version="auto", office_bitness="auto"):
    """What the registry says about this host. Values that cannot be decided are None."""
    architecture = registry.text(ENVIRONMENT, "PROCESSOR_ARCHITECTURE")
    windows_arch = BITNESS.get(str(architecture).lower()) if architecture else None
    if windows_arch is None:
        # Without PROCESSOR_ARCHITECTURE, a "Program Files (x86)" folder means 64-bit Windows.
        windows_arch = "x64" if registry.text(CURRENT_VERSION, "ProgramFilesDir (x86)") else "x86"
    roots = (SOFTWARE, WOW) if windows_arch == "x64" else (SOFTWARE,)

    versions = OFFICE_VERSIONS if office_version in (None, "", "auto") else (office_version,)
    msi = None
    for version in versions:
        for root in roots:
            bitness = registry.text("%s\\Microsoft\\Office\\%s\\Outlook" % (root, version), "Bitness")
            if isinstance(bitness, str) and bitness.lower() in BITNESS:
                msi = (version, BITNESS[bitness.lower()])
                break
        if msi:
            break
    platform = registry.text(C2R_CONFIGURATION, "Platform")
    c2r_path = registry.text(C2R_CONFIGURATION, "InstallationPath")
    if isinstance(platform, str) and platform.lower() in BITNESS:
        install, bitness = "c2r", BITNESS[platform.lower()]
        version = msi[0] if msi else (versions[0] if office_version not in (None, "", "auto") else "16.0")
    elif msi:
        install, (version, bitness) = "msi", msi
    else:
        install, version, bitness = "none", None, None
    if office_bitness not in (None, "", "auto"):
        bitness = office_bitness
        version = version or (None if office_version in (None, "", "auto") else office_version)

    wow64 = windows_arch == "x64" and bitness == "x86"
    view_root = WOW if wow64 else SOFTWARE
    if wow64:
        program_files = registry.text(CURRENT_VERSION, "ProgramFilesDir (x86)") or "C:\\Program Files (x86)"
        common_files = registry.text(CURRENT_VERSION, "CommonFilesDir (x86)") or join(program_files, "Common Files")
    else:
        program_files = registry.text(CURRENT_VERSION, "ProgramFilesDir") or "C:\\Program Files"
        common_files = registry.text(CURRENT_VERSION, "CommonFilesDir") or join(program_files, "Common Files")
    # Both Program Files folders: only administrators may write in them (docs/default-profile.md),
    # so the PRF and the Active Setup script may live nowhere else.
    program_files_dirs = list(dict.fromkeys(
        path for path in (registry.text(CURRENT_VERSION, "ProgramFilesDir") or "C:\\Program Files",
                          registry.text(CURRENT_VERSION, "ProgramFilesDir (x86)"), program_files)
        if isinstance(path, str) and path))
    system_root = registry.text(NT_CURRENT_VERSION, "SystemRoot") or "C:\\Windows"
    system_dir = join(system_root, "SysWOW64" if wow64 else "System32")

    mapix = registry.text("%s\\%s" % (view_root, MESSAGING), "MAPIX")
    other_view = (SOFTWARE if wow64 else WOW) if windows_arch == "x64" else None
    other_mapix = registry.text("%s\\%s" % (other_view, MESSAGING), "MAPIX") if other_view else None

    lcid = None
    for root in dict.fromkeys((view_root, SOFTWARE)):
        lcid = lcid or _lcid(registry.value("%s\\%s" % (root, OUTLOOK_CLIENT), "MSIApplicationLCID"),
                             registry, root)

    roots_to_search = []
    if install == "c2r" and isinstance(c2r_path, str) and c2r_path:
        vfs = "ProgramFilesCommonX64" if bitness == "x64" else "ProgramFilesCommonX86"
        roots_to_search.append({"path": join(c2r_path, "root", "VFS", vfs, "System", "MSMAPI"),
                                "kind": "c2r", "verified": False})
    if install in ("msi", "none") or (install == "c2r" and not c2r_path):
        roots_to_search.append({"path": join(common_files, "System", "MSMAPI"), "kind": "msi", "verified": True})

    return {
        "windows_arch": windows_arch,
        "office_install": install,
        "office_bitness": bitness,
        "office_version": version,
        "mapi_present": mapix == "1",
        "mapi_other_view": other_mapix == "1",
        "lcid": lcid,
        "program_files": program_files,
        "program_files_dirs": program_files_dirs,
        "common_files": common_files,
        "system_root": system_root,
        "system_dir": system_dir,
        "registry_software_root": view_root,
        "msmapi_roots": roots_to_search,
        "system_mapisvc": join(system_dir, MAPISVC),
    }


def _lcid(value, registry, root):
    """MSIApplicationLCID as a decimal LCID. It may hold the number itself, or (the form MFCMAPI
    reads) a multi-string naming a key and value that hold it, such as
    ``Software\\Microsoft\\Office\\16.0\\Outlook`` + ``LastUILanguage``; that reference is
    followed only into keys the role has read (HKLM, in Outlook's view). Otherwise the LCID
    is unknown here and the MSMAPI folders found on disk decide."""
    if isinstance(value, list) and len(value) == 2 and all(isinstance(part, str) for part in value):
        key, name = value
        if key.lower().startswith("software\\"):
            return _lcid(registry.value(root + key[len("software"):], name), registry, root)
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip()
    return None


def search_paths(target):
    """Paths to ``win_stat``: each MSMAPI root (``win_find`` only searches existing ones, to
    avoid its warnings) and the system directory's MAPISVC.INF."""
    return [root["path"] for root in target["msmapi_roots"]] + [target["system_mapisvc"]]


def locate(target, existing, found=(), override=None, folders=()):
    """Which MAPISVC.INF files to edit and where to create one.

    ``existing``: the paths from ``search_paths`` that exist; ``found``: the files
    ``win_find`` found under the existing MSMAPI roots (MAPISVC.INF and MSMAPI32.DLL, one
    level of language folders down); ``folders``: the language folders (``MSMAPI\\<LCID>``)
    it found there; ``override``: ``message_service_mapisvc_paths``.

    Every existing copy is edited. Rule for creating one when none exists: MAPI reads the
    MAPISVC.INF in its own folder, so the file goes next to MSMAPI32.DLL (the folder of the
    detected LCID first); without that DLL (Click-to-Run keeps MAPI elsewhere, and its virtual
    file system layout is unverified), into the MSMAPI folder of the detected LCID, or else the
    first language folder found; with no MSMAPI folder at all, into the system directory for
    Outlook's bitness (MAPI's documented fallback).
    """
    result = dict(target)
    if override:
        paths = ini.unique(override)
        result.update(mapisvc_paths=paths, mapisvc_create=None, mapisvc_override=True,
                      mapisvc_files=[{"path": path, "create": True} for path in paths])
        return result
    existing_folded = {_fold(path) for path in existing or []}
    files = [path for path in found or [] if _fold(leaf_of(path)) == _fold(MAPISVC)]
    if _fold(target["system_mapisvc"]) in existing_folded:
        files.append(target["system_mapisvc"])
    files = ini.unique(files)
    create = None
    if not files:
        lcid = target.get("lcid")
        dll_folders = sorted((folder_of(path) for path in found or []
                              if _fold(leaf_of(path)) == _fold(MSMAPI_DLL)), key=_fold)
        language_folders = sorted((path.rstrip("\\") for path in folders or []
                                   if leaf_of(path).isdigit()), key=_fold)
        for candidates in (dll_folders, language_folders):
            preferred = [folder for folder in candidates if lcid and leaf_of(folder) == lcid]
            chosen = (preferred or candidates)[:1]
            if chosen:
                create = join(chosen[0], MAPISVC)
                break
        create = create or target["system_mapisvc"]
    result.update(
        mapisvc_paths=files, mapisvc_create=create, mapisvc_override=False,
        mapisvc_files=[{"path": path, "create": False} for path in files]
        + ([{"path": create, "create": True}] if create else []))
    return result


def registered_name(installed):
    """The name MAPI is given for an installed DLL: ``contoso32.dll`` -> ``contoso.dll``
    (MAPI inserts "32" before the first period itself). Other names stay as they are."""
    match = SUFFIXED.match(installed)
    if match and installed.lower().endswith(".dll"):
        return match.group("stem") + match.group("rest")
    return installed


def default_install_dir(target, service):
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


def file_name_problem(name):
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


def path_parts(path):
    """``C:\\A\\B`` -> ("C:", ["A", "B"]), or None when ``path`` is not an absolute drive path
    (a share, ``\\\\?\\``, a relative path). Empty parts (a doubled or trailing backslash) are
    dropped, as Windows drops them; ``.`` and ``..`` stay, for the callers to refuse."""
    if not isinstance(path, str) or not DRIVE_PATH.match(path):
        return None
    return path[:2].upper(), [part for part in re.split(r"[\\/]", path[3:]) if part]


def normalized(path):
    """The comparable form of an absolute drive path (case folded, one backslash), or None
    when it is not one or has ``.``/``..`` parts."""
    parts = path_parts(path)
    if parts is None or any(part in (".", "..") for part in parts[1]):
        return None
    return _fold("\\".join([parts[0]] + parts[1]))


def inside(path, folder):
    """Whether ``path`` lies strictly below ``folder`` (both absolute drive paths without
    ``.``/``..`` parts; compared like Windows, without case)."""
    path, folder = normalized(path), normalized(folder)
    return bool(path and folder) and path.startswith(folder.rstrip("\\") + "\\")


def path_problem(path):
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


def install_dir_problem(install_dir, target):
    """Why ``install_dir`` cannot be the role's install folder, else None. Removal deletes the
    files named there, so the folder must be the service's own, never a folder of Windows, of
    other programs or of users."""
    problem = path_problem(install_dir)
    if problem:
        return problem
    drive, parts = path_parts(install_dir)
    if not parts:
        return "%s is a drive root" % properties.shown(install_dir)
    relative = _fold("\\".join(parts))
    known = {_fold(folder) for folder in (target.get("program_files_dirs") or [])
             + [target.get("program_files"), target.get("common_files"), target.get("system_root"),
                target.get("system_dir")] if isinstance(folder, str)}
    folded = _fold(drive + "\\" + relative)
    for shared, below in SHARED_FOLDERS.items():
        if relative == shared or (below and relative.startswith(shared + "\\")):
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
SHARED_SOFTWARE_KEYS = ("microsoft", "classes", "policies", "wow6432node", "clients",
                        "registeredapplications", "odbc")
REGISTRY_FORBIDDEN = re.compile(r"[\x00-\x1f/*?\[\]]")


def registry_path_problem(path, whole_key=False):
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
    if _fold(parts[0]) != "software":
        return ("%s is outside HKLM:\\SOFTWARE; the role writes only the vendor's key, "
                "HKLM:\\SOFTWARE\\<Vendor>\\..." % properties.shown(path))
    vendor = parts[1:]
    if vendor and _fold(vendor[0]) == "wow6432node":
        vendor = vendor[1:]
    if not vendor:
        return ("%s is not a vendor's key; give HKLM:\\SOFTWARE\\<Vendor>\\... (the 32-bit view follows "
                "Outlook's bitness, see view)" % properties.shown(path))
    if _fold(vendor[0]) in SHARED_SOFTWARE_KEYS:
        if _fold(vendor[0]) == "microsoft" and _fold("\\".join(vendor[:2])) == _fold(MESSAGING):
            return ("%s holds MAPI's Windows Messaging Subsystem values; set "
                    "message_service_messaging_subsystem: true instead (removal never deletes them)"
                    % properties.shown(path))
        return ("%s is under HKLM:\\SOFTWARE\\%s, which Windows and other programs share; the service's "
                "values go under HKLM:\\SOFTWARE\\<Vendor>" % (properties.shown(path), vendor[0]))
    if whole_key and len(vendor) < 2:
        return ("%s is a whole vendor key; deleting a key (an item without name) needs one level deeper, "
                "e.g. HKLM:\\SOFTWARE\\%s\\<Product>, or give the value's name" % (properties.shown(path), vendor[0]))
    return None


def in_use(result, paths=()):
    """Problems from the preflight's in-use check (``message_service_in_use.ps1``): a running
    Outlook, or a file the role would overwrite or delete that a process holds. ``result`` is
    the script's ``$Ansible.Result``: ``outlook`` and ``locked`` (see
    ``service_plan.in_use_problems``, where the rule is)."""
    del paths
    # Imported here: service_plan.py imports this module's path rules.
    from ansible_collections.mapi.messaging.plugins.plugin_utils import service_plan
    result = result if isinstance(result, dict) else {}
    return service_plan.in_use_problems(result.get("outlook") or [], result.get("locked") or [])


def plan(target, state="present", name=None, display_name=None, files=None, install_dir=None,
         service_properties=None, providers=None, registry=None, messaging_subsystem=False,
         profile_spec=None):
    """The role's variables checked against the target, every change kept (nothing was read
    from the host), in the dict the role's preflight reads: ``problems``, ``install_dir``,
    ``remove_install_dir`` (the install folder is the role's default one), ``files``,
    ``properties``, ``providers``, ``registry`` and ``delete_paths``. The rules are in
    ``service_plan.plan``."""
    from ansible_collections.mapi.messaging.plugins.plugin_utils import service_plan
    decided = service_plan.plan(
        target, None, state=state, name=name, display_name=display_name, files=files, install_dir=install_dir,
        properties=service_properties, providers=providers, registry=registry,
        messaging_subsystem=messaging_subsystem, profile=profile_spec)
    return {
        "problems": list(decided.problems),
        "install_dir": decided.install_dir,
        "remove_install_dir": not install_dir,
        "files": list(decided.files),
        "properties": decided.properties,
        "providers": decided.providers,
        "registry": list(decided.registry if state == "present" else decided.registry_removals),
        "delete_paths": list(decided.delete_paths),
    }
