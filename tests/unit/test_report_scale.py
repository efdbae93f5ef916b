# -*- coding: utf-8 -*-
"""The fleet report at 1,000 and 10,000 synthetic hosts (tests/unit/report_fleet.py).

Every expected figure is counted here from the generated records, not taken from the report:
compliance, stragglers grouped by message, services by count, the users' profile figures.
The page must keep every host reachable and stay one file of a size that grows with the
fleet, not with its square; sizes are printed (``pytest -s``) and bounded, never timed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from html.parser import HTMLParser

import pytest

from ansible_collections.mapi.messaging.plugins.plugin_utils import report

import report_fleet

SIZES = (1000, 10000)
# Bytes of HTML per host the page may take at most: measured about 300 at 1,000 hosts and 270 at
# 10,000 (bench/report_preview.py); the bound catches a page that lists every host many times.
HTML_BYTES_PER_HOST = 600


@pytest.fixture(scope="module", params=SIZES, ids=["%d hosts" % size for size in SIZES])
def fleet(request):
    records = report_fleet.fleet(request.param)
    data = report.build(records, report_fleet.DESIRED)
    csv_text = report.render_csv(data)
    return records, data, report.render_html(data), csv_text, list(csv.DictReader(io.StringIO(csv_text)))


def reached(record):
    return record["status"] == "ok"


def errors(record):
    return any(f["severity"] == "error" for item in record["files"] for f in item["findings"])


def has_file(record):
    return any(item["exists"] for item in record["files"])


def drifted(record):
    """Whether a reached host differs from report_fleet.DESIRED, read from the generated record:
    the service missing, or its display name, DLL or provider type not the declared one."""
    declared = report_fleet.DESIRED
    found = [s for item in record["files"] if item["exists"] for s in item["services"] if s["name"] == declared["service"]]
    if not found:
        return True
    for service in found:
        providers = {p["name"]: p["properties"] for p in service["providers"]}
        if service["display_name"] != declared["display_name"] or any(
                service["properties"].get(key) != value for key, value in declared["properties"].items()):
            return True
        for provider in declared["providers"]:
            if any(providers.get(provider["name"], {}).get(key) != value for key, value in provider["properties"].items()):
                return True
    return False


def test_compliance_counts_read_hosts_with_a_file_no_error_and_no_drift(fleet):
    records, data, page, csv_text, rows = fleet
    expected = sorted(host for host, record in records.items()
                      if reached(record) and has_file(record) and not errors(record) and not drifted(record))
    assert sorted({row["host"] for row in data["drift"]}) == sorted(h for h, r in records.items() if reached(r) and drifted(r))
    assert sorted(row["host"] for row in data["hosts"] if row["compliant"]) == expected
    assert data["summary"]["compliant"] == len(expected)
    # Floored to one decimal, never rounded up (gate.compliant_percent).
    assert data["summary"]["compliant_percent"] == int(1000 * len(expected) / len(records)) / 10
    assert 'data-compliant="%d" data-of="%d"' % (len(expected), len(records)) in page
    assert "%s</b> of %s hosts compliant" % (format(len(expected), ","), format(len(records), ",")) in page
    if len(records) > min(SIZES):
        return  # the rule does not depend on the size: the second build is done once
    # Without a desired state nobody drifts: the hosts that differed count as compliant again.
    plain = report.build(records)["summary"]["compliant"]
    assert plain == sum(1 for record in records.values() if reached(record) and has_file(record) and not errors(record))
    assert plain > len(expected)


def test_stragglers_are_grouped_by_status_and_message_with_the_host_name_taken_out(fleet):
    records, data, page, csv_text, rows = fleet
    expected = Counter()
    for host, record in records.items():
        if not reached(record):
            expected[(record["status"], record["message"].replace(host, "<host>"))] += 1
    groups = data["straggler_groups"]
    assert {(g["status"], g["message"]): g["count"] for g in groups} == dict(expected)
    assert [g["count"] for g in groups] == sorted(expected.values(), reverse=True)
    assert len(groups) < len(data["stragglers"]) / 10, "one WinRM time-out on many hosts is one group"
    assert sorted(h for g in groups for h in g["hosts"]) == sorted(h for h, r in records.items() if not reached(r))
    assert {(r["status"], r["message"]): int(r["count"]) for r in rows if r["record"] == "straggler_group"} == dict(expected)
    assert json.loads(report.render_json(data))["straggler_groups"] == groups


def test_services_come_most_widespread_first(fleet):
    records, data, page, csv_text, rows = fleet
    per_service = Counter()
    for record in records.values():
        if reached(record):
            for name in {s["name"] for item in record["files"] if item["exists"] for s in item["services"]}:
                per_service[name] += 1
    assert [s["hosts"] for s in data["services"]] == sorted(per_service.values(), reverse=True)
    assert {s["name"]: s["hosts"] for s in data["services"]} == dict(per_service)
    labels = re.findall(r'<g class="bar" data-label="([^"]+)"', page)[:len(per_service)]
    assert labels == [s["name"] for s in data["services"]]


def _census_users(records, malformed):
    for host, record in records.items():
        if "profiles" in record and host not in malformed:
            yield from record["profiles"]["users"]


def test_profile_figures_add_up_the_hosts_whose_census_was_read(fleet):
    records, data, page, csv_text, rows = fleet
    malformed = {item["host"] for item in data["profile_errors"]}
    users = list(_census_users(records, malformed))
    read = sum(1 for host, record in records.items() if "profiles" in record and host not in malformed)
    for figures in data["profiles"]:
        name = figures["service"]
        assert figures["hosts_read"] == read
        assert figures["hosts_not_read"] == len(records) - read
        assert figures["not_inspected"] == sum(1 for u in users if not u["inspected"])
        assert figures["with_profile"] == sum(1 for u in users if u["inspected"] and u["profiles"])
        assert figures["in_default_profile"] == sum(1 for u in users if name in u["default_services"])
    in_csv = {r["service"]: int(r["in_default_profile"]) for r in rows if r["record"] == "service_profiles"}
    assert in_csv == {f["service"]: f["in_default_profile"] for f in data["profiles"]}
    in_page = set(re.findall(r'<tr data-profiles="([^"]+)">', page))
    assert in_page == {f["service"] for f in data["profiles"]}


def test_a_host_without_a_census_is_not_read_never_zero(fleet):
    records, data, page, csv_text, rows = fleet
    without = sorted(host for host, record in records.items() if "profiles" not in record)
    assert without, "the synthetic fleet has hosts without a census"
    by_host = {row["host"]: row for row in data["hosts"]}
    for host in without[:20]:
        assert by_host[host]["profiles"] == {"read": False, "error": None, "services": {}}
        assert re.search(r'<tr data-host="%s">.*?<td class="p">not read</td>' % host, page, re.S)
    not_read = {r["host"] for r in rows if r["record"] == "profiles" and r["value"] == "not read"}
    assert set(without) <= not_read


def test_a_malformed_census_names_the_host_and_field_and_the_report_goes_on(fleet):
    records, data, page, csv_text, rows = fleet
    bad = [host for host, record in records.items()
           if "profiles" in record and "inspected" not in record["profiles"]["users"][0]]
    assert [item["host"] for item in data["profile_errors"]] == bad
    assert "results[%s].profiles.users[0]" % bad[0] in data["profile_errors"][0]["message"]
    assert "inspected" in data["profile_errors"][0]["message"]
    assert not next(row for row in data["hosts"] if row["host"] == bad[0])["profiles"]["read"]
    assert "results[%s].profiles.users[0]" % bad[0] in page


class Reachable(HTMLParser):
    """Which hosts each list of the page names: data-host rows, data-straggler entries, and
    the text inside each finding's and drift row's host list."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.stragglers, self.finding, self.in_finding, self.depth = set(), set(), {}, None, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-host" in attrs and tag == "tr":
            self.rows.add(attrs["data-host"])
        if "data-straggler" in attrs:
            self.stragglers.add(attrs["data-straggler"])
        if tag == "details" and self.in_finding:
            self.depth += 1
        if tag == "details" and "data-finding" in attrs:
            self.in_finding, self.depth = attrs["data-finding"], 1
            self.finding[self.in_finding] = []

    def handle_endtag(self, tag):
        if tag == "details" and self.in_finding:
            self.depth -= 1
            if not self.depth:
                self.in_finding = None

    def handle_data(self, data):
        if self.in_finding:
            self.finding[self.in_finding].append(data)


def test_every_host_is_reachable_in_the_page(fleet):
    records, data, page, csv_text, rows = fleet
    parser = Reachable()
    parser.feed(page)
    assert parser.rows == set(records)
    assert parser.stragglers == {host for host, record in records.items() if not reached(record)}
    for group in data["findings"]:
        named = set(re.findall(r"ws\d{5}", "".join(parser.finding[group["code"]])))
        assert named == set(group["hosts"]), group["code"]
    # Each drift row lists all its hosts, however many.
    for row in re.findall(r'<table class="drift">(.*?)</table>', page, re.S):
        for cells in re.findall(r"<tr><td(.*?)</tr>", row, re.S):
            count = int(re.search(r"<b>([\d,]+)</b>", cells).group(1).replace(",", ""))
            assert len(set(re.findall(r"ws\d{5}", cells))) == count
    assert sum(len(re.findall(r"ws\d{5}", cells)) for cells in re.findall(r'<table class="drift">(.*?)</table>', page, re.S)) > 0


def test_the_page_is_one_file_whose_size_grows_with_the_fleet(fleet):
    records, data, page, csv_text, rows = fleet
    size = len(page.encode("utf-8"))
    print("\n%d hosts: HTML %d bytes, CSV %d bytes, JSON %d bytes" % (
        len(records), size, len(csv_text.encode("utf-8")), len(report.render_json(data).encode("utf-8"))))
    assert size <= HTML_BYTES_PER_HOST * len(records)
    assert not re.search(r"<(script|link|img|iframe)\b", page)
    assert not re.search(r'(src|href)="(?!#)', page)
