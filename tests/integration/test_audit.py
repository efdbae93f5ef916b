# -*- coding: utf-8 -*-
"""The fleet audit, ``ansible-playbook mapi.messaging.audit``, against 30 simulated hosts.

Every host is an inventory alias of localhost with its own generated MAPISVC.INF: different
services and DLL paths, some with problems (UTF-8 byte order marks, duplicate sections, a
DLL name with the 32 suffix), some without the file, one whose path is a folder (the read
fails) and one that cannot be reached. ``make_fleet`` keeps, per host, what it put in the
file; the tests count the expected figures from that, and compare them with what the HTML,
CSV and JSON report say.
"""

from __future__ import annotations

import codecs
import csv
import json
import pathlib
from html.parser import HTMLParser

import pytest
import yaml

import playbook_run

HOSTS = 30

CONTOSO_V1 = "C:\\Program Files\\Contoso\\contoso.dll"
CONTOSO_V2 = "C:\\Program Files\\Contoso\\v2\\contoso.dll"
CONTOSO_32 = "C:\\Program Files\\Contoso\\contoso32.dll"


def _service(name, display, dll, provider_type, default=False):
    return {"name": name, "display": display, "dll": dll, "provider": name + "_P",
            "provider_type": provider_type, "default": default}


def host_spec(i):
    """What host number ``i`` (1..30) has; every choice is a rule on ``i``."""
    spec = {"name": "ws%02d" % i, "services": [], "bom": None, "duplicate": False, "utf16": False,
            "files": "one", "unreachable": i == 30}
    if i == 29:
        spec["files"] = "folder"  # mapisvc_info fails on a folder
    elif i in (27, 28):
        spec["files"] = "missing"
    elif i == 26:
        spec["files"] = "second of two"
    spec["services"].append(_service("MSPST MS", "Personal Folders File (.pst)", "mspst.dll",
                                     "MAPI_STORE_PROVIDER", default=True))
    if i % 3:
        dll = CONTOSO_32 if i in (5, 11) else CONTOSO_V2 if i % 2 == 0 else CONTOSO_V1
        spec["services"].append(_service("CONTOSO", "Contoso Connector", dll, "MAPI_AB_PROVIDER"))
        spec["duplicate"] = i in (8, 14, 20)
    if i % 4 == 0:
        spec["services"].append(_service("FABRIKAM", "Fabrikam Fax", "C:\\Fabrikam\\fbxport.dll",
                                         "MAPI_TRANSPORT_PROVIDER"))
    if i % 5:
        spec["services"].append(_service("MSEMS", "Microsoft Exchange Server", "emsui.dll",
                                         "MAPI_STORE_PROVIDER", default=i % 2 == 1))
    if i % 7 == 0:
        spec["services"].append(_service("TAILSPIN", "Tailspin Directory", "C:\\Tailspin\\tailspin.dll",
                                         "MAPI_AB_PROVIDER"))
    if i == 7:
        spec["bom"] = "hides [Services]"
    elif i == 13:
        spec["bom"] = "before a comment"
    spec["utf16"] = i == 17
    return spec


def mapisvc_text(spec):
    lines = [] if spec["bom"] == "hides [Services]" else ["; MAPISVC.INF of %s" % spec["name"]]
    lines += ["[Services]"] + ["%s=%s" % (s["name"], s["display"]) for s in spec["services"]]
    lines += ["", "[Default Services]"] + ["%s=%s" % (s["name"], s["display"]) for s in spec["services"] if s["default"]]
    for s in spec["services"]:
        lines += ["", "[%s]" % s["name"], "PR_SERVICE_DLL_NAME=%s" % s["dll"], "PR_SERVICE_ENTRY_NAME=ServiceEntry",
                  "PR_RESOURCE_FLAGS=SERVICE_SINGLE_COPY | SERVICE_NO_PRIMARY_IDENTITY", "Providers=%s" % s["provider"],
                  "", "[%s]" % s["provider"], "PR_RESOURCE_TYPE=%s" % s["provider_type"],
                  "PR_PROVIDER_DLL_NAME=%s" % s["dll"], "PR_PROVIDER_DISPLAY=%s" % s["display"]]
        if s["name"] == "CONTOSO" and spec["duplicate"]:
            # A later copy, invisible to MAPI: its DLL must not show up in the report.
            lines += ["", "[contoso]", "PR_SERVICE_DLL_NAME=C:\\Program Files\\Contoso\\never\\contoso.dll"]
    text = "\r\n".join(lines) + "\r\n"
    if spec["utf16"]:
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    data = text.encode("cp1252")
    return codecs.BOM_UTF8 + data if spec["bom"] else data


def make_fleet(root, hosts=HOSTS):
    """Write every host's file and the inventory under ``root``; return (inventory, specs)."""
    root = pathlib.Path(root)
    inventory = {}
    specs = {}
    for i in range(1, hosts + 1):
        spec = host_spec(i)
        specs[spec["name"]] = spec
        folder = root / spec["name"]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "MAPISVC.INF"
        variables = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                     "audit_paths": [str(path)]}
        if spec["files"] == "one":
            path.write_bytes(mapisvc_text(spec))
        elif spec["files"] == "folder":
            path.mkdir(exist_ok=True)
        elif spec["files"] == "second of two":
            other = folder / "System32" / "MAPISVC.INF"
            other.parent.mkdir(exist_ok=True)
            other.write_bytes(mapisvc_text(spec))
            variables["audit_paths"] = [str(path), str(other)]
        if spec["unreachable"]:
            # Nothing listens on port 1: ssh fails at once with "connection refused".
            variables = {"ansible_connection": "ssh", "ansible_host": "127.0.0.1", "ansible_port": 1,
                         "ansible_user": "nobody", "audit_paths": [str(path)]}
        inventory[spec["name"]] = variables
    inventory_path = root / "inventory.yml"
    inventory_path.write_text(yaml.safe_dump({"all": {"hosts": inventory}}))
    return inventory_path, specs


# -- what the report must say, counted from the specs -----------------------------------------

def reached(spec):
    return not spec["unreachable"] and spec["files"] != "folder"


def has_file(spec):
    return reached(spec) and spec["files"] in ("one", "second of two")


def visible_services(spec):
    if not has_file(spec) or spec["bom"] == "hides [Services]":
        return []
    return spec["services"]


def hosts_with(specs, service):
    return sorted(name for name, spec in specs.items() if service in [s["name"] for s in visible_services(spec)])


def expected_findings(specs):
    """finding code -> hosts, for the problems make_fleet put in the files."""
    found = {}
    for name, spec in specs.items():
        if not has_file(spec):
            continue
        codes = []
        if spec["bom"]:
            codes.append("utf8-bom")
        if spec["bom"] == "hides [Services]" and spec["services"]:
            # Its service sections are still there, but no [Services] MAPI can see lists them.
            codes.append("section-without-service")
        if spec["duplicate"]:
            codes.append("duplicate-section")
        if any(s["dll"] == CONTOSO_32 for s in visible_services(spec)):
            codes.append("dll-32-suffix")
        for code in codes:
            found.setdefault(code, []).append(name)
    return found


def expected_dlls(specs, service):
    used = {}
    for name, spec in specs.items():
        for s in visible_services(spec):
            if s["name"] == service:
                used.setdefault(s["dll"], set()).add(name)
    return {dll: sorted(names) for dll, names in used.items()}


# -- running the playbook ------------------------------------------------------------------------

def run_audit(tmp_path, inventory, *extra):
    proc, dummy = playbook_run.run_playbook_file(tmp_path, "mapi.messaging.audit", inventory,
                                                 "-e", "audit_report_dir=%s" % (tmp_path / "report"), *extra,
                                                 forks=10)
    return proc


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.open, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "rect"):
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, "</%s> closes <%s>" % (tag, self.open[-1:])
        self.open.pop()

    def handle_data(self, data):
        self.text.append(data)

    def with_attr(self, name, tag=None):
        return [a for t, a in self.tags if name in a and (tag is None or t == tag)]


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("audit")
    inventory, specs = make_fleet(tmp_path / "fleet")
    proc = run_audit(tmp_path, inventory)
    return tmp_path, specs, proc


def read_report(tmp_path):
    folder = tmp_path / "report"
    page = Page()
    page.feed((folder / "mapisvc-report.html").read_text(encoding="utf-8"))
    page.close()
    assert page.open == [], "unclosed tags: %s" % page.open
    data = json.loads((folder / "mapisvc-report.json").read_text(encoding="utf-8"))
    with open(folder / "mapisvc-report.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return page, data, rows


def test_the_audit_runs_through_every_host_and_writes_the_three_files(audited):
    tmp_path, specs, proc = audited
    # Unreachable and failed hosts are recorded, not fatal: the run itself succeeds.
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "Write the report (HTML, CSV, JSON)" in proc.stdout
    for suffix in ("html", "csv", "json"):
        assert (tmp_path / "report" / ("mapisvc-report." + suffix)).stat().st_size > 0


def test_html_parses_has_a_chart_and_the_counts_of_the_fleet(audited):
    tmp_path, specs, proc = audited
    page, data, rows = read_report(tmp_path)
    tags = [tag for tag, attrs in page.tags]
    assert "svg" in tags and "script" not in tags
    assert not [a for t, a in page.tags for k, v in a.items() if k in ("src", "href") and not v.startswith("#")]
    services = {name for spec in specs.values() for name in [s["name"] for s in visible_services(spec)]}
    table = {a["data-service"]: None for a in page.with_attr("data-service", "tr")}
    assert set(table) == services
    cells = [int(a["data-hosts"]) for a in page.with_attr("data-hosts", "td")]
    assert cells == [len(hosts_with(specs, name)) for name in table]
    bars = {a["data-label"]: int(a["data-count"]) for a in page.with_attr("data-count", "g")}
    for name in services:
        assert bars[name] == len(hosts_with(specs, name)), name
    findings = {a["data-finding"]: int(a["data-hosts"]) for a in page.with_attr("data-finding", "details")}
    assert findings == {code: len(hosts) for code, hosts in expected_findings(specs).items()}
    cards = {}
    for tag, attrs in page.tags:
        if "data-summary" in attrs:
            cards[attrs["data-summary"]] = None
    summary = data["summary"]
    assert summary["hosts"] == len(specs)
    assert summary["reached"] == sum(1 for s in specs.values() if reached(s))
    assert summary["unreachable"] == sum(1 for s in specs.values() if s["unreachable"])
    assert summary["failed"] == sum(1 for s in specs.values() if s["files"] == "folder" and not s["unreachable"])
    assert summary["without_file"] == sum(1 for s in specs.values() if reached(s) and not has_file(s))
    text = " ".join(page.text)
    for label in ("Unreachable", "Failed", "No MAPISVC.INF"):
        assert label in cards
    assert "%d hosts;" % len(specs) in text


def test_stragglers_are_the_unreachable_and_the_failed_hosts(audited):
    tmp_path, specs, proc = audited
    page, data, rows = read_report(tmp_path)
    in_page = {a["data-straggler"]: a["data-status"] for a in page.with_attr("data-straggler")}
    expected = {name: "unreachable" if s["unreachable"] else "failed"
                for name, s in specs.items() if not reached(s)}
    assert in_page == expected
    failed = next(row for row in data["stragglers"] if row["status"] == "failed")
    assert failed["task"] == "Read every MAPISVC.INF" and failed["message"]
    unreachable = next(row for row in data["stragglers"] if row["status"] == "unreachable")
    # Ansible's own words for the closed port, from the read that could not reach the host.
    assert "Connection refused" in unreachable["message"], unreachable
    assert unreachable["task"] == "Read every MAPISVC.INF"


def test_dll_paths_in_use_are_what_windows_reads(audited):
    tmp_path, specs, proc = audited
    page, data, rows = read_report(tmp_path)
    contoso = next(s for s in data["services"] if s["name"] == "CONTOSO")
    dll = next(d for d in contoso["dlls"] if d["key"] == "PR_SERVICE_DLL_NAME")
    assert {v["value"]: v["hosts"] for v in dll["values"]} == expected_dlls(specs, "CONTOSO")
    # The DLL of the hidden duplicate [contoso] section appears nowhere.
    assert "never" not in json.dumps(contoso)


def test_csv_and_json_agree_with_each_other_and_the_fleet(audited):
    tmp_path, specs, proc = audited
    page, data, rows = read_report(tmp_path)
    assert {r["host"]: r["status"] for r in rows if r["record"] == "host"} == {h["host"]: h["status"] for h in data["hosts"]}
    per_service = {}
    for r in rows:
        if r["record"] == "service":
            per_service.setdefault(r["service"], set()).add(r["host"])
    assert {k: sorted(v) for k, v in per_service.items()} == {s["name"]: s["host_names"] for s in data["services"]}
    assert {k: sorted(v) for k, v in per_service.items()} == {
        name: hosts_with(specs, name) for name in per_service}
    per_code = {}
    for r in rows:
        if r["record"] == "finding":
            per_code.setdefault(r["code"], set()).add(r["host"])
    assert {k: sorted(v) for k, v in per_code.items()} == {g["code"]: g["hosts"] for g in data["findings"]}
    assert {k: sorted(v) for k, v in per_code.items()} == expected_findings(specs)
    missing = {r["host"] for r in rows if r["record"] == "file" and r["exists"] == "no"}
    assert missing == {name for name, s in specs.items() if reached(s) and s["files"] in ("missing", "second of two")}


def test_a_desired_state_shows_which_hosts_drifted(tmp_path):
    inventory, specs = make_fleet(tmp_path / "fleet", hosts=12)
    desired = tmp_path / "desired.yml"
    desired.write_text(yaml.safe_dump({"audit_desired": {
        "service": "CONTOSO", "display_name": "Contoso Connector",
        "properties": {"PR_SERVICE_DLL_NAME": CONTOSO_V2},
        "providers": [{"name": "CONTOSO_P", "properties": {"PR_RESOURCE_TYPE": "MAPI_AB_PROVIDER"}}]}}))
    proc = run_audit(tmp_path, inventory, "-e", "@%s" % desired)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    page, data, rows = read_report(tmp_path)
    expected = sorted(name for name, spec in specs.items() if reached(spec) and (
        not has_file(spec) or [s["dll"] for s in visible_services(spec) if s["name"] == "CONTOSO"] != [CONTOSO_V2]))
    assert sorted({row["host"] for row in data["drift"]}) == expected
    headings = {a["data-drift"]: int(a["data-hosts"]) for a in page.with_attr("data-drift")}
    assert headings == {"CONTOSO": len(expected)}
    assert sorted({r["host"] for r in rows if r["record"] == "drift"}) == expected


def test_check_mode_reads_every_host_and_writes_no_report(tmp_path):
    inventory, specs = make_fleet(tmp_path / "fleet", hosts=3)
    proc = run_audit(tmp_path, inventory, "--check")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "would write" in proc.stdout
    assert not (tmp_path / "report").exists()


def test_a_missing_report_folder_is_refused_with_the_variable_named(tmp_path):
    inventory, specs = make_fleet(tmp_path / "fleet", hosts=2)
    proc, dummy = playbook_run.run_playbook_file(tmp_path, "mapi.messaging.audit", inventory)
    assert proc.returncode != 0
    assert "audit_report_dir: give the controller folder" in proc.stdout
    # Checked before any host is read: no host task ran.
    assert "Read every MAPISVC.INF" not in proc.stdout


def test_a_limited_re_audit_writes_a_report_of_the_limited_hosts_and_says_so(tmp_path):
    inventory, specs = make_fleet(tmp_path / "fleet", hosts=HOSTS)
    proc = run_audit(tmp_path, inventory, "--limit", "ws29,ws30")
    # The unreachable host stays in the play (the recap counts its ignored unreachable read);
    # the report counts it as unreachable. No gate: still exit 0.
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    recap = proc.stdout.split("PLAY RECAP")[1]
    assert "ws30" in recap and "ignored=1" in recap.split("ws30")[1].splitlines()[0]
    page, data, rows = read_report(tmp_path)
    assert sorted(h["host"] for h in data["hosts"]) == ["ws29", "ws30"]
    assert {row["host"]: row["status"] for row in data["stragglers"]} == {"ws29": "failed", "ws30": "unreachable"}
    assert "Connection refused" in next(r["message"] for r in data["stragglers"] if r["host"] == "ws30")
    assert "--limit ws29,ws30" in data["scope"] and "of %d" % HOSTS in data["scope"]
    assert [a["data-scope"] for a in page.with_attr("data-scope")] == [data["scope"]]


def test_audit_fail_on_fails_the_run_after_the_report_naming_the_condition_and_hosts(tmp_path):
    inventory, specs = make_fleet(tmp_path / "fleet", hosts=HOSTS)
    proc = run_audit(tmp_path, inventory, "-e", '{"audit_fail_on": ["unreachable", {"below_compliant_percent": 95}]}')
    assert proc.returncode != 0
    page, data, rows = read_report(tmp_path)
    assert data["summary"]["hosts"] == HOSTS, "the report is written before the gate fails the run"
    unreachable = sorted(name for name, spec in specs.items() if spec["unreachable"])
    assert "audit_fail_on tripped: unreachable: %d of %d hosts: %s" % (len(unreachable), HOSTS, ", ".join(unreachable)) \
        in proc.stdout
    assert "below_compliant_percent 95: " in proc.stdout


def test_audit_fail_on_without_a_trip_keeps_the_run_green(tmp_path):
    inventory, specs = make_fleet(tmp_path / "fleet", hosts=4)
    proc = run_audit(tmp_path, inventory, "-e", '{"audit_fail_on": ["unreachable", "failed"]}')
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert (tmp_path / "report" / "mapisvc-report.json").exists()


@pytest.mark.parametrize("fail_on, message", [
    ('{"audit_fail_on": ["drfit"]}', "audit_fail_on[0]: 'drfit' is not a condition"),
    ('{"audit_fail_on": ["drift"]}', "audit_fail_on: drift needs a desired state"),
    ('{"audit_fail_on": [{"below_compliant_percent": 120}]}', "audit_fail_on[0].below_compliant_percent: 120"),
    # Every field of a desired state with problems is named as the user wrote it.
    ('{"audit_desired": {"service": "X", "properties": {"PR_SERVICE_DLL_NAME": 5}}}',
     "- audit_desired.display_name: required with state: present"),
    ('{"audit_desired": {"service": "X", "properties": {"PR_SERVICE_DLL_NAME": 5}}}',
     "- audit_desired.properties.PR_SERVICE_DLL_NAME: an integer"),
])
def test_a_bad_audit_setting_is_refused_before_any_host_is_read_naming_the_variable(tmp_path, fail_on, message):
    inventory, specs = make_fleet(tmp_path / "fleet", hosts=2)
    proc = run_audit(tmp_path, inventory, "-e", fail_on)
    assert proc.returncode != 0
    assert message in proc.stdout, proc.stdout[-3000:]
    assert "Read every MAPISVC.INF" not in proc.stdout
    assert not (tmp_path / "report").exists()


def detection_fleet(root):
    """Two Windows hosts on the audit's default path (the role's detection) that nobody
    answers for, and one reachable host that reads a given path."""
    root = pathlib.Path(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / "MAPISVC.INF").write_bytes(mapisvc_text(host_spec(1)))
    offline = {"ansible_connection": "ssh", "ansible_shell_type": "powershell", "ansible_host": "127.0.0.1",
               "ansible_port": 1, "ansible_user": "nobody", "ansible_ssh_common_args": "-o ConnectTimeout=3"}
    hosts = {"winws1": offline, "winws2": offline,
             "local1": {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                        "audit_windows": False, "audit_paths": [str(root / "MAPISVC.INF")]}}
    inventory = root / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": hosts}}))
    return inventory


def test_an_unreachable_host_on_the_detection_path_is_unreachable_with_ansibles_message_and_trips_the_gate(tmp_path):
    inventory = detection_fleet(tmp_path / "fleet")
    proc = run_audit(tmp_path, inventory, "-e", '{"audit_fail_on": ["unreachable"]}')
    assert proc.returncode == 2, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "audit_fail_on tripped: unreachable: 2 of 3 hosts: winws1, winws2" in proc.stdout
    page, data, rows = read_report(tmp_path)
    stragglers = {row["host"]: row for row in data["stragglers"]}
    assert {host: row["status"] for host, row in stragglers.items()} == {"winws1": "unreachable", "winws2": "unreachable"}
    for row in stragglers.values():
        # The detection's own unreachable result, not a later task's failure on its absent answer.
        assert "Connection refused" in row["message"] and "no attribute" not in row["message"], row
        assert row["task"].startswith("Detect | Read the host once"), row


def test_a_re_audit_of_hosts_that_are_all_still_offline_writes_the_report_and_the_artifacts(tmp_path, monkeypatch):
    inventory = detection_fleet(tmp_path / "fleet")
    monkeypatch.setenv("ANSIBLE_SHOW_CUSTOM_STATS", "1")
    proc = run_audit(tmp_path, inventory, "--limit", "winws1,winws2")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    page, data, rows = read_report(tmp_path)
    assert {row["host"]: row["status"] for row in data["stragglers"]} == {"winws1": "unreachable", "winws2": "unreachable"}
    assert (data["summary"]["hosts"], data["summary"]["unreachable"]) == (2, 2)
    assert "--limit winws1,winws2" in data["scope"]
    # The set_stats artifacts (printed with ANSIBLE_SHOW_CUSTOM_STATS).
    assert '"mapi_messaging_audit"' in proc.stdout.split("CUSTOM STATS")[1]


def test_each_hosts_record_carries_the_address_it_was_reached_at(tmp_path):
    inventory = detection_fleet(tmp_path / "fleet")
    # The audit, then a play that keeps every host's record as the report play gets it.
    records = tmp_path / "records.json"
    wrapper = tmp_path / "audit-and-keep.yml"
    wrapper.write_text(yaml.safe_dump([
        {"import_playbook": "mapi.messaging.audit"},
        {"hosts": "all", "gather_facts": False, "tasks": [{
            "ansible.builtin.copy": {"dest": str(records), "content": "{{ dict(ansible_play_hosts_all | zip("
                                     "ansible_play_hosts_all | map('extract', hostvars, 'mapisvc_audit'))) | to_json }}"},
            "run_once": True, "delegate_to": "localhost"}]}]))
    proc, dummy = playbook_run.run_playbook_file(tmp_path, wrapper, inventory,
                                                 "-e", "audit_report_dir=%s" % (tmp_path / "report"))
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    kept = json.loads(records.read_text(encoding="utf-8"))
    assert {host: record["address"] for host, record in kept.items()} == {
        "winws1": "127.0.0.1", "winws2": "127.0.0.1", "local1": "local1"}
    assert (kept["winws1"]["status"], kept["local1"]["status"]) == ("unreachable", "ok")
