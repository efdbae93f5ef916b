# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the role ``mapi.messaging.message_service`` writes on one host, decided without I/O.

Two steps, both here so each rule lives in one place:

- The role's variables are checked against the host (``target``, from detection): every
  problem names its variable and the fix, and the host is stopped before any change. The
  rules of what the role may touch (``target.file_name_problem``, ``install_dir_problem``,
  ``registry_path_problem``...) are applied here, once.
- From the probe's readings (``probe.Probe``), only what differs is kept: a file whose
  SHA-256 already matches is not copied, a registry value that already holds the declared
  data is not written, a MAPISVC.INF copy that would not change is not edited (decided by
  ``plan.edit``, the code the ``mapisvc`` action runs). What the probe could not read is
  kept: a write that turns out needless costs one module execution, a skipped one would
  be a wrong result. ``state: absent`` is decided by ``removal.py``.

``probe_needs`` says what the probe must read for this plan, before the host (and so the
install folder and registry view) is known: it asks for every candidate.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t
from urllib.parse import urlsplit, urlunsplit

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.mapi.messaging.plugins.module_utils.mapisvc_spec import (
    ARGUMENT_SPEC, MUTUALLY_EXCLUSIVE, REQUIRED_ONE_OF)
from ansible_collections.mapi.messaging.plugins.plugin_utils import (
    ini, plan as mapisvc_plan, profile as default_profile, properties, removal)
from ansible_collections.mapi.messaging.plugins.plugin_utils.declaration import DeclarationError
from ansible_collections.mapi.messaging.plugins.plugin_utils.probe import canonical_sha256
from ansible_collections.mapi.messaging.plugins.plugin_utils.properties import shown
from ansible_collections.mapi.messaging.plugins.plugin_utils.windows_paths import (
    MESSAGING, MESSAGING_SUBSYSTEM_VALUES, SOFTWARE, SUFFIXED, WOW, default_install_dir, file_name_problem,
    folder_of, install_dir_problem, join, leaf_of, normalized, path_problem, registered_name,
    registry_path_problem)

if t.TYPE_CHECKING:
    from ansible_collections.mapi.messaging.plugins.plugin_utils.host import Target
    from ansible_collections.mapi.messaging.plugins.plugin_utils.probe import LockedFile, OutlookProcess, Probe


def _fold(text):
    return ini.fold(text)


class Problems(list):
    """Problems, each ``<variable>: <what is wrong and the fix>``."""

    def add(self, field: str, message: str) -> None:
        self.append("%s: %s" % (field, message))


@dataclasses.dataclass(frozen=True)
class ServicePlan:
    """Everything the role does on one host.

    ``problems``: stop the host before any change when not empty (``in_use``: those of them
    that come from a running Outlook or a file in use). ``files``: every planned file item
    (for Outlook's bitness), whether it needs copying or not; ``file_copies`` and ``download``: the
    ones to write. ``registry``: the values to write (``state: present``);
    ``registry_removals``: the values and keys to delete (``state: absent``). ``mapisvc``:
    the MAPISVC.INF copies to run ``mapi.messaging.mapisvc`` on (``{path, create}``), with
    ``mapisvc_args`` as its other options. ``delete_paths``: files to delete. ``copy_folders``:
    the controller files to write grouped by destination folder (``copy_folders()``), what the
    role's win_copy task loops over; ``file_copies`` stays for the report."""

    problems: t.Tuple[str, ...]
    in_use: t.Tuple[str, ...]
    state: str
    install_dir: str
    create_install_dir: bool
    remove_install_dir: bool
    files: t.Tuple[dict, ...]
    # Not "copy": Jinja would find the dict's copy method under that name.
    file_copies: t.Tuple[dict, ...]
    download: t.Tuple[dict, ...]
    properties: dict
    providers: t.Optional[list]
    registry: t.Tuple[dict, ...]
    registry_removals: t.Tuple[dict, ...]
    mapisvc: t.Tuple[dict, ...]
    mapisvc_args: t.Optional[dict]
    delete_paths: t.Tuple[str, ...]
    copy_folders: t.Tuple[dict, ...] = ()

    def as_dict(self) -> dict[str, t.Any]:
        """The plan as the role's tasks read it (lists and dicts only)."""
        result = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            result[field.name] = list(value) if isinstance(value, tuple) else value
        return result

    @property
    def writes(self) -> int:
        """How many write tasks the plan runs (0: the host already is as declared)."""
        return (len(self.file_copies) + len(self.download) + len(self.registry) + len(self.registry_removals)
                + len(self.mapisvc) + len(self.delete_paths) + int(self.create_install_dir)
                + int(self.remove_install_dir))


# The mapisvc options the role passes through from its own variables, and those variables.
PASSED_OPTIONS = {"default_service": "message_service_default_service", "help_file": "message_service_help_file",
                  "sections": "message_service_sections", "purge": "message_service_purge",
                  "backup": "message_service_mapisvc_backup", "codepage": "message_service_mapisvc_codepage"}
# Every mapisvc option the plan sets -> the role variable it comes from (for problems).
OPTION_VARIABLES = dict(PASSED_OPTIONS, service="message_service_name", display_name="message_service_display_name",
                        properties="message_service_properties", providers="message_service_providers",
                        state="message_service_state")


def plan(target: t.Union[Target, dict[str, t.Any]], probe: t.Optional[Probe], *, state: str = "present",
         name: t.Optional[str] = None, display_name: t.Optional[str] = None, files: t.Optional[list[t.Any]] = None,
         install_dir: t.Optional[str] = None, properties: t.Optional[dict[str, t.Any]] = None,
         providers: t.Optional[list[t.Any]] = None, registry: t.Optional[list[t.Any]] = None,
         messaging_subsystem: bool = False, profile: object = None, service_args: t.Optional[dict[str, t.Any]] = None,
         local_sha256: t.Optional[dict[str, str]] = None) -> ServicePlan:
    """Check the role's variables against ``target`` and keep the writes ``probe`` shows are needed.

    ``target``: detection's ``host.Target`` (or its ``as_dict``).
    ``probe``: the ``probe.Probe`` of this host; None means nothing was read, so every write
    is kept. ``service_args``: the mapisvc options the role passes from its variables as they
    are (keys of ``PASSED_OPTIONS``); None leaves MAPISVC.INF out of the plan. ``local_sha256``:
    each declared ``src`` -> the SHA-256 of that controller file; a src missing from it could
    not be found and stops the host; None: the sources were not hashed and every src file is
    copied (win_copy compares again).
    """
    facts = target.as_dict() if hasattr(target, "as_dict") else dict(target)
    # What detection could not decide (an unreadable key, an unreadable MAPISVC.INF copy...)
    # stops the host with the rest.
    problems = Problems(facts.get("problems") or ())
    present = state == "present"
    if not name:
        problems.add("message_service_name", "required; the service's [Services] key, e.g. CONTOSO")
    if present and not display_name:
        problems.add("message_service_display_name", "required with message_service_state: present; "
                     "it is the name users see, e.g. Contoso Connector")
    if present and not facts.get("mapi_present") and not messaging_subsystem:
        other = (" (it is set only in the other registry view, so Outlook's bitness and MAPI's "
                 "disagree: check which Office is installed)" if facts.get("mapi_other_view") else "")
        problems.add("MAPI", "MAPIX=1 is missing under %s\\%s, so MAPI is not installed for %s Outlook%s; "
                     "install Outlook, or set message_service_messaging_subsystem: true to write the "
                     "Windows Messaging Subsystem values" % (
                         facts.get("registry_software_root"), MESSAGING,
                         facts.get("office_bitness") or "this host's", other))
    if present and facts.get("office_bitness") is None:
        problems.add("message_service_office_bitness", "no Outlook found (neither Click-to-Run "
                     "Platform nor Office\\<version>\\Outlook Bitness in the registry); install Outlook, "
                     "or set message_service_office_bitness to x64 or x86 if it is there but unregistered")
    if facts.get("windows_arch") == "x86" and facts.get("office_bitness") == "x64":
        problems.add("message_service_office_bitness", "x64 Outlook cannot run on 32-bit Windows; "
                     "use x86 or auto")

    default_dir = not install_dir
    install_dir = install_dir or default_install_dir(facts, name)
    problem = install_dir_problem(install_dir, facts) if (name or not default_dir) else None
    if problem:
        field = "message_service_install_dir" if not default_dir else "message_service_name"
        problems.add(field, "%s; the install folder must be the service's own folder, e.g. "
                     "C:\\Program Files\\Contoso" % problem)

    # Removal from a host where Outlook is gone still finds the files of Windows' bitness.
    bitness = facts.get("office_bitness") or (None if present else facts.get("windows_arch"))
    planned, by_registered = _plan_files(problems, _select_files(problems, files, bitness), install_dir)
    if profile is not None and name:
        _check_profile(problems, profile, name, display_name, dict(facts, install_dir=install_dir))

    if present:
        resolved = dict(_resolve_entries(problems, "message_service_properties", properties,
                                         by_registered, install_dir) or {})
        resolved_providers = None
        if providers is not None:
            resolved_providers = []
            for index, provider in enumerate(providers):
                if not isinstance(provider, dict):
                    problems.add("message_service_providers[%d]" % index,
                                 "expected a dictionary with name and properties")
                    continue
                provider_props = _resolve_entries(
                    problems, "message_service_providers[%d].properties" % index, provider.get("properties"),
                    by_registered, install_dir)
                resolved_providers.append(dict(provider, properties=provider_props or {}))
        # MAPI deletes what PR_SERVICE_DELETE_FILES names when the service is removed: the same rule.
        _delete_files(problems, properties, by_registered, install_dir)
        if planned:
            registered_paths = [entry["registered_path"] for entry in planned]
            for key in ("PR_SERVICE_SUPPORT_FILES", "PR_SERVICE_DELETE_FILES"):
                if not _has_key(properties, key):
                    resolved[key] = registered_paths
        items = _registry_items(problems, registry, facts, state)
        if messaging_subsystem:
            key = "%s\\%s" % (facts.get("registry_software_root") or SOFTWARE, MESSAGING)
            items += [{"path": key, "name": value_name, "data": data, "type": "string", "state": "present",
                       "secret": False} for value_name, data in MESSAGING_SUBSYSTEM_VALUES]
        copy, download = _file_writes(problems, planned, probe, local_sha256)
        folder = removal.path_state(probe, install_dir)
        if folder is not None and folder.exists and not folder.directory:
            problems.add("message_service_install_dir", "%s exists as a file, so the service's files cannot go "
                         "in it; remove or rename that file, or choose another install folder"
                         % shown(install_dir))
        writes = dict(
            create_install_dir=bool(copy or download) and not (folder is not None and folder.exists),
            remove_install_dir=False, files=planned, file_copies=copy, download=download, properties=resolved,
            providers=resolved_providers, registry=_registry_writes(probe, items),
            registry_removals=[], delete_paths=[])
        mapisvc_args = _mapisvc_args(problems, service_args, state, name, display_name, resolved,
                                     resolved_providers)
    else:
        # Removal names the providers and sections to take out; their properties (and the
        # DLLs they name) no longer matter.
        names_only = None
        if providers is not None:
            names_only = [{"name": provider["name"]} for provider in providers
                          if isinstance(provider, dict) and provider.get("name")]
        removed = removal.decide(
            problems, probe, install_dir=install_dir, own_folder=default_dir, files=planned,
            delete_files=_delete_files(problems, properties, by_registered, install_dir))
        items = _registry_items(problems, registry, facts, state)
        writes = dict(create_install_dir=False, files=planned, file_copies=[], download=[], properties={},
                      providers=names_only, registry=[],
                      registry_removals=[item for item in items if _registry_differs(probe, item)], **removed)
        mapisvc_args = _mapisvc_args(problems, service_args, state, name, None, None, names_only)

    copies = _mapisvc_writes(problems, facts, probe, mapisvc_args, present) if mapisvc_args is not None else []
    in_use = _in_use(probe, writes, copies)
    problems.extend(in_use)
    return ServicePlan(
        problems=tuple(dict.fromkeys(problems)), in_use=tuple(in_use), state=state, install_dir=install_dir,
        mapisvc=tuple(copies), mapisvc_args=mapisvc_args, copy_folders=copy_folders(writes["file_copies"])[0],
        **{key: tuple(value) if isinstance(value, list) and key not in ("providers",) else value
           for key, value in writes.items()})


# --- files --------------------------------------------------------------------------------------

# What a message_service_files item may hold besides the download options below.
FILE_KEYS = ("src", "url", "checksum", "checksum_algorithm", "arch", "name")
# The ansible.windows.win_get_url options a url item passes on, typed as Ansible types a
# module's options (a survey's "false" is false). All are in the module's web_request doc
# fragment, none added since ansible.windows 0.2.0 (its changelog), so every ansible.windows
# this collection accepts has them. ``no_log``: secrets (a header may be an Authorization
# token), never shown in a problem.
DOWNLOAD_OPTIONS = {
    "url_username": {"type": "str"},
    "url_password": {"type": "str", "no_log": True},
    "force_basic_auth": {"type": "bool"},
    "use_default_credential": {"type": "bool"},
    "client_cert": {"type": "str"},
    "client_cert_password": {"type": "str", "no_log": True},
    "headers": {"type": "dict", "no_log": True},
    "validate_certs": {"type": "bool"},
    "use_proxy": {"type": "bool"},
    "proxy_url": {"type": "str"},
    "proxy_username": {"type": "str"},
    "proxy_password": {"type": "str", "no_log": True},
    "proxy_use_default_credential": {"type": "bool"},
    "url_timeout": {"type": "int"},
    "follow_redirects": {"type": "str", "choices": ["all", "none", "safe"]},
}


def _download_options(problems, field, item):
    """The win_get_url options of ``item`` typed (only those given), or None after adding
    its problems. A secret is never echoed: it must already be a string (Ansible would turn a
    list into its text silently), and headers a dictionary of names to strings or numbers."""
    given = {option: item[option] for option in DOWNLOAD_OPTIONS if item.get(option) is not None}
    unknown = sorted(set(item) - set(FILE_KEYS) - set(DOWNLOAD_OPTIONS), key=str)
    before = len(problems)
    if unknown:
        # A misspelt proxy_password would otherwise download without it, and fail on the host.
        problems.add(field, "unknown keys %s; known are %s" % (", ".join(map(str, unknown)),
                                                               ", ".join(FILE_KEYS + tuple(DOWNLOAD_OPTIONS))))
    if item.get("src"):
        for option in given:
            problems.add("%s.%s" % (field, option), "only a url item is downloaded (with "
                         "ansible.windows.win_get_url) and takes it; remove it, or give url instead of src")
        return None if len(problems) > before else {}
    for option, value in given.items():
        if DOWNLOAD_OPTIONS[option].get("no_log") and DOWNLOAD_OPTIONS[option]["type"] == "str" \
                and not isinstance(value, str):
            problems.add("%s.%s" % (field, option), "expected a string (its value is not shown)")
    headers = given.get("headers")
    if headers is not None:
        if not isinstance(headers, dict):
            problems.add(field + ".headers", "expected a dictionary of header name: value (its value is not shown)")
        else:
            for name, value in headers.items():
                if not (isinstance(name, str) and name.strip()) or isinstance(value, bool) \
                        or not isinstance(value, (str, int, float)):
                    problems.add("%s.headers" % field, "each header needs a name and a string value; %s is not "
                                 "one (its value is not shown)" % (properties.shown(name) if isinstance(name, str)
                                                                   else "a name that is not a string"))
    if len(problems) > before:
        return None
    validated = ArgumentSpecValidator(DOWNLOAD_OPTIONS).validate(given)
    for message in validated.error_messages:
        problems.append("%s.%s" % (field, _argument_problem(message)))
    if len(problems) > before:
        return None
    typed = {option: value for option, value in validated.validated_parameters.items() if value is not None}
    if "headers" in typed:
        typed["headers"] = {name: str(value) for name, value in typed["headers"].items()}
    return typed


def shown_url(url: object) -> str:
    """``url`` as it may be shown: without its user:password@, query and fragment, which may be
    credentials (a signed download link carries its token in the query)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host += ":%d" % parts.port
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    except (TypeError, ValueError, AttributeError):
        return "(a URL that could not be read)"


def _source_leaf(item):
    """The file name a src or url ends in: for a url, the last part of its path (never its
    user:password@, query or fragment, which may be credentials)."""
    if item.get("src"):
        return leaf_of(item["src"])
    try:
        return leaf_of(urlsplit(item["url"]).path)
    except (TypeError, ValueError, AttributeError):
        return ""


def _select_files(problems, files, bitness):
    """The file items for Outlook's bitness: items with that ``arch`` and items without one."""
    files = files or []
    archs = {item.get("arch") for item in files if isinstance(item, dict) and item.get("arch")}
    selected = []
    for index, item in enumerate(files):
        field = "message_service_files[%d]" % index
        if not isinstance(item, dict):
            problems.add(field, "expected a dictionary with src (or url and checksum)")
            continue
        if item.get("arch") and bitness and item["arch"] != bitness:
            continue
        if bool(item.get("src")) == bool(item.get("url")):
            problems.add(field, "give exactly one of src (a file on the controller) or url")
            continue
        if item.get("url") and not item.get("checksum"):
            problems.add(field, "url needs checksum, so an unchanged file is not downloaded again and a "
                                "tampered one is refused; add checksum (and checksum_algorithm)")
            continue
        options = _download_options(problems, field, item)
        if options is None:
            continue
        selected.append((index, dict(item, **options)))
    if archs and bitness and bitness not in archs:
        problems.add("message_service_files", "Outlook on this host is %s but no file has arch: %s "
                     "(only %s); add the %s build of the files" % (bitness, bitness,
                                                                   ", ".join(sorted(archs)), bitness))
    return selected


def _plan_files(problems, selected, install_dir):
    planned, by_registered, by_installed = [], {}, {}
    for index, item in selected:
        field = "message_service_files[%d]" % index
        name = item.get("name") or _source_leaf(item)
        problem = file_name_problem(name)
        if problem:
            # Removal deletes <install folder>\<name>: anything but a plain name could reach
            # outside the folder (.., a drive, a wildcard).
            problems.add(field + ".name", "%s; give the installed file name, e.g. contoso32.dll" % problem)
            continue
        if _fold(name) in by_installed:
            problems.add(field + ".name", "%s is installed twice (also by message_service_files[%d]); "
                         "give each file its own name" % (name, by_installed[_fold(name)]["index"]))
            continue
        entry = {
            "index": index,
            "name": name,
            "dest": join(install_dir, name),
            "registered": registered_name(name),
            "registered_path": join(install_dir, registered_name(name)),
            "src": item.get("src"),
            "url": item.get("url"),
            "shown_url": shown_url(item["url"]) if item.get("url") else None,
            "checksum": item.get("checksum"),
            "checksum_algorithm": item.get("checksum_algorithm") or "sha256",
            "arch": item.get("arch"),
        }
        # Only the options given: the role's task omits the others (win_get_url's defaults).
        entry.update((option, item[option]) for option in DOWNLOAD_OPTIONS if item.get(option) is not None)
        by_installed[_fold(name)] = entry
        by_registered.setdefault(_fold(entry["registered"]), entry)
        planned.append(entry)
    return planned, by_registered


def _file_writes(problems, planned, probe, local_sha256):
    """The planned files that differ on the host: (copy, download).

    A controller file (src) is copied unless the installed file has its SHA-256; a download
    (url) is fetched unless the installed file has the declared sha256 checksum (another
    algorithm: win_get_url compares it itself)."""
    copy, download = [], []
    for entry in planned:
        field = "message_service_files[%d]" % entry["index"]
        state = removal.path_state(probe, entry["dest"])
        if state is not None and state.exists and state.directory:
            problems.add(field, "%s is a folder on the host, so the file cannot be installed there; remove the "
                         "folder or give the file another name" % entry["dest"])
            continue
        installed = state.sha256 if state is not None and state.exists else None
        if entry["src"]:
            wanted = None
            if local_sha256 is not None:
                wanted = local_sha256.get(entry["src"])
                if not wanted:
                    problems.add(field + ".src", "%s was not found on the controller (looked for in the role's "
                                 "and the playbook's files folders); give the path of an existing file"
                                 % properties.shown(entry["src"]))
                    continue
            if not (wanted and installed and installed.lower() == wanted.lower()):
                copy.append(entry)
        else:
            declared = str(entry["checksum"]).strip().lower()
            if not (entry["checksum_algorithm"] == "sha256" and installed and installed.lower() == declared):
                download.append(entry)
    return copy, download


def copy_folders(file_copies: t.Iterable[dict[str, t.Any]], extra: t.Iterable[dict[str, t.Any]] = ()
                 ) -> tuple[tuple[dict[str, t.Any], ...], list[dict[str, t.Any]]]:
    """The controller files to write, one group per destination folder:
    ``{"dest": "<folder>\\", "files": [names], "paths": [full paths], "sources": [{"name", "src"} or
    {"name", "content"}]}``.

    The role gives each group to ONE win_copy task whose ``src`` is a controller folder holding
    those files (staged by the plan action). ansible.windows' win_copy action (3.3.0,
    plugins/action/win_copy.py, ``run``) then asks the module once (``_copy_mode: query``) which of all the
    folder's files differ, and sends one file as a ``single`` copy or several as one zip the
    module expands (``_copy_zip_file``, ``_copy_mode: explode``): two module executions per
    folder instead of two per file. ``extra``: more ``{"dest": full path, "src" or "content"}``
    writes; each joins a folder the files already go to (a file of the same name there
    excepted) and is left out otherwise. Returns ``(groups, the extra writes that joined)``."""
    groups = {}
    for entry in file_copies:
        folder = folder_of(entry["dest"])
        group = groups.setdefault(_fold(folder), {"dest": folder + "\\", "files": [], "paths": [], "sources": []})
        group["files"].append(entry["name"])
        group["paths"].append(entry["dest"])
        group["sources"].append({"name": entry["name"], "src": entry["src"]})
    joined = []
    for write in extra:
        group = groups.get(_fold(folder_of(write["dest"])))
        name = leaf_of(write["dest"])
        if group is None or _fold(name) in {_fold(known) for known in group["files"]}:
            continue
        joined.append(write)
        group["files"].append(name)
        group["paths"].append(write["dest"])
        group["sources"].append(dict({key: write[key] for key in ("src", "content") if key in write}, name=name))
    return tuple(groups.values()), joined


def with_profile_files(planned: ServicePlan, profile_plan: default_profile.ProfilePlan, settings: dict[str, t.Any],
                       script_src: str = default_profile.SCRIPT_NAME) -> tuple[ServicePlan, default_profile.ProfilePlan]:
    """``(planned, profile_plan)`` with the PRFs (their rendered text, written as win_copy writes
    ``content``) and the per-user script moved into ``copy_folders`` where they go to a folder
    the service's files are copied to: ``profile_plan.write_prf`` / ``write_prf_append`` /
    ``write_script`` then say
    False, as the profile step no longer writes them itself. Elsewhere (another folder, or no
    file copied there) the profile step writes them, so its tasks alone still do the step."""
    prf = {"dest": settings["prf_path"], "content": settings["prf"]}
    # The PRF for existing profiles (existing_profiles: add) lies beside the PRF.
    prf_append = {"dest": settings.get("prf_append_path"), "content": settings.get("prf_append")}
    script = {"dest": settings["script_path"], "src": script_src}
    folders, joined = copy_folders(planned.file_copies, [write for write, wanted in (
        (prf, profile_plan.write_prf), (prf_append, profile_plan.write_prf_append),
        (script, profile_plan.write_script)) if wanted])
    profile_plan = dataclasses.replace(profile_plan, write_prf=profile_plan.write_prf and prf not in joined,
                                       write_prf_append=profile_plan.write_prf_append and prf_append not in joined,
                                       write_script=profile_plan.write_script and script not in joined)
    return dataclasses.replace(planned, copy_folders=folders), profile_plan


def _resolve_entries(problems, field, declared, by_registered, install_dir):
    """A properties dict with bare DLL names turned into full paths of installed files."""
    if declared is None:
        return None
    if not isinstance(declared, dict):
        problems.add(field, "expected a dictionary of property name: value")
        return declared
    resolved = {}
    for key, value in declared.items():
        resolved[key] = value
        if properties.check_key(key) or properties.kind_of(key) is not properties.DLL:
            continue
        if not isinstance(value, str) or re.search(r"[\\/:]", value):
            continue  # a full path (or a bad value the module reports): used as given
        where = "%s.%s" % (field, key)
        entry = by_registered.get(_fold(value))
        if entry is None:
            match = SUFFIXED.match(value)
            if match and _fold(match.group("stem") + match.group("rest")) in by_registered:
                problems.add(where, "%s carries the 32 suffix MAPI adds itself; write %s"
                             % (properties.shown(value), match.group("stem") + match.group("rest")))
            else:
                problems.add(where, "%s is not among message_service_files (for this host's Outlook "
                             "bitness); add the file (installed as %s) or give a full path"
                             % (properties.shown(value), _suffixed(value)))
            continue
        if _fold(entry["name"]) == _fold(entry["registered"]):
            problems.add(where, "%s is installed as %s, but MAPI loads %s; name the installed file "
                         "%s (message_service_files[%d].name)" % (
                             properties.shown(value), entry["name"], _suffixed(value), _suffixed(value),
                             entry["index"]))
            continue
        if "." in install_dir:
            problems.add("message_service_install_dir", "%s has a period; MAPI inserts 32 before the "
                         "first period of a DLL path, so choose a folder without periods"
                         % properties.shown(install_dir))
            continue
        resolved[key] = entry["registered_path"]
    return resolved


def _suffixed(name):
    stem, dot, rest = name.partition(".")
    return stem + "32" + dot + rest


def _is_property(key, name):
    """Whether entry ``key`` is the named property ``name``, by name or by its tag (the one
    rule: ``properties.identity``)."""
    return isinstance(key, str) and properties.identity(key) == properties.identity(name)


def _has_key(declared, name):
    return any(_is_property(key, name) for key in (declared or {}))


def _delete_files(problems, declared, by_registered, install_dir):
    """The paths PR_SERVICE_DELETE_FILES names (by name or tag), each checked: a plain file name
    (taken inside the install folder) or a full path directly inside the install folder. MAPI
    and the role's removal both delete what it names, so nothing else may be named."""
    paths = []
    for key, value in (declared if isinstance(declared, dict) else {}).items():
        if not _is_property(key, "PR_SERVICE_DELETE_FILES"):
            continue
        field = "message_service_properties.%s" % key
        for item in value if isinstance(value, list) else str(value).split(","):
            item = str(item).strip()
            if not item:
                continue
            entry = by_registered.get(_fold(leaf_of(item)))
            if re.search(r"[\\/:]", item):
                folder = normalized(folder_of(item.replace("/", "\\")))
                problem = file_name_problem(leaf_of(item))
                if folder is None or folder != normalized(install_dir) or problem:
                    problems.add(field, "%s is not a file directly inside the install folder %s; removal deletes "
                                 "only the service's own files there: give the file name alone (e.g. "
                                 "contoso.log) or a full path inside %s" % (
                                     properties.shown(item), install_dir, install_dir))
                    continue
                path = entry["dest"] if entry else item
            else:
                problem = file_name_problem(item)
                if problem:
                    problems.add(field, "%s; give the file name alone, e.g. contoso.log" % problem)
                    continue
                path = entry["dest"] if entry else join(install_dir, item)
            paths.append(path)
    return paths


def _check_profile(problems, spec, name, display_name, facts):
    """The default profile's settings (profile.py), checked in the preflight with the rest."""
    try:
        default_profile.settings(spec, name, display_name=display_name, target=facts)
    except default_profile.ProfileError as error:
        problems.extend(error.problems)


# --- registry -----------------------------------------------------------------------------------

def _registry_items(problems, items, facts, state):
    planned = []
    for index, item in enumerate(items or []):
        field = "message_service_registry[%d]" % index
        if not isinstance(item, dict):
            problems.add(field, "expected a dictionary with path, name, data, type, state")
            continue
        path = item.get("path") or ""
        wanted = "absent" if state == "absent" else (item.get("state") or "present")
        name = item.get("name")
        # An item without name means the key itself: with state absent, the key and all below it.
        problem = registry_path_problem(path, whole_key=name is None and wanted == "absent")
        if problem:
            problems.add(field + ".path", problem)
            continue
        if name is not None and (not isinstance(name, str) or re.search(r"[\x00-\x1f]", name)):
            problems.add(field + ".name", "%s is not a value name (text without control characters); "
                         "give the value's name" % properties.shown(name))
            continue
        if wanted == "present" and name is not None and item.get("data") is None:
            problems.add(field + ".data", "required when name is given and state is present")
            continue
        planned.append({
            "path": in_view(path.rstrip("\\"), item.get("view") or "auto", facts),
            "name": name,
            "data": item.get("data"),
            "type": item.get("type") or "string",
            "state": wanted,
            # Registry data may be a credential: hidden from results, diffs and logs (no_log)
            # unless the item says it is not secret.
            "secret": item.get("secret") is not False,
        })
    return planned


def in_view(path: str, view: str, facts: dict[str, t.Any]) -> str:
    """``HKLM:\\SOFTWARE\\...`` in the registry view a process of the given bitness sees.

    ``auto`` follows Outlook: 32-bit Outlook on 64-bit Windows reads
    ``HKLM:\\SOFTWARE\\WOW6432Node\\...``. ``64-bit`` keeps the path, ``32-bit`` maps it on
    64-bit Windows. Paths outside HKLM:\\SOFTWARE, or already under WOW6432Node, stay."""
    upper = path.upper()
    if not upper.startswith(SOFTWARE.upper() + "\\") or upper.startswith(WOW.upper()):
        return path
    if view == "auto":
        wow = facts.get("windows_arch") == "x64" and facts.get("office_bitness") == "x86"
    else:
        wow = view == "32-bit" and facts.get("windows_arch") == "x64"
    return WOW + path[len(SOFTWARE):] if wow else path


# win_regedit's ``type`` -> the registry type the probe reports.
REG_TYPE = {"string": "REG_SZ", "expandstring": "REG_EXPAND_SZ", "multistring": "REG_MULTI_SZ",
            "dword": "REG_DWORD", "qword": "REG_QWORD", "binary": "REG_BINARY", "none": "REG_NONE"}
_HEX_BYTE = re.compile(r"^[0-9a-fA-F]{1,2}$")


def declared_data(reg_type: str, data: object) -> t.Union[str, int, list[str], None]:
    """The declared ``data`` in the form the probe reports for ``reg_type`` (REG_SZ...), or None
    when it is given in a form whose stored bytes this core does not predict with certainty
    (the value is then written, and win_regedit compares itself).

    The forms follow win_regedit's documentation: numbers as a decimal number or a hex value,
    multistring values as a list, binary and none data as a list of bytes or comma separated
    hex values with an optional ``hex:`` prefix."""
    if reg_type in ("REG_SZ", "REG_EXPAND_SZ"):
        return data if isinstance(data, str) else None
    if reg_type == "REG_MULTI_SZ":
        if isinstance(data, list) and all(isinstance(item, str) for item in data):
            return list(data)
        return None
    if reg_type in ("REG_DWORD", "REG_QWORD"):
        limit = 1 << (32 if reg_type == "REG_DWORD" else 64)
        number = None
        if isinstance(data, int) and not isinstance(data, bool):
            number = data
        elif isinstance(data, str) and re.match(r"^\s*(0[xX][0-9a-fA-F]+|[0-9]+)\s*$", data):
            number = int(data.strip(), 0) if data.strip().lower().startswith("0x") else int(data.strip())
        return number if number is not None and 0 <= number < limit else None
    if reg_type in ("REG_BINARY", "REG_NONE"):
        if isinstance(data, list) and all(isinstance(item, int) and not isinstance(item, bool)
                                          and 0 <= item <= 255 for item in data):
            return bytes(data).hex()
        if isinstance(data, str):
            text = data.strip()
            text = text[4:] if text.lower().startswith("hex:") else text
            parts = [part.strip() for part in text.split(",")] if text else []
            if all(_HEX_BYTE.match(part) for part in parts):
                return "".join(part.lower().rjust(2, "0") for part in parts)
        return None
    return None


def _registry_writes(probe, items):
    """The items to write: those that differ, less a bare key (no value name) that a value
    written in the same key creates anyway."""
    writes = [item for item in items if _registry_differs(probe, item)]
    valued = {_fold(item["path"]) for item in writes if item["name"] is not None and item["state"] == "present"}
    return [item for item in writes
            if not (item["name"] is None and item["state"] == "present" and _fold(item["path"]) in valued)]


def _registry_differs(probe, item):
    """Whether ``item`` (a checked registry item) needs win_regedit on this host. Unknown
    (not probed, unreadable, data in a form not predicted): it does."""
    state = probe.value(item["path"], item["name"]) if probe is not None else None
    if state is None or state.error:
        return True
    if item["state"] == "absent":
        return state.exists if item["name"] is not None else state.key_exists
    if item["name"] is None:
        return not state.key_exists
    if item["name"] == "":
        return True  # the key's default value: not told apart from the key itself everywhere
    reg_type = REG_TYPE.get(str(item["type"]).lower())
    wanted = declared_data(reg_type, item["data"]) if reg_type else None
    if wanted is None or not state.exists or state.type != reg_type:
        return True
    try:
        held = state.sha256 if state.sha256 is not None else canonical_sha256(state.type, state.data)
        return held != canonical_sha256(reg_type, wanted)
    except ValueError:
        return True


# --- MAPISVC.INF --------------------------------------------------------------------------------

def _option_problem(problem):
    """A mapisvc option's problem named by the role variable it comes from."""
    for option, variable in OPTION_VARIABLES.items():
        for lead in ("%s:" % option, "%s." % option, "%s[" % option, "%s " % option):
            if problem.startswith(lead):
                return variable + problem[len(option):]
    return problem


def _mapisvc_args(problems, service_args, state, name, display_name, resolved, providers):
    """The options the role passes to mapi.messaging.mapisvc (``path`` and ``create`` come from
    each copy), validated and typed as the action validates them, so the plan and the action
    read the same values. None when MAPISVC.INF is not planned or the options are wrong."""
    if service_args is None:
        return None
    unknown = sorted(set(service_args) - set(PASSED_OPTIONS))
    if unknown:
        # The role's tasks pass these; a misspelt one must fail here, not pass unnoticed.
        problems.add("service_args", "unknown options %s; known are %s"
                     % (", ".join(unknown), ", ".join(sorted(PASSED_OPTIONS))))
        return None
    if not name:
        return None
    given = dict(service_args, service=name, state=state)
    if state == "present":
        given.update(display_name=display_name, properties=resolved)
    else:
        for option in ("purge", "default_service", "help_file"):
            given.pop(option, None)
    given["providers"] = providers
    given = {option: value for option, value in given.items() if value is not None}
    spec = {option: value for option, value in ARGUMENT_SPEC.items() if option not in ("path", "create", "src")}
    validator = ArgumentSpecValidator(spec, mutually_exclusive=MUTUALLY_EXCLUSIVE, required_one_of=REQUIRED_ONE_OF)
    validated = validator.validate(given)
    if validated.error_messages:
        for message in validated.error_messages:
            problems.append(_option_problem(_argument_problem(message)))
        return None
    problem = ini.check_codepage(validated.validated_parameters["codepage"])
    if problem:
        problems.append(_option_problem(problem))
        return None
    options = {option: value for option, value in validated.validated_parameters.items() if value is not None}
    try:
        # Checked once without a file, as the action does before reading any.
        mapisvc_plan.declared_by_options(options, _any_text)
    except DeclarationError as error:
        problems.extend(_option_problem(problem) for problem in error.problems)
        return None
    return options


def _any_text(text):
    del text
    return True


def _argument_problem(message):
    """Ansible's argument message (``argument 'purge' is of type ...``) as ``purge: ...``."""
    match = re.match(r"^(?:argument|value of) '?([a-z_]+)'? (.*)$", message)
    return "%s: %s" % (match.group(1), match.group(2)) if match else message


def _mapisvc_writes(problems, facts, probe, options, present):
    """The MAPISVC.INF copies the mapisvc action would change: ``[{path, create}]``.

    Each copy's probed bytes are edited with ``plan.edit``, as the action will; a copy that
    would be refused (it cannot be read safely, or the declaration may not change it) is a
    problem now, before any change. A copy whose bytes the probe did not return is kept."""
    if present:
        copies = [dict(item) for item in facts.get("mapisvc_files") or []]
    else:
        # Removal edits the copies that exist (and named copies, which may not).
        copies = [{"path": path, "create": False} for path in facts.get("mapisvc_paths") or []]
    read = {_fold(copy.path): copy.content for copy in (probe.copies if probe is not None else ())}
    missing = {_fold(path) for path in (probe.missing if probe is not None else ())}
    writes = []
    for copy in copies:
        folded = _fold(copy["path"])
        if folded in read:
            original = read[folded]
        elif folded in missing or (probe is not None and copy.get("create") and not facts.get("mapisvc_override")):
            original = None  # known not to exist: created (present) or nothing to remove (absent)
        else:
            writes.append(copy)  # not read: the action reads and decides
            continue
        if original is None and not present:
            continue
        try:
            edited = mapisvc_plan.edit(original, mapisvc_plan.from_options(options), options["state"],
                                       options.get("purge", False), options["codepage"])
        except ini.IniError as error:
            problems.append("MAPISVC.INF %s: %s; nothing was changed on this host" % (copy["path"], error))
            continue
        except DeclarationError as error:
            problems.extend("MAPISVC.INF %s: %s" % (copy["path"], problem) for problem in error.problems)
            continue
        if edited.changed:
            writes.append(copy)
    return writes


# --- in use -------------------------------------------------------------------------------------

def in_use_problems(outlook: t.Iterable[t.Union[OutlookProcess, dict[str, t.Any]]],
                    locked: t.Iterable[t.Union[LockedFile, dict[str, t.Any]]]) -> list[str]:
    """Problems from the in-use check: a running Outlook (``outlook``: items with ``id`` and
    ``session``) or files a process holds (``locked``: items with ``path`` and ``error``)."""
    problems = Problems()
    if outlook:
        problems.add("Outlook", "OUTLOOK.EXE is running (process %s); it keeps MAPI and the service's DLLs "
                     "loaded, so files could not be replaced and MAPISVC.INF would be changed half-way. "
                     "Close Outlook on this host (or run when users are logged off) and run again" % ", ".join(
                         "%s in session %s" % (_part(item, "id"), _part(item, "session")) for item in outlook))
    for item in locked:
        problems.add("message_service_files", "%s is in use by a running process (%s); it cannot be replaced "
                     "or deleted. Close the program that loaded it (MAPI clients such as Outlook) and run again"
                     % (_part(item, "path"), _part(item, "error") or "locked"))
    return list(problems)


def _part(item, name):
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def _in_use(probe, writes, copies):
    """The in-use problems that matter for this plan: Outlook only stops a run that replaces or
    deletes files or edits MAPISVC.INF, and a locked file only when the plan replaces or
    deletes it (a run that changes none of them is safe with Outlook open)."""
    if probe is None:
        return []
    touched = [entry["dest"] for entry in list(writes["file_copies"]) + list(writes["download"])]
    touched += list(writes["delete_paths"])
    folded = {_where(probe, path) for path in touched}
    locked = [item for item in probe.locked if _where(probe, item.path) in folded]
    acts = bool(touched or copies or writes.get("remove_install_dir"))
    return in_use_problems(probe.outlook if acts else (), locked)


def _where(probe, path):
    """A path as the host names it (``%VAR%`` expanded when the probe read it), folded."""
    state = probe.path(path)
    return _fold((state.expanded if state is not None else path).rstrip("\\"))


# --- what the probe must read -----------------------------------------------------------------

# The Program Files folders a default install folder may be in, for the probe to expand; which
# one applies is known only once the probe has told Windows' and Outlook's bitness.
PROGRAM_FILES_CANDIDATES = ("%ProgramFiles%", "%ProgramFiles(x86)%", "%ProgramW6432%")
# Hosts that map a registry item to each view it may land in (auto follows Outlook's bitness).
_VIEW_HOSTS = ({"windows_arch": "x64", "office_bitness": "x64"}, {"windows_arch": "x64", "office_bitness": "x86"},
               {"windows_arch": "x86", "office_bitness": "x86"})


def probe_needs(*, state: str = "present", name: t.Optional[str] = None, files: t.Optional[list[t.Any]] = None,
                install_dir: t.Optional[str] = None, properties: t.Optional[dict[str, t.Any]] = None,
                registry: t.Optional[list[t.Any]] = None, messaging_subsystem: bool = False) -> dict[str, list[t.Any]]:
    """What the probe must read for ``plan``: ``paths`` (install folders and the files in them,
    for their SHA-256 and existence), ``values`` (registry values, in each view they may land
    in) and ``in_use_paths``, as keyword arguments of ``probe.parameters``. Malformed variables
    are left out here: ``plan`` reports them."""
    ignored = Problems()
    if install_dir:
        folders = [] if path_problem(install_dir) else [install_dir]
    elif name and not file_name_problem(name):
        folders = [join(root, name) for root in PROGRAM_FILES_CANDIDATES]
    else:
        folders = []
    file_paths = []
    for folder in folders:
        planned, by_registered = _plan_files(ignored, _select_files(ignored, files, None), folder)
        file_paths += [entry["dest"] for entry in planned]
        file_paths += _delete_files(ignored, properties, by_registered, folder)
    values = []
    for host in _VIEW_HOSTS:
        values += [{"key": item["path"], "name": item["name"], "secret": item["secret"]}
                   for item in _registry_items(ignored, registry, host, state)]
    if messaging_subsystem and state == "present":
        values += [{"key": "%s\\%s" % (root, MESSAGING), "name": value_name, "secret": False}
                   for root in (SOFTWARE, WOW) for value_name, _data in MESSAGING_SUBSYSTEM_VALUES]
    file_paths = ini.unique(file_paths)
    return {"paths": ini.unique(folders + file_paths), "values": values, "in_use_paths": file_paths}
