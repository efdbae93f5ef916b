# -*- coding: utf-8 -*-
"""The fleet report core (plugins/plugin_utils/report.py) on hand-made mapisvc_info results.

The inputs have the shape mapisvc_info returns (files, services, providers, findings); every
expected figure is counted from those inputs in the test, never written down.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest

from ansible_collections.mapi.messaging.plugins.module_utils.mapisvc_spec import ARGUMENT_SPEC
from ansible_collections.mapi.messaging.plugins.plugin_utils import gate, properties, report

CONTOSO_DLL = "C:\\Program Files\\Contoso\\contoso.dll"
OLD_DLL = "C:\\Program Files\\Contoso\\old\\contoso.dll"
PATH = "C:\\Program Files\\Common Files\\System\\MSMAPI\\1033\\MAPISVC.INF"


def service(name, display, dll=CONTOSO_DLL, default=False, flags="SERVICE_SINGLE_COPY | SERVICE_NO_PRIMARY_IDENTITY",
            provider_type="MAPI_AB_PROVIDER"):
    provider = name + "_AB"
    return {
        "name": name, "display_name": display, "default": default, "section_exists": True,
        "properties": {"PR_SERVICE_DLL_NAME": dll, "PR_RESOURCE_FLAGS": flags, "Providers": provider},
        "providers": [{"name": provider, "exists": True,
                       "properties": {"PR_RESOURCE_TYPE": provider_type, "PR_PROVIDER_DLL_NAME": dll}}],
        "sections": [],
    }


def finding(code, severity="warning", service_name=None, section=None, key=None):
    return {"severity": severity, "code": code, "service": service_name, "section": section, "key": key,
            "message": "%s found" % code, "fix": "fix %s" % code}


def ok(*files):
    return {"status": "ok", "files": list(files)}


def inf(services=(), findings=(), path=PATH, exists=True):
    return {"path": path, "exists": exists, "encoding": "cp1252" if exists else None,
            "services": list(services), "findings": list(findings)}


def fleet():
    """Six hosts: four reached (one without a file), one failed, one unreachable."""
    return {
        "ws01": ok(inf([service("CONTOSO", "Contoso Connector", default=True), service("MSEMS", "Exchange")])),
        "ws02": ok(inf([service("CONTOSO", "Contoso Connector", dll=OLD_DLL)],
                       [finding("duplicate-section", "warning", section="CONTOSO"),
                        finding("dll-32-suffix", "error", "CONTOSO", "CONTOSO", "PR_SERVICE_DLL_NAME")])),
        "ws03": ok(inf([service("contoso", "Contoso (old)", flags="SERVICE_NO_PRIMARY_IDENTITY|SERVICE_SINGLE_COPY")],
                       [finding("utf8-bom", "error")]),
                   inf(path="C:\\Windows\\System32\\MAPISVC.INF", exists=False)),
        "ws04": ok(inf(exists=False)),
        "ws05": {"status": "failed", "task": "Read MAPISVC.INF", "message": "Access is denied"},
        "ws06": {"status": "unreachable", "message": "Connection timed out"},
    }


def expected_hosts_with(records, name):
    return sorted(host for host, record in records.items() if record["status"] == "ok"
                  for item in record["files"] if item["exists"]
                  for svc in item["services"] if svc["name"].upper() == name.upper())


def by_name(data, name):
    return next(s for s in data["services"] if s["name"].upper() == name.upper())


def test_counts_hosts_per_service_across_spellings_and_files():
    records = fleet()
    data = report.build(records)
    contoso = by_name(data, "CONTOSO")
    assert contoso["host_names"] == expected_hosts_with(records, "CONTOSO")
    assert contoso["hosts"] == len(expected_hosts_with(records, "CONTOSO"))
    assert contoso["default_hosts"] == sum(
        1 for r in records.values() if r["status"] == "ok" for f in r["files"] for s in f["services"]
        if s["name"].upper() == "CONTOSO" and s["default"])
    assert by_name(data, "MSEMS")["hosts"] == len(expected_hosts_with(records, "MSEMS"))
    assert data["summary"]["services"] == len({s["name"].upper() for r in records.values()
                                               for f in r.get("files", []) for s in f["services"]})


def test_dll_paths_and_property_values_in_use_list_their_hosts():
    records = fleet()
    data = report.build(records)
    contoso = by_name(data, "CONTOSO")
    service_dll = next(d for d in contoso["dlls"] if d["key"] == "PR_SERVICE_DLL_NAME")
    in_use = {}
    for host in sorted(set(expected_hosts_with(records, "CONTOSO"))):
        for item in records[host]["files"]:
            for svc in item["services"]:
                if svc["name"].upper() == "CONTOSO":
                    in_use.setdefault(svc["properties"]["PR_SERVICE_DLL_NAME"], []).append(host)
    assert {v["value"]: v["hosts"] for v in service_dll["values"]} == in_use
    # Most widespread value first.
    assert [len(v["hosts"]) for v in service_dll["values"]] == sorted((len(h) for h in in_use.values()), reverse=True)
    provider_dll = next(d for d in contoso["dlls"] if d["key"] == "PR_PROVIDER_DLL_NAME")
    assert provider_dll["section"] == "CONTOSO_AB"
    names = {v["value"] for v in contoso["display_names"]}
    assert names == {"Contoso Connector", "Contoso (old)"}


def test_findings_are_grouped_by_code_errors_first():
    records = fleet()
    data = report.build(records)
    counted = {}
    for host, record in records.items():
        for item in record.get("files", []):
            for f in item["findings"]:
                counted.setdefault(f["code"], set()).add(host)
    assert {g["code"]: g["hosts"] for g in data["findings"]} == {k: sorted(v) for k, v in counted.items()}
    severities = [g["severity"] for g in data["findings"]]
    assert severities == sorted(severities, key=lambda s: s != "error")
    group = next(g for g in data["findings"] if g["code"] == "dll-32-suffix")
    assert group["occurrences"][0]["fix"] == "fix dll-32-suffix" and group["occurrences"][0]["path"] == PATH


def test_summary_counts_stragglers_and_hosts_without_a_file():
    records = fleet()
    summary = report.build(records)["summary"]
    statuses = [r["status"] for r in records.values()]
    assert summary["hosts"] == len(records)
    assert summary["reached"] == statuses.count("ok")
    assert summary["failed"] == statuses.count("failed")
    assert summary["unreachable"] == statuses.count("unreachable")
    assert summary["without_file"] == sum(1 for r in records.values() if r["status"] == "ok"
                                          and not any(f["exists"] for f in r["files"]))
    assert summary["with_errors"] == sum(1 for r in records.values()
                                         if any(f["severity"] == "error" for i in r.get("files", []) for f in i["findings"]))
    assert summary["drifted"] is None


def test_stragglers_keep_their_message_and_a_missing_record_is_unreachable():
    records = fleet()
    records["ws07"] = None
    data = report.build(records)
    stragglers = {row["host"]: row for row in data["stragglers"]}
    assert set(stragglers) == {"ws05", "ws06", "ws07"}
    assert stragglers["ws05"]["message"] == "Access is denied"
    assert stragglers["ws05"]["task"] == "Read MAPISVC.INF"
    assert stragglers["ws07"]["status"] == "unreachable"


DESIRED = {
    "service": "CONTOSO",
    "display_name": "Contoso Connector",
    "path": PATH,  # mapisvc options about writing are accepted and ignored
    "properties": {"PR_SERVICE_DLL_NAME": CONTOSO_DLL,
                   "PR_RESOURCE_FLAGS": ["SERVICE_SINGLE_COPY", "SERVICE_NO_PRIMARY_IDENTITY"]},
    "providers": [{"name": "CONTOSO_AB", "properties": {"PR_RESOURCE_TYPE": "MAPI_AB_PROVIDER"}}],
}


def test_drift_compares_by_meaning_and_names_each_difference():
    data = report.build(fleet(), DESIRED)
    rows = data["drift"]
    # ws01 matches exactly; ws03 spells the flags in another order (same meaning) but has
    # another display name; ws02 has the old DLL; ws04 has no file at all.
    assert not [r for r in rows if r["host"] == "ws01"]
    assert [(r["section"], r["key"], r["actual"]) for r in rows if r["host"] == "ws03"] == [
        ("Services", "CONTOSO", "Contoso (old)")]
    assert [(r["key"], r["expected"], r["actual"]) for r in rows if r["host"] == "ws02"] == [
        ("PR_SERVICE_DLL_NAME", CONTOSO_DLL, OLD_DLL)]
    assert [r["actual"] for r in rows if r["host"] == "ws04"] == ["no MAPISVC.INF at the audited paths"]
    assert data["summary"]["drifted"] == len({"ws02", "ws03", "ws04"})
    assert not [r for r in rows if r["host"] in ("ws05", "ws06")], "unread hosts cannot drift"


def test_drift_reports_missing_services_providers_and_absent_state():
    records = {"a": ok(inf([service("MSEMS", "Exchange")])),
               "b": ok(inf([dict(service("CONTOSO", "Contoso Connector"), providers=[])]))}
    data = report.build(records, [DESIRED, {"service": "MSEMS", "state": "absent"}])
    got = {(r["host"], r["service"], r["section"], r["key"]) for r in data["drift"]}
    assert ("a", "CONTOSO", "Services", "CONTOSO") in got  # service missing
    assert ("b", "CONTOSO", "CONTOSO_AB", None) in got  # provider section missing
    assert ("a", "MSEMS", "Services", "MSEMS") in got  # should be absent
    assert not any(host == "b" and svc == "MSEMS" for host, svc, dummy, dummy2 in got)


def test_a_dll_declared_by_name_matches_the_full_path_the_role_writes():
    records = {"a": ok(inf([service("CONTOSO", "Contoso Connector", dll="C:\\Program Files\\CONTOSO\\Contoso.dll")])),
               "b": ok(inf([service("CONTOSO", "Contoso Connector", dll="C:\\Program Files\\CONTOSO\\other.dll")]))}
    desired = {"service": "CONTOSO", "display_name": "Contoso Connector",
               "properties": {"PR_SERVICE_DLL_NAME": "contoso.dll"},
               "providers": [{"name": "CONTOSO_AB", "properties": {"PR_PROVIDER_DLL_NAME": "contoso.dll"}}]}
    rows = report.build(records, desired)["drift"]
    assert sorted((r["host"], r["section"]) for r in rows) == [("b", "CONTOSO"), ("b", "CONTOSO_AB")]


@pytest.mark.parametrize("desired, field", [
    ({"service": "CONTOSO"}, "desired.display_name"),
    ({"service": "CONTOSO", "display_name": "C", "colour": "red"}, "colour"),
    ([{"service": "CONTOSO", "display_name": "C", "properties": {"PR_SERVICE_DLL_NAME": "contoso32.dll"}}],
     "desired[0].properties.PR_SERVICE_DLL_NAME"),
    ({"service": "CONTOSO", "display_name": "C", "state": "gone"}, "desired: value of state must be one of"),
    ({"service": "CONTOSO", "display_name": "C", "default_service": "maybe"}, "desired: argument 'default_service'"),
    ({"service": "CONTOSO", "display_name": "C", "providers": [{"name": "P", "state": "gone"}]},
     "value of state must be one of: present, absent, got: gone found in providers"),
    ("CONTOSO", "desired: expected a dictionary"),
])
def test_bad_desired_state_names_the_field(desired, field):
    with pytest.raises(report.ReportError) as caught:
        report.build(fleet(), desired)
    assert field in str(caught.value)


def test_desired_options_are_converted_as_mapisvc_converts_them():
    # A string "false" is mapisvc's boolean false: not listed in [Default Services] is no drift.
    records = {"listed": ok(inf([service("CONTOSO", "Contoso Connector", default=True)])),
               "unlisted": ok(inf([service("CONTOSO", "Contoso Connector")]))}
    desired = {"service": "CONTOSO", "display_name": "Contoso Connector", "default_service": "false"}
    rows = report.build(records, desired)["drift"]
    assert [(r["host"], r["section"], r["expected"], r["actual"]) for r in rows] == [
        ("listed", "Default Services", "not listed", "listed")]


def test_every_mapisvc_option_is_accepted_in_a_desired_state():
    # The arguments of any mapisvc task can be reused: the accepted names are mapisvc's own
    # (aliases included); only what the file holds is compared.
    task = {key: value for key, value in DESIRED.items() if key != "path"}
    task.update(dest="C:\\MAPISVC.INF", backup=True, create=True, codepage="cp1252", purge=True, state="present",
                allow_secrets=False, help_file="contoso.hlp", default_service=False, sections=[])
    assert set(task) == set(ARGUMENT_SPEC) - {"path", "src"} | {"dest"}
    data = report.build(fleet(), task)
    assert {r["host"] for r in data["drift"]} == {"ws01", "ws02", "ws03", "ws04"}  # ws01: listed as default


def test_a_property_the_host_spells_by_tag_is_the_declared_property():
    host = service("CONTOSO", "Contoso Connector")
    host["properties"] = {"3d0a001e": CONTOSO_DLL, "PR_RESOURCE_FLAGS": host["properties"]["PR_RESOURCE_FLAGS"],
                          "Providers": "CONTOSO_AB"}
    data = report.build({"a": ok(inf([host]))}, DESIRED)
    assert data["drift"] == []
    # And it is listed among the DLLs in use, like its name would be.
    assert [entry["key"] for entry in by_name(data, "CONTOSO")["dlls"]] == ["3d0a001e", "PR_PROVIDER_DLL_NAME"]


@pytest.mark.parametrize("records, field", [
    ([], "results: expected a dictionary"),
    ({"ws01": {"status": "fine"}}, "results[ws01].status"),
    ({"ws01": {"status": "ok"}}, "results[ws01].files"),
    ({"ws01": {"status": "ok", "files": [{"exists": True}]}}, "results[ws01].files[0]"),
])
def test_bad_results_name_the_field(records, field):
    with pytest.raises(report.ReportError) as caught:
        report.build(records)
    assert field in str(caught.value)


def odd(**changes):
    """ws01's record with one file entry where one field (``part__field``: part is file,
    service, provider or finding) has an odd shape."""
    entry = inf([service("MSEMS", "Exchange"), service("CONTOSO", "Contoso")], [finding("utf8-bom", "error")])
    parts = {"file": entry, "service": entry["services"][1], "provider": entry["services"][1]["providers"][0],
             "finding": entry["findings"][0]}
    for where, value in changes.items():
        part, field = where.split("__")
        parts[part][field] = value
    return {"ws01": ok(entry), "ws02": ok(inf([service("MSEMS", "Exchange")]))}


@pytest.mark.parametrize("records, field", [
    (odd(file__services="abc"), "results[ws01].files[0].services: expected a list"),
    (odd(file__services=[["x"]]), "results[ws01].files[0].services[0]: expected a dictionary"),
    (odd(file__path=None), "results[ws01].files[0].path"),
    (odd(file__exists="yes"), "results[ws01].files[0].exists"),
    (odd(service__name=None), "results[ws01].files[0].services[1].name"),
    (odd(service__name=5), "results[ws01].files[0].services[1].name"),
    (odd(service__display_name=["x"]), "results[ws01].files[0].services[1].display_name"),
    (odd(service__properties=["a"]), "results[ws01].files[0].services[1].properties: expected a dictionary"),
    (odd(service__properties={"PR_X": {"a": 1}}), "results[ws01].files[0].services[1].properties[PR_X]"),
    (odd(service__properties={"PR_PASSWORD": ["hunter2"]}), "results[ws01].files[0].services[1].properties[PR_PASSWORD]"),
    (odd(service__providers="p"), "results[ws01].files[0].services[1].providers: expected a list"),
    (odd(provider__name=None), "results[ws01].files[0].services[1].providers[0].name"),
    (odd(provider__properties={"PR_X": [1]}), "results[ws01].files[0].services[1].providers[0].properties[PR_X]"),
    (odd(file__findings="bad"), "results[ws01].files[0].findings: expected a list"),
    (odd(file__findings=["bad"]), "results[ws01].files[0].findings[0]: expected a finding"),
    (odd(finding__severity=["error"]), "results[ws01].files[0].findings[0].severity"),
    (odd(finding__code=["x"]), "results[ws01].files[0].findings[0].code"),
    (odd(finding__message=5), "results[ws01].files[0].findings[0].message"),
])
def test_an_odd_nested_shape_is_refused_naming_host_and_field_without_its_value(records, field):
    with pytest.raises(report.ReportError) as caught:
        report.build(records)
    assert field in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_a_lone_surrogate_is_written_as_its_escape_in_every_format():
    records = {"ws01": ok(inf([service("DIENST_\udcff", "Gr\u00fc\u00dfe \udcfe")], path="C:\\\udcffMAPISVC.INF"))}
    data = report.build(records)
    for fmt in report.RENDERERS:
        text = report.render_bytes(data, fmt).decode("utf-8")
        assert "\\udcff" in text and "\\udcfe" in text and "Gr\u00fc\u00dfe" in text, fmt


class Page(HTMLParser):
    """Collects what the tests look at: tags, attributes, text, and parse problems."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text, self.open = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "rect", "br", "img", "link", "input"):
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, "</%s> closes <%s>" % (tag, self.open[-1:] or None)
        self.open.pop()

    def handle_data(self, data):
        self.text.append(data)

    def attrs(self, name):
        return [attrs for tag, attrs in self.tags if name in attrs]


def parse(text):
    page = Page()
    page.feed(text)
    page.close()
    assert page.open == [], "unclosed tags: %s" % page.open
    return page


def test_html_parses_is_self_contained_and_shows_the_counts():
    records = fleet()
    data = report.build(records, DESIRED)
    page = parse(report.render_html(data))
    tags = [tag for tag, attrs in page.tags]
    assert "svg" in tags and "script" not in tags
    assert not [a for tag, a in page.tags for k, v in a.items() if k in ("src", "href") and not v.startswith("#")]
    hosts = {a["data-service"]: None for a in page.attrs("data-service")}
    assert set(hosts) == {s["name"] for s in data["services"]}
    cells = [int(a["data-hosts"]) for tag, a in page.tags if tag == "td" and "data-hosts" in a]
    assert cells == [len(expected_hosts_with(records, s["name"])) for s in data["services"]]
    bars = {a["data-label"]: int(a["data-count"]) for a in page.attrs("data-count")}
    assert bars["CONTOSO"] == len(expected_hosts_with(records, "CONTOSO"))
    stragglers = {a["data-straggler"]: a["data-status"] for a in page.attrs("data-straggler")}
    assert stragglers == {h: r["status"] for h, r in records.items() if r["status"] != "ok"}
    drift = {a["data-drift"]: int(a["data-hosts"]) for a in page.attrs("data-drift")}
    assert drift == {"CONTOSO": data["summary"]["drifted"]}


def test_html_escapes_everything_from_the_hosts():
    evil = '<script>alert("x")</script>'
    evil_file = inf([service("EVIL", evil, dll="C:\\<img src=x>.dll")],
                    [dict(finding("credential", "error"), message=evil, fix=evil)],
                    path="C:\\<marquee>\\MAPISVC.INF")
    records = {'ws"01<': ok(evil_file)}
    text = report.render_html(report.build(records))
    page = parse(text)
    assert "script" not in [tag for tag, attrs in page.tags]
    assert "img" not in [tag for tag, attrs in page.tags]
    assert "marquee" not in [tag for tag, attrs in page.tags]
    assert evil in "".join(page.text)  # shown as text, not run


def test_csv_and_json_hold_the_same_facts():
    records = fleet()
    data = report.build(records, DESIRED)
    rows = list(csv.DictReader(io.StringIO(report.render_csv(data))))
    parsed = json.loads(report.render_json(data))
    assert parsed == json.loads(json.dumps(data))
    assert {r["host"]: r["status"] for r in rows if r["record"] == "host"} == {
        h["host"]: h["status"] for h in parsed["hosts"]}
    per_service = {}
    for r in rows:
        if r["record"] == "service":
            per_service.setdefault(r["service"].upper(), set()).add(r["host"])
    assert {k: len(v) for k, v in per_service.items()} == {s["name"].upper(): s["hosts"] for s in parsed["services"]}
    per_code = {}
    for r in rows:
        if r["record"] == "finding":
            per_code[r["code"]] = per_code.get(r["code"], 0) + 1
    assert per_code == {g["code"]: len(g["occurrences"]) for g in parsed["findings"]}
    assert sum(1 for r in rows if r["record"] == "drift") == len(parsed["drift"])
    dlls = {r["value"] for r in rows if r["record"] == "property" and r["key"] == "PR_SERVICE_DLL_NAME"}
    assert dlls == {v["value"] for s in parsed["services"] for d in s["dlls"]
                    if d["key"] == "PR_SERVICE_DLL_NAME" for v in d["values"]}


def test_csv_cells_cannot_become_spreadsheet_formulas():
    records = {"ws01": ok(inf([service("X", "=HYPERLINK(\"http://example.invalid\")")]))}
    rows = list(csv.DictReader(io.StringIO(report.render_csv(report.build(records)))))
    values = [r["value"] for r in rows if r["record"] == "service"]
    assert values == ["'=HYPERLINK(\"http://example.invalid\")"]


def test_values_that_look_like_credentials_are_hidden_in_every_format():
    leaky = service("LEAKY", "Leaky Connector pwd=hunter2")
    leaky["properties"]["PR_PASSWORD"] = "hunter2-secret"
    leaky["providers"][0]["properties"]["6620001E"] = "password=hunter2-secret"
    data = report.build({"ws01": ok(inf([leaky], [finding("credential", "error", "LEAKY")]))})
    for render in report.RENDERERS.values():
        text = render(data)
        assert "hunter2" not in text
        assert properties.REDACTED in text
    assert data["summary"]["findings"]["error"] == 1


def test_an_empty_fleet_still_renders():
    data = report.build({})
    assert data["summary"]["hosts"] == 0
    page = parse(report.render_html(data))
    assert "No service found on any reached host." in "".join(page.text)
    rows = list(csv.DictReader(io.StringIO(report.render_csv(data))))
    assert {row["record"] for row in rows} == {"summary"}
    assert {row["key"]: row["value"] for row in rows}["compliant_percent"] == "100.0"


# -- the gate (plugin_utils/gate.py): opt-in conditions that fail the run after the report ----

def _compliant_hosts(records, drifted=()):
    """Counted from the inputs: read, a file exists, no error finding, not drifted."""
    return sorted(host for host, r in records.items() if r and r["status"] == "ok"
                  and any(f["exists"] for f in r["files"])
                  and not any(x["severity"] == "error" for f in r["files"] for x in f["findings"])
                  and host not in drifted)


def test_gate_names_each_tripped_condition_with_its_hosts():
    records = fleet()
    data = report.build(records)
    verdict = gate.evaluate(data, gate.parse(["unreachable", "failed", "error"], with_desired=False))
    by_status = {status: sorted(h for h, r in records.items() if r["status"] == status)
                 for status in ("unreachable", "failed")}
    with_errors = sorted(h for h, r in records.items() if r["status"] == "ok"
                         and any(x["severity"] == "error" for f in r["files"] for x in f["findings"]))
    assert verdict["failed"] is True
    assert {t["condition"]: t["hosts"] for t in verdict["tripped"]} == dict(by_status, error=with_errors)
    assert verdict["msg"].startswith("fail_on tripped: unreachable: %d of %d hosts: %s"
                                     % (len(by_status["unreachable"]), len(records), by_status["unreachable"][0]))


def test_gate_threshold_counts_stragglers_and_hosts_without_a_file_as_not_compliant():
    records = fleet()
    data = report.build(records)
    good = _compliant_hosts(records)
    percent = 100.0 * len(good) / len(records)
    below = gate.evaluate(data, gate.parse([{"below_compliant_percent": percent + 1}], with_desired=False))
    assert below["failed"] and below["compliant"] == len(good)
    assert below["tripped"][0]["hosts"] == sorted(set(records) - set(good))
    assert "%d of %d hosts compliant" % (len(good), len(records)) in below["msg"]
    # A threshold exactly met by the figure shown does not trip; the figure is a string as a survey gives it.
    shown = data["summary"]["compliant_percent"]
    met = gate.evaluate(data, gate.parse([{"below_compliant_percent": str(shown)}], with_desired=False))
    assert not met["failed"] and met["tripped"] == []


def test_gate_drift_trips_on_the_hosts_that_differ():
    records = fleet()
    desired = dict(DESIRED, properties={"PR_SERVICE_DLL_NAME": CONTOSO_DLL})
    data = report.build(records, desired)
    drifted = sorted({row["host"] for row in data["drift"]})
    assert drifted, "the fleet has a host with the old DLL"
    verdict = gate.evaluate(data, gate.parse(["drift", {"below_compliant_percent": 100}], with_desired=True))
    assert {t["condition"]: t["hosts"] for t in verdict["tripped"]}["drift"] == drifted
    assert verdict["compliant"] == len(_compliant_hosts(records, drifted))


def test_gate_conditions_that_hold_for_no_host_keep_the_run_green():
    records = {host: r for host, r in fleet().items() if host == "ws01"}
    verdict = gate.evaluate(report.build(records), gate.parse(["unreachable", "failed", "error"], with_desired=False))
    assert verdict["failed"] is False and verdict["tripped"] == []
    assert "no condition tripped" in verdict["msg"]


def test_gate_a_bare_condition_is_a_list_of_one():
    assert gate.parse("unreachable", with_desired=False) == ["unreachable"]
    assert gate.parse(None, with_desired=False) == []


@pytest.mark.parametrize("fail_on, conditions", [
    ("", []),
    ([""], []),
    (["", "  "], []),
    (["unreachable", ""], ["unreachable"]),
])
def test_gate_an_unanswered_survey_question_is_no_condition(fail_on, conditions):
    # An AWX multiselect left unanswered arrives as "" or [""]: the job stays green.
    assert gate.parse(fail_on, with_desired=False, name="audit_fail_on") == conditions


def test_gate_a_blank_entry_does_not_hide_a_bad_one_after_it():
    with pytest.raises(gate.GateError) as caught:
        gate.parse(["", "drfit"], with_desired=False, name="audit_fail_on")
    assert str(caught.value).startswith("audit_fail_on[1]: 'drfit' is not a condition")


@pytest.mark.parametrize("fail_on, with_desired, field", [
    (["drfit"], False, "audit_fail_on[0]: 'drfit' is not a condition"),
    (["drift"], False, "audit_fail_on: drift needs a desired state"),
    ([{"below_compliant_percent": 120}], False, "audit_fail_on[0].below_compliant_percent: 120 is not a percentage"),
    ([{"below_compliant_percent": "most"}], False, "audit_fail_on[0].below_compliant_percent: 'most' is not a number"),
    ([{"below_compliant_percent": True}], False, "audit_fail_on[0].below_compliant_percent: True is not a number"),
    ([{"above": 3}], False, "audit_fail_on[0]: 'above' is not a threshold"),
    ([{"below_compliant_percent": 9, "x": 1}], False, "audit_fail_on[0]: expected one of"),
    (3, False, "audit_fail_on: expected a list of conditions"),
])
def test_gate_bad_fail_on_names_the_field(fail_on, with_desired, field):
    with pytest.raises(gate.GateError) as caught:
        gate.parse(fail_on, with_desired, name="audit_fail_on")
    assert str(caught.value).startswith(field)


def test_a_limited_report_says_its_scope_in_html_and_json():
    data = report.build(fleet(), scope="limited to 6 host(s) by --limit ws0* (of 900 in the inventory)")
    assert json.loads(report.render_json(data))["scope"] == data["scope"]
    page = report.render_html(data)
    assert 'data-scope="limited to 6 host(s) by --limit ws0* (of 900 in the inventory)"' in page
    assert "data-scope" not in report.render_html(report.build(fleet()))


# -- profiles, compliance and grouped stragglers on a small fleet --------------------------

def census(*users):
    return {"users": list(users), "errors": []}


def user(sid, default_services=(), profiles=("Outlook",), inspected=True):
    if not inspected:
        return {"sid": sid, "inspected": False, "reason": "hive not loaded", "profiles": [],
                "default_profile": None, "default_services": []}
    return {"sid": sid, "inspected": True, "reason": None, "profiles": list(profiles),
            "default_profile": profiles[0] if profiles else None, "default_services": list(default_services)}


def test_profile_figures_count_a_declared_service_no_host_lists_yet():
    records = {"a": dict(ok(inf([service("MSEMS", "Exchange")])),
                         profiles=census(user("S-1-5-21-1-2-3-1001", ["MSEMS", "contoso"]), user("S-1-5-21-1-2-3-1002", ["MSEMS"]),
                                         user("S-1-5-21-1-2-3-1003", inspected=False))),
               "b": ok(inf([service("MSEMS", "Exchange")]))}
    data = report.build(records, DESIRED)
    figures = {row["service"]: row for row in data["profiles"]}
    assert set(figures) == {"MSEMS", "CONTOSO"}
    # Service names are compared as Windows compares them; host b has no census: not read.
    assert (figures["CONTOSO"]["in_default_profile"], figures["CONTOSO"]["with_profile"],
            figures["CONTOSO"]["not_inspected"]) == (1, 2, 1)
    assert (figures["CONTOSO"]["hosts_read"], figures["CONTOSO"]["hosts_not_read"]) == (1, 1)
    hosts = {row["host"]: row["profiles"] for row in data["hosts"]}
    assert set(hosts["a"]["services"]) == {"MSEMS", "CONTOSO"} and hosts["b"]["read"] is False


def test_no_census_anywhere_shows_not_read_not_zero():
    data = report.build(fleet())
    page = report.render_html(data)
    assert all(row["hosts_read"] == 0 for row in data["profiles"])
    for row in json.loads(report.render_json(data))["profiles"]:
        assert [row[figure] for figure in ("users", "inspected", "not_inspected", "with_profile", "in_default_profile")] \
            == [None] * 5, "never 0 for not read"
    assert re.search(r'<tr data-profiles="CONTOSO"><td>CONTOSO</td><td colspan="3" class="note">not read</td>', page)
    rows = list(csv.DictReader(io.StringIO(report.render_csv(data))))
    assert {r["value"] for r in rows if r["record"] == "service_profiles"} == {"not read"}


def test_hostile_straggler_messages_and_census_are_escaped():
    evil = '<script>alert("x")</script>'
    records = {"ws01": {"status": "unreachable", "message": evil},
               "ws02<marquee>": dict(ok(inf([service("MSEMS", "Exchange")])), profiles=census(user("S-1-5-21-1-2-3-1001", [evil]), "oops"))}
    data = report.build(records)
    assert [item["host"] for item in data["profile_errors"]] == ["ws02<marquee>"]
    assert "results[ws02<marquee>].profiles.users[1]" in data["profile_errors"][0]["message"]
    page = parse(report.render_html(data))
    assert {tag for tag, attrs in page.tags} & {"script", "marquee"} == set()
    assert evil in "".join(page.text)


def test_compliance_is_the_gates_definition_in_every_format():
    records = fleet()
    data = report.build(records, DESIRED)
    drifted = {row["host"] for row in data["drift"]}
    good = _compliant_hosts(records, drifted)
    assert data["summary"]["compliant"] == len(good)
    assert gate.evaluate(data, [])["compliant"] == len(good)
    rows = list(csv.DictReader(io.StringIO(report.render_csv(data))))
    assert {r["key"]: r["value"] for r in rows if r["record"] == "summary"}["compliant"] == str(len(good))
    assert sorted(r["host"] for r in rows if r["record"] == "host" and r["value"] == "compliant") == good


def test_stragglers_with_the_same_message_are_one_group():
    records = {"ws%02d" % i: {"status": "unreachable", "message": "WinRM timed out connecting to ws%02d" % i}
               for i in range(1, 6)}
    records["ws09"] = {"status": "failed", "task": "Read", "message": "Access is denied"}
    groups = report.build(records)["straggler_groups"]
    assert [(g["status"], g["message"], g["count"]) for g in groups] == [
        ("unreachable", "WinRM timed out connecting to <host>", 5), ("failed", "Access is denied", 1)]
    assert groups[0]["hosts"] == ["ws01", "ws02", "ws03", "ws04", "ws05"]


def test_a_secret_in_the_desired_state_is_masked_and_compared_by_presence_only():
    declared = {"service": "LEAKY", "display_name": "Leaky Connector",
                "properties": {"PR_PASSWORD": "hunter2", "PR_PROXY": "http://u:pw@proxy.example/"}}
    same = service("LEAKY", "Leaky Connector")
    same["properties"].update(PR_PASSWORD="hunter2", PR_PROXY="http://u:pw@proxy.example/")
    other = service("LEAKY", "Leaky Connector")
    other["properties"].update(PR_PASSWORD="a different one", PR_PROXY="http://u:other@proxy.example/")
    data = report.build({"ws01": ok(inf([same])), "ws02": ok(inf([other])), "ws03": ok(inf([service("LEAKY", "Leaky Connector")]))},
                        declared)
    for render in report.RENDERERS.values():
        text = render(data)
        assert "hunter2" not in text and "pw@" not in text
    # A secret is never shown (the host's is masked too), so it can only be known to be there.
    assert {(row["host"], row["key"]) for row in data["drift"]} == {("ws03", "PR_PASSWORD"), ("ws03", "PR_PROXY")}
    assert {row["expected"] for row in data["drift"]} == {properties.REDACTED}
    assert {row["actual"] for row in data["drift"]} == {None}


@pytest.mark.parametrize("good, total, shown", [(3999, 4000, "99.9"), (2, 3, "66.6"), (29, 100, "29.0"), (0, 7, "0.0")])
def test_the_compliance_shown_is_never_rounded_up_and_is_the_figure_the_gate_compares(good, total, shown):
    records = {"ws%05d" % i: ok(inf([service("MSEMS", "Exchange")])) for i in range(good)}
    records.update({"ws%05d" % i: {"status": "unreachable", "message": "timed out"} for i in range(good, total)})
    data = report.build(records)
    assert str(data["summary"]["compliant_percent"]) == shown
    assert "hosts compliant (%s %%)" % shown in report.render_html(data)
    threshold = float(shown)
    assert not gate.evaluate(data, [("below_compliant_percent", threshold)])["failed"]
    # Whatever the report shows below a threshold trips it: 99.9 shown never passes a gate at 100.
    verdict = gate.evaluate(data, [("below_compliant_percent", threshold + 0.1)])
    assert verdict["failed"] and verdict["compliant_percent"] == data["summary"]["compliant_percent"]
    assert "(%s %%)" % shown in verdict["msg"]


WINRM_TIMEOUT = ("Failed to connect to the host via winrm: HTTPSConnectionPool(host='{}', port=5986): "
                 "Max retries exceeded with url: /wsman (Caused by ConnectTimeoutError: timed out)")


def test_stragglers_whose_messages_name_their_address_are_one_group():
    records = {"ws%02d" % i: {"status": "unreachable", "address": "10.1.0.%d" % i, "message": WINRM_TIMEOUT.format("10.1.0.%d" % i)}
               for i in range(1, 55)}
    groups = report.build(records)["straggler_groups"]
    assert [(g["message"], g["count"]) for g in groups] == [(WINRM_TIMEOUT.format("<host>"), 54)]


def test_a_host_name_is_replaced_as_a_whole_token_never_inside_a_word_or_another_address():
    records = {
        "ws01": {"status": "unreachable", "address": "10.1.0.5", "message": "no route to 10.1.0.50 from ws010 for ws01"},
        "the": {"status": "unreachable", "message": "Failed to connect to the host via ssh: timed out"},
        "mail": {"status": "unreachable", "message": "HTTPSConnectionPool(host='mail', port=5986): timed out on mail.corp.example"},
        "other": {"status": "unreachable", "message": "Failed to connect to the host via ssh: timed out"},
    }
    groups = {g["message"]: g["hosts"] for g in report.build(records)["straggler_groups"]}
    assert groups == {
        "no route to 10.1.0.50 from ws010 for <host>": ["ws01"],
        # A host called "the" does not rewrite the word: it groups with the same message elsewhere.
        "Failed to connect to the host via ssh: timed out": ["other", "the"],
        "HTTPSConnectionPool(host='<host>', port=5986): timed out on <host>.corp.example": ["mail"],
    }


def test_an_address_that_is_not_a_string_names_the_field():
    with pytest.raises(report.ReportError, match=r"results\[ws01\]\.address"):
        report.build({"ws01": {"status": "unreachable", "message": "x", "address": ["10.0.0.1"]}})
