# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What one Windows host is, decided from its probe (no I/O): the ``Target``.

``detect`` reads a ``probe.Probe`` and decides Windows' and Outlook's bitness, MSI or
Click-to-Run, the Office version (which decides the profile keys and ImportPRF), whether MAPI
is there (``MAPIX=1``), the folders that follow from them, which MAPISVC.INF copies MAPI may
read (all are edited) and, when there is none, where to create one. ``registry_keys`` lists
the keys the probe must read for it.

Anything that must stop the role is in ``Target.problems`` ("<field>: <message and fix>");
things worth reporting that stop nothing are in ``Target.notes``.

Sources: the project's domain notes (sections 5, 6 and 9); Microsoft Learn: "Registry Keys
Affected by WOW64" (winprog64/shared-registry-keys), "Supporting Message Service Installation",
"File format of MapiSvc.inf", "End of support resources for Office". Click-to-Run locations
are unverified on real Windows (see docs/role-message-service.md).
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.mapi.messaging.plugins.plugin_utils import ini
from ansible_collections.mapi.messaging.plugins.plugin_utils.windows_paths import (
    BITNESS, C2R_CONFIGURATION, CURRENT_VERSION, ENVIRONMENT, MAPISVC, MESSAGING, MSMAPI_DLL, NT_CURRENT_VERSION,
    OFFICE_VERSIONS, OUTLOOK_CLIENT, SOFTWARE, WOW, folder_of, join, leaf_of, path_problem)

if t.TYPE_CHECKING:
    from ansible_collections.mapi.messaging.plugins.plugin_utils.probe import Probe

# Office 2013 Click-to-Run kept its configuration under its version (domain notes, section 9);
# Office 2016 and later, all version 16.0, use Office\ClickToRun\Configuration.
C2R_2013 = "Microsoft\\Office\\15.0\\ClickToRun"
C2R_2013_CONFIGURATION = C2R_2013 + "\\Configuration"

# Keys under HKLM\SOFTWARE that WOW64 shares between the 64-bit and the 32-bit view instead of
# redirecting them, on Windows 7 / Server 2008 R2 and newer (Microsoft Learn, "Registry Keys
# Affected by WOW64": "Subkeys of the keys in this table inherit the parent key's behavior
# unless otherwise specified"). HKLM\SOFTWARE itself is redirected. A 32-bit process reading a
# shared key reads the one physical key under HKLM\SOFTWARE, so a key of that name under
# WOW6432Node is never what a 32-bit Outlook sees (at most a leftover) and is not read.
# (Windows Vista and older redirected Clients; Outlook 2016 and later need Windows 7+.)
WOW64_KEYS = (
    ("Classes", True), ("Classes\\CLSID", False), ("Classes\\DirectShow", False),
    ("Classes\\Interface", False), ("Classes\\Media Type", False), ("Classes\\MediaFoundation", False),
    ("Clients", True),
    ("Microsoft\\COM3", True), ("Microsoft\\Cryptography\\Calais\\Current", True),
    ("Microsoft\\Cryptography\\Calais\\Readers", True), ("Microsoft\\Cryptography\\Services", True),
    ("Microsoft\\CTF\\SystemShared", True), ("Microsoft\\CTF\\TIP", True), ("Microsoft\\DFS", True),
    ("Microsoft\\Driver Signing", True), ("Microsoft\\EnterpriseCertificates", True),
    ("Microsoft\\EventSystem", True), ("Microsoft\\MSMQ", True), ("Microsoft\\Non-Driver Signing", True),
    ("Microsoft\\Notepad\\DefaultFonts", True), ("Microsoft\\OLE", True), ("Microsoft\\RAS", True),
    ("Microsoft\\RPC", True), ("Microsoft\\SOFTWARE\\Microsoft\\Shared Tools\\MSInfo", True),
    ("Microsoft\\SystemCertificates", True), ("Microsoft\\TermServLicensing", True),
    ("Microsoft\\TransactionServer", True),
    ("Microsoft\\Windows\\CurrentVersion\\App Paths", True),
    ("Microsoft\\Windows\\CurrentVersion\\Control Panel\\Cursors\\Schemes", True),
    ("Microsoft\\Windows\\CurrentVersion\\Explorer\\AutoplayHandlers", True),
    ("Microsoft\\Windows\\CurrentVersion\\Explorer\\DriveIcons", True),
    ("Microsoft\\Windows\\CurrentVersion\\Explorer\\KindMap", True),
    ("Microsoft\\Windows\\CurrentVersion\\Group Policy", True),
    ("Microsoft\\Windows\\CurrentVersion\\Policies", True),
    ("Microsoft\\Windows\\CurrentVersion\\PreviewHandlers", True),
    ("Microsoft\\Windows\\CurrentVersion\\Setup", True),
    ("Microsoft\\Windows\\CurrentVersion\\Telephony\\Locations", True),
    ("Microsoft\\Windows NT\\CurrentVersion\\Console", True),
    ("Microsoft\\Windows NT\\CurrentVersion\\FontDpi", True),
    ("Microsoft\\Windows NT\\CurrentVersion\\FontLink", True),
    ("Microsoft\\Windows NT\\CurrentVersion\\FontMapper", True),
    ("Microsoft\\Windows NT\\CurrentVersion\\Fonts", True),
    ("Microsoft\\Windows NT\\CurrentVersion\\FontSubstitutes", True),
    ("Microsoft\\Windows NT\\CurrentVersion\\Gre_Initialize", True),
    ("Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options", True),
    ("Microsoft\\Windows NT\\CurrentVersion\\Language Pack", True),
    ("Microsoft\\Windows NT\\CurrentVersion\\NetworkCards", True),
    ("Microsoft\\Windows NT\\CurrentVersion\\Perflib", True),
    ("Microsoft\\Windows NT\\CurrentVersion\\Ports", True),
    ("Microsoft\\Windows NT\\CurrentVersion\\Print", True),
    ("Microsoft\\Windows NT\\CurrentVersion\\ProfileList", True),
    ("Microsoft\\Windows NT\\CurrentVersion\\Time Zones", True),
    ("Policies", True), ("RegisteredApplications", True),
)


def wow64_shared(key: str) -> bool:
    """Whether WOW64 shares ``key`` (``HKLM:\\SOFTWARE\\<relative>`` or the relative path)
    between the registry views rather than redirecting it: the deepest entry of WOW64_KEYS
    that contains it decides; everything else under HKLM\\SOFTWARE is redirected."""
    relative = _software_relative(key)
    decided, depth = False, -1
    for listed, shared in WOW64_KEYS:
        folded = ini.fold(listed)
        if (relative == folded or relative.startswith(folded + "\\")) and folded.count("\\") > depth:
            decided, depth = shared, folded.count("\\")
    return decided


def _software_relative(key):
    folded = ini.fold(key.rstrip("\\"))
    for root in (WOW, SOFTWARE):
        if folded.startswith(ini.fold(root) + "\\"):
            return folded[len(root) + 1:]
    return folded


def views(relative: str) -> list[str]:
    """The paths of ``HKLM:\\SOFTWARE\\<relative>`` in each registry view that holds its own copy."""
    paths = [join(SOFTWARE, relative)]
    if not wow64_shared(relative):
        paths.append(join(WOW, relative))
    return paths


def in_view(relative: str, wow64: bool) -> str:
    """``HKLM:\\SOFTWARE\\<relative>`` as a process sees it: a 32-bit one on 64-bit Windows
    (``wow64``) under WOW6432Node, unless the key is shared."""
    return join(WOW if wow64 and not wow64_shared(relative) else SOFTWARE, relative)


def _outlook_key(version):
    return "Microsoft\\Office\\%s\\Outlook" % version


def registry_keys() -> list[str]:
    """Every registry key ``detect`` reads (the probe's ``RegistryKeys`` must hold them)."""
    keys = views(MESSAGING)
    for version in OFFICE_VERSIONS:
        keys += views(_outlook_key(version))
    keys += [C2R_CONFIGURATION] + views(C2R_2013) + views(C2R_2013_CONFIGURATION) + views(OUTLOOK_CLIENT)
    keys += [CURRENT_VERSION, NT_CURRENT_VERSION, ENVIRONMENT]
    return ini.unique(keys)


@dataclasses.dataclass(frozen=True)
class MsmapiRoot:
    """An MSMAPI folder to look in: ``kind`` msi or c2r; ``verified`` False where the layout
    is not confirmed on real Windows."""
    path: str
    kind: str
    verified: bool


@dataclasses.dataclass(frozen=True)
class MapisvcFile:
    """A MAPISVC.INF the role edits; ``create``: it may be created when missing."""
    path: str
    create: bool


@dataclasses.dataclass(frozen=True)
class Target:
    """One host, as the role sees it. ``as_dict`` gives the role's ``message_service_target``."""
    windows_arch: str
    office_install: str                      # msi, c2r or none
    office_bitness: t.Optional[str]          # x64, x86 or None (no Outlook found)
    office_version: t.Optional[str]          # 16.0, 15.0, 14.0 or None
    mapi_present: bool                       # MAPIX=1 in Outlook's registry view
    mapi_other_view: bool                    # MAPIX=1 only in the other view
    lcid: t.Optional[str]
    program_files: str
    program_files_dirs: t.Tuple[str, ...]
    common_files: str
    system_root: str
    system_dir: str
    registry_software_root: str
    msmapi_roots: t.Tuple[MsmapiRoot, ...]
    system_mapisvc: str
    search_paths: t.Tuple[str, ...]
    mapi_dll: t.Optional[str]                # DLLPathEx: the MSMAPI32.DLL Outlook loads
    mapisvc_paths: t.Tuple[str, ...]         # existing copies MAPI may read (or the override)
    mapisvc_create: t.Tuple[str, ...]        # where to create one when none exists
    mapisvc_override: bool
    mapisvc_files: t.Tuple[MapisvcFile, ...]
    notes: t.Tuple[str, ...]
    problems: t.Tuple[str, ...]

    def as_dict(self) -> dict[str, t.Any]:
        result = dataclasses.asdict(self)
        for name, value in result.items():
            if isinstance(value, tuple):
                result[name] = list(value)
        return result


class _Said:
    """Problems and notes, each once, in order."""

    def __init__(self):
        self.problems, self.notes = [], []

    def problem(self, field: str, message: str) -> None:
        text = "%s: %s" % (field, message)
        if text not in self.problems:
            self.problems.append(text)

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)


def _auto(value):
    return value in (None, "", "auto")


def _bitness(value):
    return BITNESS.get(value.lower()) if isinstance(value, str) else None


def detect(probe: Probe, office_version: t.Optional[str] = "auto", office_bitness: t.Optional[str] = "auto",
           mapisvc_paths: t.Iterable[str] = ()) -> Target:
    """What the probe says about this host (values that cannot be decided are None)."""
    registry = probe.registry
    said = _Said()
    for key in registry_keys():
        if registry.error(key):
            said.problem("registry", "%s could not be read (%s); the host's Office and MAPI cannot be told "
                         "without it, so nothing was changed. Let the account Ansible connects with read it"
                         % (key, registry.error(key)))

    architecture = registry.text(ENVIRONMENT, "PROCESSOR_ARCHITECTURE")
    windows_arch = _bitness(architecture)
    if windows_arch is None:
        # Without PROCESSOR_ARCHITECTURE, a "Program Files (x86)" folder means 64-bit Windows.
        windows_arch = "x64" if registry.text(CURRENT_VERSION, "ProgramFilesDir (x86)") else "x86"

    install, version, bitness = _office(registry, windows_arch, office_version, said)
    if not _auto(office_bitness):
        bitness = office_bitness
        version = version or (None if _auto(office_version) else office_version)

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
    program_files_dirs = tuple(dict.fromkeys(
        path for path in (registry.text(CURRENT_VERSION, "ProgramFilesDir") or "C:\\Program Files",
                          registry.text(CURRENT_VERSION, "ProgramFilesDir (x86)"), program_files)
        if isinstance(path, str) and path))
    system_root = registry.text(NT_CURRENT_VERSION, "SystemRoot") or "C:\\Windows"
    system_dir = join(system_root, "SysWOW64" if wow64 else "System32")

    mapix = registry.text(in_view(MESSAGING, wow64), "MAPIX")
    other_mapix = registry.text(in_view(MESSAGING, not wow64), "MAPIX") if windows_arch == "x64" else None

    outlook_client = in_view(OUTLOOK_CLIENT, wow64)
    lcid = _lcid(registry.value(outlook_client, "MSIApplicationLCID"))

    c2r_path = registry.text(C2R_CONFIGURATION, "InstallationPath")
    roots = []
    if install == "c2r" and version == "16.0" and isinstance(c2r_path, str) and c2r_path:
        vfs = "ProgramFilesCommonX64" if bitness == "x64" else "ProgramFilesCommonX86"
        roots.append(MsmapiRoot(join(c2r_path, "root", "VFS", vfs, "System", "MSMAPI"), "c2r", False))
    if not roots:
        roots.append(MsmapiRoot(join(common_files, "System", "MSMAPI"), "msi", True))
    system_mapisvc = join(system_dir, MAPISVC)

    mapi_dll = _mapi_dll(registry.value(outlook_client, "DLLPathEx"), probe, said)
    located = _locate(probe, roots, system_mapisvc, mapi_dll, lcid, mapisvc_paths, said)
    for error in probe.mapisvc_errors:
        said.problem("MAPISVC.INF", "%s; the role edits MAPISVC.INF only when it has read every copy MAPI may "
                     "read, so nothing was changed. Fix the cause, or name the copies to edit in "
                     "message_service_mapisvc_paths" % error)

    return Target(
        windows_arch=windows_arch, office_install=install, office_bitness=bitness, office_version=version,
        mapi_present=mapix == "1", mapi_other_view=other_mapix == "1", lcid=lcid,
        program_files=program_files, program_files_dirs=program_files_dirs, common_files=common_files,
        system_root=system_root, system_dir=system_dir, registry_software_root=view_root,
        msmapi_roots=tuple(roots), system_mapisvc=system_mapisvc,
        search_paths=tuple(root.path for root in roots) + (system_mapisvc,),
        mapi_dll=mapi_dll, notes=tuple(said.notes), problems=tuple(said.problems), **located)


def _office(registry, windows_arch, office_version, said):
    """(install, version, bitness) of Outlook.

    Click-to-Run Office 2016 and later is always version 16.0: an ``Office\\<version>\\Outlook``
    Bitness of another version beside it is left from an earlier MSI Office, and must not move
    the version, which decides the profile keys and ImportPRF. Office 2013 Click-to-Run
    (``Office\\15.0\\ClickToRun``) is refused rather than guessed at: it keeps Outlook and MAPI
    in its own virtual registry and file system, whose layout nothing here can confirm, and
    Microsoft ended its support on April 11, 2023 ("End of support resources for Office")."""
    roots = (SOFTWARE, WOW) if windows_arch == "x64" else (SOFTWARE,)
    msi = {}
    for version in OFFICE_VERSIONS:
        for root in roots:
            bitness = _bitness(registry.text(join(root, _outlook_key(version)), "Bitness"))
            if bitness and version not in msi:
                msi[version] = bitness
    wanted = OFFICE_VERSIONS if _auto(office_version) else (office_version,)
    chosen = next(((version, msi[version]) for version in wanted if version in msi), None)

    platform = _bitness(registry.text(C2R_CONFIGURATION, "Platform"))
    c2r_2013 = any(registry.exists(path) for path in views(C2R_2013))
    if platform:
        if not _auto(office_version) and office_version != "16.0":
            said.problem("message_service_office_version", "%s is set, but this host has Click-to-Run Office, "
                         "which is version 16.0; set 16.0 or auto" % office_version)
        for version in msi:
            if version != "16.0":
                said.note("Office\\%s\\Outlook (Bitness %s) is left from an earlier MSI Office; Click-to-Run "
                          "Office is version 16.0, which decides the profile keys" % (version, msi[version]))
        return "c2r", "16.0", platform
    if chosen and chosen[0] == "16.0":
        if c2r_2013:
            said.note("%s is left from Office 2013 Click-to-Run; the MSI Outlook 16.0 decides"
                      % join(SOFTWARE, C2R_2013))
        return "msi", chosen[0], chosen[1]
    if c2r_2013:
        platform_2013 = next((_bitness(registry.text(path, "Platform")) for path in views(C2R_2013_CONFIGURATION)
                              if _bitness(registry.text(path, "Platform"))), None)
        said.problem("Outlook", "Office 2013 Click-to-Run is installed (%s); it keeps Outlook and MAPI in its own "
                     "virtual registry and file system, which this role cannot read or change safely, and its "
                     "support ended on April 11, 2023. Nothing was changed: upgrade to Microsoft 365 Apps or "
                     "Office 2016 or later (version 16.0) and run again" % join(SOFTWARE, C2R_2013))
        return "c2r", "15.0", platform_2013 or (chosen[1] if chosen else None)
    if chosen:
        return "msi", chosen[0], chosen[1]
    return "none", None, None


def _lcid(value):
    """MSIApplicationLCID as a decimal LCID, when it holds the number itself. Outlook usually
    writes a multi-string naming an HKCU key and value instead (``Software\\Microsoft\\Office\\
    16.0\\Outlook`` + ``LastUILanguage``, domain notes section 9): each user's own language,
    which the machine's HKLM does not hold and the connecting account's HKCU does not tell.
    Then the LCID is unknown here and the MSMAPI folders found on disk decide."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip()
    return None


def _mapi_dll(value, probe, said):
    """DLLPathEx (under Clients\\Mail\\Microsoft Outlook, which WOW64 shares): the MSMAPI32.DLL
    Outlook loads, whose folder holds the MAPISVC.INF MAPI reads (domain notes, sections 5 and
    9). Used only as an absolute local path the probe found the DLL at."""
    if value is None:
        return None
    problem = "it names environment variables" if isinstance(value, str) and "%" in value else (
        path_problem(value.strip()) if isinstance(value, str) else "it is not text")
    if problem:
        said.note("DLLPathEx (%r) is not used (%s); the MSMAPI folders found decide where MAPISVC.INF is"
                  % (value, problem))
        return None
    value = value.strip()
    if ini.fold(value) not in {ini.fold(path) for path in probe.msmapi_dlls}:
        said.note("DLLPathEx names %s, which is not on this host; the MSMAPI folders found decide where "
                  "MAPISVC.INF is" % value)
        return None
    return value


def _in_root(folder, roots):
    """Whether ``folder`` is an MSMAPI root or a language folder (digits) directly in one."""
    folded = ini.fold(folder.rstrip("\\"))
    for root in roots:
        root_folded = ini.fold(root.path.rstrip("\\"))
        if folded == root_folded or (ini.fold(folder_of(folder)) == root_folded and leaf_of(folder).isdigit()):
            return True
    return False


def _locate(probe, roots, system_mapisvc, mapi_dll, lcid, override, said):
    """Which MAPISVC.INF copies to edit and where to create one.

    Every copy MAPI may read is edited: in MAPI's own folder (DLLPathEx), in the MSMAPI root
    for Outlook's bitness and its language folders (``MSMAPI\\<LCID>``: another language's
    MAPI reads its own), and the system directory's for Outlook's bitness (MAPI's fallback).
    Copies elsewhere (the other bitness's folders) are left as they are and reported.

    Only when there is none is one created: in MAPI's folder and in every language folder that
    holds MSMAPI32.DLL (MAPI reads the copy next to itself); without any such DLL (Click-to-Run
    keeps MAPI elsewhere, and its virtual file system layout is unverified), in the MSMAPI folder
    of the detected LCID, or else the first language folder found; with no MSMAPI folder at all,
    in the system directory for Outlook's bitness (MAPI's documented fallback). A copy is never
    created beside existing ones: a new file with only this service could hide the services of
    the copy MAPI reads today.
    """
    if override:
        paths = tuple(ini.unique(override))
        for path in probe.missing:
            said.note("%s (message_service_mapisvc_paths) does not exist; it is created" % path)
        return {"mapisvc_paths": paths, "mapisvc_create": (), "mapisvc_override": True,
                "mapisvc_files": tuple(MapisvcFile(path, True) for path in paths)}

    mapi_folder = ini.fold(folder_of(mapi_dll)) if mapi_dll else None
    system_folded = ini.fold(system_mapisvc)
    read, others = [], []
    for found in probe.copies:
        folder = folder_of(found.path)
        if ini.fold(leaf_of(found.path)) != ini.fold(MAPISVC):
            continue
        if ini.fold(folder) == mapi_folder or _in_root(folder, roots):
            read.append(found.path)
        elif ini.fold(found.path) != system_folded:
            others.append(found.path)
    if any(ini.fold(found.path) == system_folded for found in probe.copies):
        read.append(system_mapisvc)
    files = ini.unique(read)
    for path in ini.unique(others):
        said.note("%s is not a MAPISVC.INF this host's Outlook reads (it is outside %s); it is left as it is"
                  % (path, ", ".join([root.path for root in roots] + ([folder_of(mapi_dll)] if mapi_dll else []))))
    if files and mapi_dll and not any(ini.fold(folder_of(path)) == mapi_folder for path in files):
        said.note("DLLPathEx names %s, but its folder holds no MAPISVC.INF; the copies found (%s) are edited and "
                  "none is created beside MAPI, which would hide their services" % (mapi_dll, ", ".join(files)))

    create = []
    if not files:
        dll_folders = [folder_of(mapi_dll)] if mapi_dll else []
        in_roots = sorted((folder_of(path) for path in probe.msmapi_dlls
                           if ini.fold(leaf_of(path)) == ini.fold(MSMAPI_DLL) and _in_root(folder_of(path), roots)),
                          key=ini.fold)
        dll_folders += [folder for folder in in_roots if lcid and leaf_of(folder) == lcid]
        dll_folders += in_roots
        create = [join(folder, MAPISVC) for folder in ini.unique(dll_folders)]
        if not create:
            languages = sorted((path.rstrip("\\") for path in probe.language_folders
                                if leaf_of(path).isdigit() and _in_root(path, roots)), key=ini.fold)
            preferred = [folder for folder in languages if lcid and leaf_of(folder) == lcid]
            create = [join(folder, MAPISVC) for folder in (preferred or languages)[:1]] or [system_mapisvc]
    return {"mapisvc_paths": tuple(files), "mapisvc_create": tuple(create), "mapisvc_override": False,
            "mapisvc_files": tuple(MapisvcFile(path, False) for path in files)
            + tuple(MapisvcFile(path, True) for path in create)}
