# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report: what ``mapisvc_info`` found on every host, added up per service.

A pure core, no I/O and no clock: ``build`` takes each host's record (what the audit
playbook collected) and an optional declared desired state and returns the report as plain
data; ``render_json``, ``render_csv`` and ``render_html`` (``report_html``: a Jinja2 template
with autoescaping) turn that data into file text. All three renderings are made from the same
data, so they cannot disagree.

A host record is one of
- ``{"status": "ok", "files": [...]}``: the ``files`` list ``mapisvc_info`` returned;
- ``{"status": "failed", "message": str, "task": str}``: a task failed on the host;
- ``{"status": "unreachable", "message": str}``: Ansible could not reach it (offline
  workstations: the stragglers a re-run must catch).

Its shape is checked whole before anything is added up: a record of another shape is a
ReportError naming host and field (``results[ws01].files[0].services[1].name``), never the
value (it may be a credential). Any record may carry ``address``, the address the connection
used (``ansible_host``): stragglers' messages name it, and are grouped with it taken out.

Any record may also carry ``profiles``: the profile census of the host (``census.Census.as_dict``,
as ``message_service_plan`` with detection or ``mapisvc_info`` with ``profiles`` return it). It
is counted per service with ``census.counts`` only. A host without it has "not read" profiles,
never zero users; a census of the wrong shape does not stop the report: that host's profiles
are "not read" too and ``profile_errors`` names the host and the field.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from typing import Any, Optional

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import NoLogError

from ansible_collections.mapi.messaging.plugins.module_utils.mapisvc_spec import ARGUMENT_SPEC
from ansible_collections.mapi.messaging.plugins.plugin_utils import census, declaration, gate, properties, report_html
from ansible_collections.mapi.messaging.plugins.plugin_utils.ini import fold
from ansible_collections.mapi.messaging.plugins.plugin_utils.probe import shown

FORMAT = 1
STATUSES = ("ok", "failed", "unreachable")
# mapisvc options that say how to write, not what the file should say: accepted in a
# desired state (so a mapisvc task's arguments can be reused as they are) and ignored.
HOW_TO_WRITE = ("path", "backup", "create", "codepage", "allow_secrets", "purge", "src")
# Every other option of mapisvc's argument spec says what the file holds.
DECLARED_OPTIONS = tuple(name for name in ARGUMENT_SPEC if name not in HOW_TO_WRITE)
IGNORED_OPTIONS = tuple(name for option in HOW_TO_WRITE
                        for name in [option] + ARGUMENT_SPEC[option].get("aliases", []))
# A desired state is checked and converted as mapisvc's own options are (a "false" string is
# the boolean false), except that it needs no path: it describes, it writes nowhere.
_DESIRED_SPEC = copy.deepcopy(ARGUMENT_SPEC)
_DESIRED_SPEC["path"]["required"] = False
CSV_COLUMNS = ("record", "host", "status", "path", "exists", "encoding", "service", "default",
               "section", "key", "value", "expected", "severity", "code", "message", "fix",
               "task", "count", "hosts", "in_default_profile", "with_profile", "not_inspected")
# The per-service profile figures, in the order the report shows them.
PROFILE_FIGURES = ("in_default_profile", "with_profile", "not_inspected")


class ReportError(ValueError):
    """Input the report cannot use; the message names the field and the fix."""


# ---------------------------------------------------------------------------------------
# Input checks

def _check_records(records):
    if not isinstance(records, dict):
        raise ReportError("results: expected a dictionary of inventory host name: record, got %s"
                          % type(records).__name__)
    hosts = {}
    for host, record in records.items():
        where = "results[%s]" % host
        if record is None:
            # A host the playbook targeted that never reported: nothing ran there.
            record = {"status": "unreachable", "message": "no result recorded for this host"}
        if not isinstance(record, dict):
            raise ReportError("%s: expected a dictionary with status, got %s" % (where, type(record).__name__))
        status = record.get("status")
        if status not in STATUSES:
            raise ReportError("%s.status: %s is not one of %s" % (where, shown(status), ", ".join(STATUSES)))
        files = record.get("files") or []
        if status == "ok" and not isinstance(record.get("files"), list):
            raise ReportError("%s.files: a host with status ok needs the files list mapisvc_info "
                              "returned (register the task and pass its files)" % where)
        for i, item in enumerate(files):
            _check_file("%s.files[%d]" % (where, i), item)
        address = record.get("address")
        if address is not None:
            # The address the connection used (ansible_host): stragglers' messages name it.
            _require(where + ".address", address, (str,), "the host's address (ansible_host, a string) or null")
        hosts[str(host)] = {"status": status, "message": str(record.get("message") or ""),
                            "task": str(record.get("task") or ""), "files": [_redacted(item) for item in files],
                            # Checked where it is counted (census.counts), per host: one bad census
                            # must not cost the fleet its report.
                            "profiles": record.get("profiles"), "address": address}
    return hosts


# The shape of one mapisvc_info file entry, checked before anything is added up, so an odd
# record (another tool's, a hand-made one) is refused naming its field, never a traceback.
_FILE_TEXTS = ("encoding",)
_SERVICE_TEXTS = ("display_name",)
_FINDING_TEXTS = ("severity", "code", "service", "section", "key", "message", "fix")
_FIX = "; pass the files list mapisvc_info returned for the host"


def _require(where, value, kinds, what):
    # Only the type is named: the value may be anything a host held, a credential too.
    if not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds:
        got = "null" if value is None else type(value).__name__
        raise ReportError("%s: expected %s, got %s%s" % (where, what, got, _FIX))
    return value


def _check_texts(where, entry, names):
    for name in names:
        if entry.get(name) is not None:
            _require("%s.%s" % (where, name), entry[name], (str,), "a string or null")


def _check_values(where, values):
    """A section's entries: entry name -> value as read (a string, or null)."""
    if values is None:
        return
    _require(where, values, (dict,), "a dictionary of entry name: value")
    for key, value in values.items():
        _require("%s key %s" % (where, shown(key)), key, (str,), "an entry name (a string)")
        if value is not None:
            _require("%s[%s]" % (where, key), value, (str,), "the value as read (a string)")


def _check_list(where, value, what):
    if value is None:
        return []
    return _require(where, value, (list,), "a list of %s" % what)


def _check_section(where, section):
    _require(where, section, (dict,), "a dictionary with name and properties")
    _require(where + ".name", section.get("name"), (str,), "the section's name (a string)")
    _check_values(where + ".properties", section.get("properties"))


def _check_file(where, item):
    _require(where, item, (dict,), "a mapisvc_info file entry with path and exists")
    if "path" not in item or "exists" not in item:
        raise ReportError("%s: expected a mapisvc_info file entry with path and exists%s" % (where, _FIX))
    _require(where + ".path", item["path"], (str,), "the file's path (a string)")
    _require(where + ".exists", item["exists"], (bool,), "true or false")
    _check_texts(where, item, _FILE_TEXTS)
    for i, service in enumerate(_check_list(where + ".services", item.get("services"), "services")):
        at = "%s.services[%d]" % (where, i)
        _check_section(at, service)
        _check_texts(at, service, _SERVICE_TEXTS)
        for group in ("providers", "sections"):
            for j, linked in enumerate(_check_list("%s.%s" % (at, group), service.get(group), "sections")):
                _check_section("%s.%s[%d]" % (at, group, j), linked)
    for i, finding in enumerate(_check_list(where + ".findings", item.get("findings"), "findings")):
        at = "%s.findings[%d]" % (where, i)
        _require(at, finding, (dict,), "a finding (a dictionary with severity, code, message)")
        _check_texts(at, finding, _FINDING_TEXTS)


def _redacted_values(values):
    if not isinstance(values, dict):
        return values
    return {key: properties.redact(str(key), value) for key, value in values.items()}


def _redacted(item):
    """A file entry with values that look like credentials masked (properties.redact, the rule
    mapisvc_info applies too; files from older runs or other tools may still carry them): the
    report must not copy them to everyone who reads it."""
    item = dict(item)
    services = []
    for service in item.get("services") or []:
        service = dict(service, display_name=properties.redact("", service.get("display_name")),
                       properties=_redacted_values(service.get("properties")))
        for group in ("providers", "sections"):
            service[group] = [dict(linked, properties=_redacted_values(linked.get("properties")))
                              for linked in service.get(group) or []]
        services.append(service)
    item["services"] = services
    return item


def _check_desired(desired):
    """The desired state as declaration.Service objects plus their states; None when not given.
    Accepts one mapisvc-style dictionary or a list of them."""
    if desired is None or desired == {} or desired == []:
        return []
    items = desired if isinstance(desired, list) else [desired]
    checked, problems = [], []
    for i, item in enumerate(items):
        where = "desired" if not isinstance(desired, list) else "desired[%d]" % i
        if not isinstance(item, dict):
            problems.append("%s: expected a dictionary in the shape of the mapisvc options "
                            "(service, display_name, properties, providers, sections)" % where)
            continue
        unknown = sorted(set(item) - set(DECLARED_OPTIONS) - set(IGNORED_OPTIONS))
        if unknown:
            problems.append("%s: unknown option(s) %s; a desired state takes the mapisvc options %s"
                            % (where, ", ".join(unknown), ", ".join(DECLARED_OPTIONS)))
            continue
        validated = ArgumentSpecValidator(_DESIRED_SPEC).validate(item)
        errors = [error.error_message for error in validated.errors if not isinstance(error, NoLogError)]
        if errors:
            problems.extend("%s: %s" % (where, error) for error in errors)
            continue
        # The report only compares, so credential-looking values may be declared, and a
        # provider may be declared by the entries to compare only.
        args = dict(validated.validated_parameters, allow_secrets=True)
        try:
            service = declaration.from_args(args, partial=True)
        except declaration.DeclarationError as e:
            problems.extend("%s.%s" % (where, problem) for problem in e.problems)
            continue
        checked.append((service, args["state"]))
    if problems:
        raise ReportError("%d problem(s) in the desired state:\n- %s" % (len(problems), "\n- ".join(problems)))
    return checked


def check_desired(desired: object) -> list[tuple[declaration.Service, str]]:
    """The desired state checked (ReportError naming the field), before any result is read."""
    return _check_desired(desired)


# ---------------------------------------------------------------------------------------
# Aggregation

def _existing(files):
    return [item for item in files if item.get("exists")]


def _linked_sections(service):
    """(section name, properties) for the service section, its providers and linked sections
    that exist, as mapisvc_info read them."""
    yield service["name"], service.get("properties") or {}
    for group in ("providers", "sections"):
        for linked in service.get(group) or []:
            if linked.get("exists", True):
                yield linked["name"], linked.get("properties") or {}


class _Counter:
    """value -> sorted hosts, first spelling kept, insertion order of first sight."""

    def __init__(self):
        self.hosts = {}

    def add(self, value: object, host: str) -> None:
        self.hosts.setdefault(value, set()).add(host)

    def rows(self) -> list[dict[str, Any]]:
        return [{"value": value, "hosts": sorted(hosts)}
                for value, hosts in sorted(self.hosts.items(), key=lambda kv: (-len(kv[1]), str(kv[0])))]


def _service_rows(hosts):
    by_name = {}
    for host, record in hosts.items():
        for item in _existing(record["files"]):
            for service in item.get("services") or []:
                key = fold(service["name"])
                entry = by_name.setdefault(key, {
                    "name": service["name"], "hosts": set(), "default": set(),
                    "display_names": _Counter(), "dlls": {}, "properties": {}})
                entry["hosts"].add(host)
                if service.get("default"):
                    entry["default"].add(host)
                entry["display_names"].add(service.get("display_name"), host)
                for section, values in _linked_sections(service):
                    for name, value in values.items():
                        slot = (fold(section), fold(name))
                        dll = properties.kind_of(name) is properties.DLL
                        target = entry["dlls"] if dll else entry["properties"]
                        target.setdefault(slot, (section, name, _Counter()))[2].add(value, host)
    rows = []
    # Most widespread first (the chart reads top down), then by name.
    for key in sorted(by_name, key=lambda name: (-len(by_name[name]["hosts"]), name)):
        entry = by_name[key]

        def listed(table: dict[tuple[str, str], tuple[str, str, _Counter]]) -> list[dict[str, Any]]:
            return [{"section": section, "key": name, "values": counter.rows()}
                    for section, name, counter in table.values()]

        rows.append({
            "name": entry["name"],
            "hosts": len(entry["hosts"]),
            "host_names": sorted(entry["hosts"]),
            "default_hosts": len(entry["default"]),
            "display_names": entry["display_names"].rows(),
            "dlls": listed(entry["dlls"]),
            "properties": listed(entry["properties"]),
        })
    return rows


def _finding_groups(hosts):
    groups = {}
    for host, record in hosts.items():
        for item in record["files"]:
            for finding in item.get("findings") or []:
                code = finding.get("code") or "unknown"
                group = groups.setdefault(code, {"code": code, "severity": finding.get("severity") or "warning",
                                                 "hosts": set(), "occurrences": []})
                if finding.get("severity") == "error":
                    group["severity"] = "error"
                group["hosts"].add(host)
                group["occurrences"].append({
                    "host": host, "path": item["path"], "service": finding.get("service"),
                    "section": finding.get("section"), "key": finding.get("key"),
                    "severity": finding.get("severity"), "message": finding.get("message") or "",
                    "fix": finding.get("fix") or ""})
    rows = []
    for group in groups.values():
        group["hosts"] = sorted(group["hosts"])
        group["host_count"] = len(group["hosts"])
        rows.append(group)
    # Errors first, then the most widespread.
    rows.sort(key=lambda g: (g["severity"] != "error", -g["host_count"], g["code"]))
    return rows


def _same(key, expected, actual):
    """Declared and found values mean the same. A DLL declared by its bare file name (as the
    message_service role's variables do) matches a full path ending in that name: the role
    writes the path of its install folder, which differs per host."""
    if properties.same(key, expected, actual):
        return True
    if actual is None or properties.kind_of(key) is not properties.DLL or re.search(r"[\\/]", expected):
        return False
    return fold(re.split(r"[\\/]", actual)[-1]) == fold(expected)


def _secret(key, expected):
    """A declared value that looks like a credential (properties.looks_secret, the rule that
    masks the found values): it is never shown, and as the host's value was masked too, it is
    compared by presence only."""
    return isinstance(expected, str) and properties.looks_secret(key or "", expected)


def _differs(key, expected, actual):
    """None when the declared and found values of ``key`` agree, else the (expected, actual)
    pair to show: a credential-looking declared value is shown masked and only needs to be there."""
    if _secret(key, expected):
        return None if actual is not None else (properties.REDACTED, None)
    if _same(key, expected, actual):
        return None
    return expected, actual


def _drift_one(service, state, item):
    """Differences between one declared service and one existing file: list of
    (section, key, expected, actual)."""
    found = None
    for candidate in item.get("services") or []:
        if fold(candidate["name"]) == fold(service.name):
            found = candidate
    if state == "absent":
        return [] if found is None else [("Services", service.name, None, found.get("display_name"))]
    if found is None:
        return [("Services", service.name, properties.redact("", service.display_name), None)]
    out = []
    if service.display_name is not None:
        if _secret("", service.display_name):
            differs = None if found.get("display_name") is not None else (properties.REDACTED, None)
        elif found.get("display_name") != service.display_name:
            differs = (service.display_name, found.get("display_name"))
        else:
            differs = None
        if differs:
            out.append(("Services", service.name) + differs)
    if service.default_service is not None and bool(found.get("default")) != service.default_service:
        out.append(("Default Services", service.name, "listed" if service.default_service else "not listed",
                    "listed" if found.get("default") else "not listed"))
    actual_entries = found.get("properties") or {}
    for key, expected in service.section_entries().items():
        differs = _differs(key, expected, properties.find(actual_entries.items(), key))
        if differs:
            out.append((service.name, key) + differs)
    linked = {fold(s["name"]): s for group in ("providers", "sections") for s in (found.get(group) or [])}
    for declared in service.linked():
        actual_section = linked.get(fold(declared.name))
        if actual_section is not None and not actual_section.get("exists", True):
            actual_section = None
        if actual_section is None:
            out.append((declared.name, None, "section present", None))
            continue
        for key, expected in declared.entries.items():
            differs = _differs(key, expected, properties.find((actual_section.get("properties") or {}).items(), key))
            if differs:
                out.append((declared.name, key) + differs)
    return out


def _drift(hosts, desired):
    rows = []
    for host, record in hosts.items():
        if record["status"] != "ok":
            continue
        existing = _existing(record["files"])
        for service, state in desired:
            if not existing and state == "present":
                rows.append({"host": host, "path": None, "service": service.name, "section": None,
                             "key": None, "expected": "a MAPISVC.INF declaring the service",
                             "actual": "no MAPISVC.INF at the audited paths"})
            for item in existing:
                for section, key, expected, actual in _drift_one(service, state, item):
                    rows.append({"host": host, "path": item["path"], "service": service.name,
                                 "section": section, "key": key, "expected": expected, "actual": actual})
    return rows


def _profile_names(services, declared):
    """The services whose profile figures the report shows: every service found, then each
    declared one no host lists (a rollout's service is counted before it is everywhere)."""
    names = [row["name"] for row in services]
    known = {fold(name) for name in names}
    for service, dummy in declared:
        if fold(service.name) not in known:
            known.add(fold(service.name))
            names.append(service.name)
    return names


def _host_profiles(host, record, names):
    """One host's census counted per service (census.counts, the one counting rule):
    ``{"read": bool, "error": str|None, "services": {name: counts}}``. Not read when the
    record carries no census, or one of the wrong shape (the error names host and field)."""
    value = record["profiles"]
    if value is None:
        return {"read": False, "error": None, "services": {}}
    try:
        per_service = {name: census.counts(value, name, where="results[%s].profiles" % host) for name in names}
        if not names:
            # Nothing to count, but a census of the wrong shape is still named.
            census.counts(value, "-", where="results[%s].profiles" % host)
    except ValueError as e:
        return {"read": False, "error": str(e), "services": {}}
    return {"read": True, "error": None, "services": per_service}


def _fleet_profiles(names, per_host):
    """Per service, the census figures added up over the hosts whose census was read, and how
    many hosts that is and is not: a host not read is never counted as zero users."""
    read = [counted for counted in per_host.values() if counted["read"]]
    rows = []
    for name in names:
        row = {"service": name, "hosts_read": len(read), "hosts_not_read": len(per_host) - len(read)}
        for figure in census.COUNT_KEYS:
            # No census read anywhere: the figures are unknown (null), not zero users.
            row[figure] = sum(counted["services"][name][figure] for counted in read) if read else None
        rows.append(row)
    return rows


def _host_profile_row(counted, wanted):
    """What a host row keeps of its census counts: the services it lists and the declared ones."""
    return {"read": counted["read"], "error": counted["error"],
            "services": {name: figures for name, figures in counted["services"].items() if fold(name) in wanted}}


def _naming(name):
    """A pattern for where a message names the host ``name``: the whole token only (``ws01`` in
    ``ws01.corp.example.com`` or ``ws01:5986``, never in ``ws010``). A name of letters only may
    be an ordinary word of the message (a host called ``the``), so it is taken for the host
    only where messages name a host: quoted, after ``//``, ``\\`` or ``@``, or followed by its
    domain or port."""
    escaped = re.escape(name)
    if not name.isalpha():
        return r"(?<![\w.-])%s(?![\w-])" % escaped
    return r"(?<=['\"/\\@])%s(?![\w-])|(?<![\w.-])%s(?=\.\w|:\d)" % (escaped, escaped)


def _generic_message(message, names):
    """A straggler's message with the host's own names (its address first: an FQDN starts with
    the inventory name) taken out, so that one WinRM time-out on 54 hosts is one group although
    each message names its host. Names shorter than 3 characters are left: too likely a word."""
    for name in names:
        if name and len(name) >= 3:
            message = re.sub(_naming(name), "<host>", message, flags=re.IGNORECASE)
    return message


def _straggler_groups(stragglers, hosts):
    """Stragglers grouped by status, task and message (host name and address taken out),
    largest first."""
    groups = {}
    for row in stragglers:
        names = (hosts[row["host"]]["address"], row["host"])
        key = (row["status"], row["task"], _generic_message(row["message"], names))
        groups.setdefault(key, []).append(row["host"])
    rows = [{"status": status, "task": task, "message": message, "count": len(hosts), "hosts": sorted(hosts)}
            for (status, task, message), hosts in groups.items()]
    rows.sort(key=lambda group: (-group["count"], group["status"], group["message"]))
    return rows


def build(records: object, desired: object = None, generated: Optional[str] = None, title: Optional[str] = None,
          scope: Optional[str] = None) -> dict[str, Any]:
    """The report as plain data (what the JSON file holds). ``scope``: which hosts the
    report covers when not the whole inventory (a limited run), in words."""
    hosts = _check_records(records)
    declared = _check_desired(desired)
    services = _service_rows(hosts)
    findings = _finding_groups(hosts)
    drift = _drift(hosts, declared)
    drifted = {row["host"] for row in drift}
    profile_names = _profile_names(services, declared)
    per_host_profiles = {host: _host_profiles(host, hosts[host], profile_names) for host in hosts}
    declared_folded = {fold(service.name) for service, dummy in declared}

    host_rows = []
    for host in sorted(hosts):
        record = hosts[host]
        severities = {"error": 0, "warning": 0}
        for item in record["files"]:
            for finding in item.get("findings") or []:
                if finding.get("severity") in severities:
                    severities[finding["severity"]] += 1
        names = sorted({s["name"] for item in _existing(record["files"]) for s in item.get("services") or []},
                       key=fold)
        host_rows.append({
            "host": host, "status": record["status"], "message": record["message"], "task": record["task"],
            "files": [{"path": f["path"], "exists": bool(f["exists"]), "encoding": f.get("encoding")}
                      for f in record["files"]],
            "files_found": len(_existing(record["files"])),
            "services": names, "findings": severities,
            "drift": (host in drifted) if declared else None,
            "profiles": _host_profile_row(per_host_profiles[host], set(map(fold, names)) | declared_folded),
        })
        # The one definition of compliant is the gate's, so the figure at the top of the
        # report and below_compliant_percent cannot disagree.
        host_rows[-1]["compliant"] = gate.compliant(host_rows[-1], bool(declared))
    reached = [row for row in host_rows if row["status"] == "ok"]
    compliant = sum(1 for row in host_rows if row["compliant"])
    stragglers = [{"host": row["host"], "status": row["status"], "message": row["message"], "task": row["task"]}
                  for row in host_rows if row["status"] != "ok"]
    summary = {
        "hosts": len(host_rows),
        "reached": len(reached),
        "unreachable": sum(1 for row in host_rows if row["status"] == "unreachable"),
        "failed": sum(1 for row in host_rows if row["status"] == "failed"),
        "without_file": sum(1 for row in reached if not row["files_found"]),
        "with_errors": sum(1 for row in reached if row["findings"]["error"]),
        "with_warnings": sum(1 for row in reached if row["findings"]["warning"]),
        "drifted": len(drifted) if declared else None,
        "compliant": compliant,
        # The gate's figure: the percentage shown is the one below_compliant_percent compares.
        "compliant_percent": gate.compliant_percent(compliant, len(host_rows)),
        "profiles_read": sum(1 for counted in per_host_profiles.values() if counted["read"]),
        "services": len(services),
        "findings": {severity: sum(row["findings"][severity] for row in host_rows)
                     for severity in ("error", "warning")},
    }
    return {
        "format": FORMAT,
        "title": title or "MAPISVC.INF fleet report",
        "generated": generated,
        "scope": scope or None,
        "summary": summary,
        "desired": [{"service": s.name, "state": state} for s, state in declared] or None,
        "services": services,
        "findings": findings,
        "drift": drift,
        "profiles": _fleet_profiles(profile_names, per_host_profiles),
        "profile_errors": [{"host": host, "message": per_host_profiles[host]["error"]}
                           for host in sorted(hosts) if per_host_profiles[host]["error"]],
        "stragglers": stragglers,
        "straggler_groups": _straggler_groups(stragglers, hosts),
        "hosts": host_rows,
        "files": {row["host"]: hosts[row["host"]]["files"] for row in host_rows},
    }


# ---------------------------------------------------------------------------------------
# Renderings

def render_json(report: dict[str, Any]) -> str:
    # No indent: Python's C encoder only handles the compact form, which is many times faster
    # on a fleet-sized report (``python -m json.tool`` pretty-prints it).
    return json.dumps(report, ensure_ascii=False, separators=(",", ":")) + "\n"


NOT_READ = "not read"


def _profile_cells(figures):
    return {figure: figures[figure] for figure in PROFILE_FIGURES}


def _csv_rows(report):
    """One row per fact, tidy: filter by ``record`` (summary, host, file, service, property,
    finding, drift, straggler_group, profiles, service_profiles) in a spreadsheet."""
    summary = report["summary"]
    for key, value in summary.items():
        if isinstance(value, dict):
            for sub, number in value.items():
                yield {"record": "summary", "key": "%s.%s" % (key, sub), "value": number}
        else:
            yield {"record": "summary", "key": key, "value": value}
    for group in report["straggler_groups"]:
        yield {"record": "straggler_group", "status": group["status"], "task": group["task"],
               "message": group["message"], "count": group["count"], "hosts": " ".join(group["hosts"])}
    for fleet in report["profiles"]:
        # Added up over the hosts whose census was read; none read is "not read", not zero.
        row = {"record": "service_profiles", "service": fleet["service"], "count": fleet["hosts_read"],
               "message": "not read on %d host(s)" % fleet["hosts_not_read"] if fleet["hosts_not_read"] else ""}
        if fleet["hosts_read"]:
            row.update(_profile_cells(fleet))
        else:
            row["value"] = NOT_READ
        yield row
    for row in report["hosts"]:
        yield {"record": "host", "host": row["host"], "status": row["status"], "message": row["message"],
               "task": row["task"], "value": "compliant" if row["compliant"] else "not compliant"}
        counted = row["profiles"]
        if not counted["read"]:
            yield {"record": "profiles", "host": row["host"], "status": row["status"], "value": NOT_READ,
                   "message": counted["error"]}
        for name, figures in counted["services"].items():
            yield dict(_profile_cells(figures), record="profiles", host=row["host"], status=row["status"],
                       service=name, value="read")
        for item in report["files"][row["host"]]:
            yield {"record": "file", "host": row["host"], "status": row["status"], "path": item["path"],
                   "exists": "yes" if item["exists"] else "no", "encoding": item.get("encoding") or ""}
            if not item["exists"]:
                continue
            for service in item.get("services") or []:
                yield {"record": "service", "host": row["host"], "status": row["status"], "path": item["path"],
                       "service": service["name"], "default": "yes" if service.get("default") else "no",
                       "value": service.get("display_name")}
                for section, values in _linked_sections(service):
                    for key, value in values.items():
                        yield {"record": "property", "host": row["host"], "status": row["status"],
                               "path": item["path"], "service": service["name"], "section": section,
                               "key": key, "value": value}
            for finding in item.get("findings") or []:
                yield {"record": "finding", "host": row["host"], "status": row["status"], "path": item["path"],
                       "service": finding.get("service"), "section": finding.get("section"),
                       "key": finding.get("key"), "severity": finding.get("severity"),
                       "code": finding.get("code"), "message": finding.get("message"), "fix": finding.get("fix")}
    for drift in report["drift"]:
        yield {"record": "drift", "host": drift["host"], "status": "ok", "path": drift["path"],
               "service": drift["service"], "section": drift["section"], "key": drift["key"],
               "value": drift["actual"], "expected": drift["expected"]}


def _csv_cell(value):
    text = "" if value is None else str(value)
    # Spreadsheets run cells starting with these as formulas; a leading quote keeps them text.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


def render_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows([_csv_cell(row.get(column)) for column in CSV_COLUMNS] for row in _csv_rows(report))
    return out.getvalue()


render_html = report_html.render

RENDERERS = {"html": render_html, "csv": render_csv, "json": render_json}


def render_bytes(report: dict[str, Any], fmt: str) -> bytes:
    """The file of format ``fmt`` as UTF-8 bytes. A lone surrogate (what Python makes of a
    name or value it could not decode) is written as its ``\\udcxx`` escape: the file is still
    written, and shows where the undecodable character was."""
    return RENDERERS[fmt](report).encode("utf-8", "backslashreplace")
