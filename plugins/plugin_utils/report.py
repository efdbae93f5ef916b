# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report: what ``mapisvc_info`` found on every host, added up per service.

A pure core, no I/O and no clock: ``build`` takes each host's record (what the audit
playbook collected) and an optional declared desired state and returns the report as plain
data; ``render_json``, ``render_csv`` and ``render_html`` turn that data into file text.
All three renderings are made from the same data, so they cannot disagree.

A host record is one of
- ``{"status": "ok", "files": [...]}``: the ``files`` list ``mapisvc_info`` returned;
- ``{"status": "failed", "message": str, "task": str}``: a task failed on the host;
- ``{"status": "unreachable", "message": str}``: Ansible could not reach it (offline
  workstations: the stragglers a re-run must catch).
"""

from __future__ import annotations

import copy
import csv
import html
import io
import json
import re
from typing import Any, Optional

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import NoLogError

from ansible_collections.mapi.messaging.plugins.module_utils.mapisvc_spec import ARGUMENT_SPEC
from ansible_collections.mapi.messaging.plugins.plugin_utils import declaration, properties
from ansible_collections.mapi.messaging.plugins.plugin_utils.ini import fold

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
               "section", "key", "value", "expected", "severity", "code", "message", "fix")


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
            raise ReportError("%s.status: %r is not one of %s" % (where, status, ", ".join(STATUSES)))
        files = record.get("files") or []
        if status == "ok" and not isinstance(record.get("files"), list):
            raise ReportError("%s.files: a host with status ok needs the files list mapisvc_info "
                              "returned (register the task and pass its files)" % where)
        for i, item in enumerate(files):
            if not isinstance(item, dict) or "path" not in item or "exists" not in item:
                raise ReportError("%s.files[%d]: expected a mapisvc_info file entry with path and exists" % (where, i))
        hosts[str(host)] = {"status": status, "message": str(record.get("message") or ""),
                            "task": str(record.get("task") or ""), "files": [_redacted(item) for item in files]}
    return hosts


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
    for key in sorted(by_name):
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
        return [("Services", service.name, service.display_name, None)]
    out = []
    if service.display_name is not None and found.get("display_name") != service.display_name:
        out.append(("Services", service.name, service.display_name, found.get("display_name")))
    if service.default_service is not None and bool(found.get("default")) != service.default_service:
        out.append(("Default Services", service.name, "listed" if service.default_service else "not listed",
                    "listed" if found.get("default") else "not listed"))
    actual_entries = found.get("properties") or {}
    for key, expected in service.section_entries().items():
        actual = properties.find(actual_entries.items(), key)
        if not _same(key, expected, actual):
            out.append((service.name, key, expected, actual))
    linked = {fold(s["name"]): s for group in ("providers", "sections") for s in (found.get(group) or [])}
    for declared in service.linked():
        actual_section = linked.get(fold(declared.name))
        if actual_section is not None and not actual_section.get("exists", True):
            actual_section = None
        if actual_section is None:
            out.append((declared.name, None, "section present", None))
            continue
        for key, expected in declared.entries.items():
            actual = properties.find((actual_section.get("properties") or {}).items(), key)
            if not _same(key, expected, actual):
                out.append((declared.name, key, expected, actual))
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
        })
    reached = [row for row in host_rows if row["status"] == "ok"]
    summary = {
        "hosts": len(host_rows),
        "reached": len(reached),
        "unreachable": sum(1 for row in host_rows if row["status"] == "unreachable"),
        "failed": sum(1 for row in host_rows if row["status"] == "failed"),
        "without_file": sum(1 for row in reached if not row["files_found"]),
        "with_errors": sum(1 for row in reached if row["findings"]["error"]),
        "with_warnings": sum(1 for row in reached if row["findings"]["warning"]),
        "drifted": len(drifted) if declared else None,
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
        "stragglers": [{"host": row["host"], "status": row["status"], "message": row["message"],
                        "task": row["task"]} for row in host_rows if row["status"] != "ok"],
        "hosts": host_rows,
        "files": {row["host"]: hosts[row["host"]]["files"] for row in host_rows},
    }


# ---------------------------------------------------------------------------------------
# Renderings

def render_json(report: dict[str, Any]) -> str:
    # No indent: Python's C encoder only handles the compact form, which is many times faster
    # on a fleet-sized report (``python -m json.tool`` pretty-prints it).
    return json.dumps(report, ensure_ascii=False, separators=(",", ":")) + "\n"


def _csv_rows(report):
    """One row per fact, tidy: filter by ``record`` (host, file, service, property,
    finding, drift) in a spreadsheet."""
    for row in report["hosts"]:
        yield {"record": "host", "host": row["host"], "status": row["status"], "message": row["message"]}
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


def _e(value):
    return html.escape("" if value is None else str(value), quote=True)


CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;opacity:.85}main{padding:8px 28px 40px;max-width:1200px}
h2{font-size:18px;margin:28px 0 10px;border-bottom:2px solid #dde3ea;padding-bottom:4px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin-top:16px}
.card{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:10px 14px;min-width:110px}
.card b{display:block;font-size:24px}.card.bad b{color:#b3261e}.card.warn b{color:#9a6700}
table{border-collapse:collapse;background:#fff;width:100%;margin:6px 0 14px}
th,td{border:1px solid #dde3ea;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef2f6;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
code{font:12px ui-monospace,Consolas,monospace;word-break:break-all}
.sev-error{color:#b3261e;font-weight:600}.sev-warning{color:#9a6700;font-weight:600}
.varies{background:#fff4e5}details{margin:4px 0}summary{cursor:pointer}
.hosts{color:#4a5561;font-size:12px}svg text{font:12px system-ui,sans-serif}
"""


SEVERITY_COLORS = {"error": "#b3261e", "warning": "#c98a00"}


def _bar_chart(title, bars, total):
    """A horizontal bar chart as inline SVG: bars = [(label, count, colour)], scaled to
    ``total``. Each bar carries its figures as data attributes and a tooltip."""
    label_width, bar_width, row = 260, 420, 24
    height = row * len(bars) + 30
    parts = ['<svg role="img" width="%d" height="%d" viewBox="0 0 %d %d">'
             % (label_width + bar_width + 110, height, label_width + bar_width + 110, height),
             "<title>%s</title>" % _e(title)]
    for i, (label, count, color) in enumerate(bars):
        y = 10 + i * row
        width = 0 if not total else round(bar_width * count / total, 1)
        shown_label = label if len(label) <= 38 else label[:37] + "\u2026"
        parts.append('<g class="bar" data-label="%s" data-count="%d"><title>%s: %d of %d hosts</title>'
                     % (_e(label), count, _e(label), count, total))
        parts.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (label_width - 8, y + 15, _e(shown_label)))
        parts.append('<rect x="%d" y="%d" width="%s" height="18" rx="2" fill="%s"/>' % (label_width, y + 2, width, color))
        parts.append('<text x="%s" y="%d">%d</text></g>' % (label_width + width + 6, y + 15, count))
    parts.append("</svg>")
    return "".join(parts)


def _hosts_list(names, limit=50):
    shown_names = ", ".join(_e(n) for n in names[:limit])
    more = " and %d more" % (len(names) - limit) if len(names) > limit else ""
    return '<span class="hosts">%s%s</span>' % (shown_names, more)


def _values_cell(values):
    if len(values) == 1:
        only = values[0]
        return "<code>%s</code> <span class=\"hosts\">(%d)</span>" % (_e(only["value"]), len(only["hosts"]))
    items = "".join("<li><code>%s</code> \u2014 %d host%s: %s</li>" % (
        _e(v["value"]), len(v["hosts"]), "" if len(v["hosts"]) == 1 else "s", _hosts_list(v["hosts"], 20))
        for v in values)
    return "<ul>%s</ul>" % items


def _service_html(service, reached):
    out = ['<h3 id="svc-%s">%s</h3>' % (_e(fold(service["name"])), _e(service["name"]))]
    out.append("<p>On %d of %d reached hosts; listed in [Default Services] on %d.</p>"
               % (service["hosts"], reached, service["default_hosts"]))
    out.append('<table><tr><th>Entry</th><th>Section</th><th>Values in use (hosts)</th></tr>')
    out.append('<tr%s><td>display name</td><td>Services</td><td>%s</td></tr>' % (
        ' class="varies"' if len(service["display_names"]) > 1 else "", _values_cell(service["display_names"])))
    for entry in service["dlls"] + service["properties"]:
        out.append('<tr%s><td><code>%s</code></td><td><code>%s</code></td><td>%s</td></tr>' % (
            ' class="varies"' if len(entry["values"]) > 1 else "", _e(entry["key"]), _e(entry["section"]),
            _values_cell(entry["values"])))
    out.append("</table>")
    return "".join(out)


def render_html(report: dict[str, Any]) -> str:
    summary = report["summary"]
    reached = summary["reached"]
    cards = [("Hosts", summary["hosts"], ""), ("Reached", reached, ""),
             ("Unreachable", summary["unreachable"], "bad" if summary["unreachable"] else ""),
             ("Failed", summary["failed"], "bad" if summary["failed"] else ""),
             ("No MAPISVC.INF", summary["without_file"], "warn" if summary["without_file"] else ""),
             ("With errors", summary["with_errors"], "bad" if summary["with_errors"] else ""),
             ("With warnings", summary["with_warnings"], "warn" if summary["with_warnings"] else ""),
             ("Services", summary["services"], "")]
    if summary["drifted"] is not None:
        cards.append(("Drifted", summary["drifted"], "bad" if summary["drifted"] else ""))
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>%s</title><style>%s</style></head><body>" % (_e(report["title"]), CSS),
           "<header><h1>%s</h1><p>%s%d hosts; %s error and %s warning findings.</p></header><main>" % (
               _e(report["title"]), ("Generated %s. " % _e(report["generated"])) if report["generated"] else "",
               summary["hosts"], summary["findings"]["error"], summary["findings"]["warning"])]
    if report.get("scope"):
        # A report of some hosts must not pass for the whole fleet's.
        out[-1] = out[-1].replace("</header>", '<p class="scope" data-scope="%s">Scope: %s</p></header>'
                                  % (_e(report["scope"]), _e(report["scope"])), 1)
    out.append('<div class="cards">%s</div>' % "".join(
        '<div class="card %s" data-summary="%s"><b>%d</b>%s</div>' % (css, _e(label), value, _e(label))
        for label, value, css in cards))

    out.append('<h2 id="services">Services</h2>')
    if report["services"]:
        out.append(_bar_chart("Hosts per service", [(s["name"], s["hosts"], "#2f6db5") for s in report["services"]],
                              reached))
        out.append("<table><tr><th>Service</th><th>Display name(s)</th><th>Hosts</th><th>Default on</th>"
                   "<th>DLLs in use</th></tr>")
        for service in report["services"]:
            dlls = "".join("<div><code>%s</code> [%s]: %s</div>" % (
                _e(entry["key"]), _e(entry["section"]),
                "; ".join("<code>%s</code> (%d)" % (_e(v["value"]), len(v["hosts"])) for v in entry["values"]))
                for entry in service["dlls"]) or "-"
            out.append('<tr data-service="%s"><td><a href="#svc-%s">%s</a></td><td>%s</td>'
                       '<td class="n" data-hosts="%d">%d</td><td class="n">%d</td><td>%s</td></tr>' % (
                           _e(service["name"]), _e(fold(service["name"])), _e(service["name"]),
                           "; ".join(_e(v["value"]) for v in service["display_names"]),
                           service["hosts"], service["hosts"], service["default_hosts"], dlls))
        out.append("</table>")
    else:
        out.append("<p>No service found on any reached host.</p>")

    if report["desired"] is not None:
        out.append('<h2 id="drift">Drift from the desired state</h2>')
        by_service = {}
        for row in report["drift"]:
            by_service.setdefault(row["service"], []).append(row)
        for wanted in report["desired"]:
            rows = by_service.get(wanted["service"], [])
            hosts = sorted({row["host"] for row in rows})
            out.append('<h3 data-drift="%s" data-hosts="%d">%s (state %s): %d of %d reached hosts differ</h3>' % (
                _e(wanted["service"]), len(hosts), _e(wanted["service"]), _e(wanted["state"]), len(hosts), reached))
            grouped = {}
            for row in rows:
                grouped.setdefault((row["section"], row["key"], row["expected"], row["actual"]), []).append(row["host"])
            if grouped:
                out.append("<table><tr><th>Section</th><th>Key</th><th>Declared</th><th>Found</th><th>Hosts</th></tr>")
                for (section, key, expected, actual), names in sorted(
                        grouped.items(), key=lambda kv: (-len(kv[1]), str(kv[0]))):
                    names = sorted(set(names))
                    out.append("<tr><td>%s</td><td><code>%s</code></td><td><code>%s</code></td>"
                               "<td><code>%s</code></td><td>%d: %s</td></tr>" % (
                                   _e(section or "-"), _e(key or "-"), _e(expected), _e("(missing)" if actual is None else actual),
                                   len(names), _hosts_list(names)))
                out.append("</table>")

    out.append('<h2 id="findings">Findings</h2>')
    if report["findings"]:
        out.append(_bar_chart("Hosts per finding", [
            (g["code"], g["host_count"], SEVERITY_COLORS.get(g["severity"], "#6b7785")) for g in report["findings"]],
            reached))
        for group in report["findings"]:
            first = group["occurrences"][0]
            out.append('<details data-finding="%s" data-hosts="%d"><summary><span class="sev-%s">%s</span> '
                       '<code>%s</code>: %d host%s, %d occurrence%s. Fix: %s</summary>' % (
                           _e(group["code"]), group["host_count"], _e(group["severity"]), _e(group["severity"]),
                           _e(group["code"]), group["host_count"], "" if group["host_count"] == 1 else "s",
                           len(group["occurrences"]), "" if len(group["occurrences"]) == 1 else "s", _e(first["fix"])))
            out.append("<table><tr><th>Host</th><th>File</th><th>Service</th><th>Section</th><th>Key</th>"
                       "<th>What is wrong</th></tr>")
            for item in group["occurrences"]:
                out.append("<tr><td>%s</td><td><code>%s</code></td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>" % (
                    _e(item["host"]), _e(item["path"]), _e(item["service"] or ""), _e(item["section"] or ""),
                    _e(item["key"] or ""), _e(item["message"])))
            out.append("</table></details>")
    else:
        out.append("<p>No findings.</p>")

    out.append('<h2 id="stragglers">Stragglers: hosts not audited</h2>')
    if report["stragglers"]:
        out.append("<p>Re-run the rollout and this audit for these hosts (for example with "
                   "<code>--limit</code>) once they are online.</p>")
        out.append("<table><tr><th>Host</th><th>Status</th><th>Task</th><th>Message</th></tr>")
        for row in report["stragglers"]:
            out.append('<tr data-straggler="%s" data-status="%s"><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>' % (
                _e(row["host"]), _e(row["status"]), _e(row["host"]), _e(row["status"]), _e(row["task"]),
                _e(row["message"])))
        out.append("</table>")
    else:
        out.append("<p>Every host answered.</p>")

    out.append('<h2 id="details">Service details</h2>')
    out.extend(_service_html(service, reached) for service in report["services"])

    out.append('<h2 id="hosts">Hosts</h2><details><summary>All %d hosts</summary>' % summary["hosts"])
    out.append("<table><tr><th>Host</th><th>Status</th><th>Files found</th><th>Services</th>"
               "<th>Errors</th><th>Warnings</th>%s</tr>" % ("<th>Drift</th>" if summary["drifted"] is not None else ""))
    for row in report["hosts"]:
        out.append('<tr data-host="%s"><td>%s</td><td>%s</td><td class="n">%d of %d</td><td>%s</td>'
                   '<td class="n">%d</td><td class="n">%d</td>%s</tr>' % (
                       _e(row["host"]), _e(row["host"]), _e(row["status"]), row["files_found"], len(row["files"]),
                       _e(", ".join(row["services"])), row["findings"]["error"], row["findings"]["warning"],
                       ("<td>%s</td>" % ("yes" if row["drift"] else "no")) if row["drift"] is not None else ""))
    out.append("</table></details></main></body></html>")
    return "\n".join(out) + "\n"


RENDERERS = {"html": render_html, "csv": render_csv, "json": render_json}
