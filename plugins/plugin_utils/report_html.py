# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report as one self-contained HTML page (inline CSS and SVG, no script, nothing
fetched), rendered from ``report.build``'s data with a Jinja2 template.

The template text lives in this module, not in a file beside it: an installed collection
certainly carries its Python modules, and the controller loads them without any file path.
Jinja2 escapes every value (``autoescape=True``); the only markup added to a value is the
``<wbr/>`` after each path separator and underscore (``path`` filter, applied to escaped text),
which lets a browser break a long path or service name there instead of in the middle of a word.

Everything here only arranges the data for reading (groups, order, what is folded away in a
``<details>``); every figure comes from the report data.
"""

from __future__ import annotations

import re
from typing import Any

import jinja2
from markupsafe import Markup, escape

from ansible_collections.mapi.messaging.plugins.plugin_utils.ini import fold

# How many host names a list shows before the rest is folded into a <details>: every host
# stays in the page, but a list of 9,000 names does not push the table off the screen.
SHOWN_HOSTS = 12
SEVERITY_COLORS = {"error": "#b3261e", "warning": "#c98a00"}
SERVICE_COLOR = "#2f6db5"

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;opacity:.85}main{padding:8px 28px 40px;max-width:1280px}
h2{font-size:18px;margin:28px 0 10px;border-bottom:2px solid #dde3ea;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.compliance{font-size:20px;margin:16px 0 0}.compliance b{font-size:28px}
.compliance.bad b{color:#b3261e}.compliance.good b{color:#1a7f37}
.meter{height:10px;background:#e6e9ee;border-radius:5px;max-width:640px;margin:6px 0 0;overflow:hidden}
.meter span{display:block;height:100%;background:#1a7f37}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin-top:16px}
.card{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:10px 14px;min-width:110px}
.card b{display:block;font-size:24px}.card.bad b{color:#b3261e}.card.warn b{color:#9a6700}
table{border-collapse:collapse;background:#fff;width:100%;margin:6px 0 14px}
th,td{border:1px solid #dde3ea;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef2f6;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font:12px ui-monospace,Consolas,"DejaVu Sans Mono",monospace;overflow-wrap:anywhere}
td.id{overflow-wrap:anywhere}
table.drift td.v{width:28%}td.k code{overflow-wrap:normal}table.services td.dlls{width:48%}
table.services td.id{width:16%}table.services td.n{width:1%}table.occurrences td:last-child{width:30%}
table.hosts td.id{width:24%}table.hosts td.p{width:30%}table.hosts td.n{width:1%}
.sev-error{color:#b3261e;font-weight:600}.sev-warning{color:#9a6700;font-weight:600}
.varies{background:#fff4e5}details{margin:4px 0}summary{cursor:pointer}
.hosts{color:#4a5561;font-size:12px}.hosts .all{margin-top:4px;max-height:16em;overflow:auto}
.note{color:#4a5561}svg text{font:12px system-ui,sans-serif}
"""

TEMPLATE = r"""
{%- macro hostlist(names, shown=SHOWN_HOSTS) -%}
{%- if names|length <= shown -%}
<span class="hosts">{{ names|join(", ") }}</span>
{%- else -%}
<details class="hosts"><summary>{{ names[:shown]|join(", ") }} and {{ (names|length - shown)|num }} more</summary>
<div class="all">{{ names|join(", ") }}</div></details>
{%- endif -%}
{%- endmacro -%}

{%- macro chart(title, bars, total) -%}
{%- set label_width, bar_width, row = 300, 420, 24 -%}
{%- set width, height = label_width + bar_width + 110, row * bars|length + 30 -%}
<svg role="img" width="{{ width }}" height="{{ height }}" viewBox="0 0 {{ width }} {{ height }}"><title>{{ title }}</title>
{%- for bar in bars -%}
{%- set y = 10 + loop.index0 * row -%}
{%- set length = 0 if not total else (bar_width * bar.count / total)|round(1) -%}
<g class="bar" data-label="{{ bar.label }}" data-count="{{ bar.count }}">
<title>{{ bar.label }}: {{ bar.count }} of {{ total }} hosts</title>
<text x="{{ label_width - 8 }}" y="{{ y + 15 }}" text-anchor="end">{{ bar.label|truncate(36, true, "\u2026", 0) }}</text>
<rect x="{{ label_width }}" y="{{ y + 2 }}" width="{{ length }}" height="18" rx="2" fill="{{ bar.color }}"/>
<text x="{{ label_width + length + 6 }}" y="{{ y + 15 }}">{{ bar.count|num }}</text></g>
{%- endfor -%}
</svg>
{%- endmacro -%}

{%- macro values_cell(values) -%}
{%- if values|length == 1 -%}
<code>{{ values[0].value|path }}</code> <span class="hosts">({{ values[0].hosts|length|num }})</span>
{%- else -%}
<ul>
{% for v in values %}
<li><code>{{ v.value|path }}</code> &mdash; {{ v.hosts|length|num }} {{ "host"|plural(v.hosts|length) }}:
{{ hostlist(v.hosts) }}</li>
{% endfor %}
</ul>
{%- endif -%}
{%- endmacro -%}

{%- macro profile_cells(figures) -%}
{%- if figures.hosts_read -%}
<td class="n">{{ figures.in_default_profile|num }}</td><td class="n">{{ figures.with_profile|num }}</td>
<td class="n">{{ figures.not_inspected|num }}</td>
{%- else -%}
<td colspan="3" class="note">not read</td>
{%- endif -%}
{%- endmacro -%}
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ r.title }}</title><style>{{ css }}</style></head><body>
<header><h1>{{ r.title }}</h1>
<p>{% if r.generated %}Generated {{ r.generated }}. {% endif %}{{ s.hosts|num }} hosts;
{{ s.findings.error|num }} error and {{ s.findings.warning|num }} warning findings.</p>
{% if r.scope %}
<p class="scope" data-scope="{{ r.scope }}">Scope: {{ r.scope }}</p>
{% endif %}
</header><main>
<p class="compliance {{ "good" if s.compliant == s.hosts else "bad" }}" data-compliant="{{ s.compliant }}" data-of="{{ s.hosts }}">
<b>{{ s.compliant|num }}</b> of {{ s.hosts|num }} hosts compliant ({{ s.compliant_percent }} %)</p>
<div class="meter" title="{{ s.compliant_percent }} % compliant"><span style="width:{{ s.compliant_percent }}%"></span></div>
<p class="note">Compliant: read, at least one MAPISVC.INF, no error finding
{{- ", not drifted from the desired state" if s.drifted is not none else "" }}.
Unreachable and failed hosts are not compliant.</p>
<div class="cards">
{% for card in cards %}
<div class="card {{ card.css }}" data-summary="{{ card.label }}"><b>{{ card.value|num }}</b>{{ card.label }}</div>
{% endfor %}
</div>

<h2 id="services">Services</h2>
{% if r.services %}
{{ chart("Hosts per service", service_bars, s.reached) }}
<table class="services"><tr><th>Service</th><th>Display name(s)</th><th class="n">Hosts</th><th class="n">Default on</th><th>DLLs in use</th></tr>
{% for service in r.services %}
<tr data-service="{{ service.name }}"><td class="id"><a href="#svc-{{ service.name|anchor }}">{{ service.name|path }}</a></td>
<td class="id">{% for v in service.display_names %}{{ v.value|path }}{{ "; " if not loop.last else "" }}{% endfor %}</td>
<td class="n" data-hosts="{{ service.hosts }}">{{ service.hosts|num }}</td><td class="n">{{ service.default_hosts|num }}</td><td class="dlls">
{% for entry in service.dlls %}
<div><code>{{ entry.key }}</code> [{{ entry.section }}]:
{% for v in entry["values"] %} <code>{{ v.value|path }}</code> ({{ v.hosts|length|num }}){{ ";" if not loop.last else "" }}{% endfor %}
</div>
{% else %}
-
{% endfor %}
</td></tr>
{% endfor %}
</table>
{% else %}
<p>No service found on any reached host.</p>
{% endif %}

<h2 id="profiles">Users' Outlook profiles</h2>
<p class="note">Per service, the users whose default Outlook profile holds it, the users with at least one
profile, and the users not inspected (hive not loaded, or keys not readable), added up over the
{{ s.profiles_read|num }} of {{ s.hosts|num }} hosts whose profiles were read.
A host whose profiles were not read counts as not read, never as zero users.</p>
{% if r.profiles %}
<table><tr><th>Service</th><th class="n">In the default profile</th><th class="n">With a profile</th>
<th class="n">Not inspected</th><th class="n">Hosts read</th><th class="n">Hosts not read</th></tr>
{% for figures in r.profiles %}
<tr data-profiles="{{ figures.service }}"><td>{{ figures.service }}</td>{{ profile_cells(figures) }}
<td class="n">{{ figures.hosts_read|num }}</td><td class="n">{{ figures.hosts_not_read|num }}</td></tr>
{% endfor %}
</table>
{% endif %}
{% if r.profile_errors %}
<details data-profile-errors="{{ r.profile_errors|length }}"><summary class="sev-error">Profiles of
{{ r.profile_errors|length|num }} {{ "host"|plural(r.profile_errors|length) }} could not be counted</summary>
<table><tr><th>Host</th><th>Why</th></tr>
{% for item in r.profile_errors %}
<tr><td>{{ item.host }}</td><td>{{ item.message }}</td></tr>
{% endfor %}
</table></details>
{% endif %}

{% if r.desired is not none %}
<h2 id="drift">Drift from the desired state</h2>
{% for wanted in drift %}
<h3 data-drift="{{ wanted.service }}" data-hosts="{{ wanted.hosts|length }}">{{ wanted.service }} (state {{ wanted.state }}):
{{ wanted.hosts|length|num }} of {{ s.reached|num }} reached hosts differ</h3>
{% if wanted.groups %}
<table class="drift"><tr><th>Section</th><th>Key</th><th>Declared</th><th>Found</th><th>Hosts</th></tr>
{% for group in wanted.groups %}
<tr><td>{{ (group.section or "-")|path }}</td><td class="k"><code>{{ group.key or "-" }}</code></td>
<td class="v"><code>{{ group.expected|path }}</code></td>
<td class="v"><code>{{ "(missing)" if group.actual is none else group.actual|path }}</code></td>
<td><b>{{ group.hosts|length|num }}</b> {{ hostlist(group.hosts) }}</td></tr>
{% endfor %}
</table>
{% endif %}
{% endfor %}
{% endif %}

<h2 id="findings">Findings</h2>
{% if r.findings %}
{{ chart("Hosts per finding", finding_bars, s.reached) }}
{% for group in r.findings %}
<details data-finding="{{ group.code }}" data-hosts="{{ group.host_count }}"><summary>
<span class="sev-{{ group.severity }}">{{ group.severity }}</span> <code>{{ group.code }}</code>:
{{ group.host_count|num }} {{ "host"|plural(group.host_count) }},
{{ group.occurrences|length|num }} {{ "occurrence"|plural(group.occurrences|length) }}.
Fix: {{ group.occurrences[0].fix }}</summary>
<table class="occurrences"><tr><th>What is wrong</th><th>File</th><th>Service</th><th>Section</th><th>Key</th><th>Hosts</th></tr>
{% for item in occurrences[group.code] %}
<tr><td>{{ item.message }}</td><td><code>{{ item.path|path }}</code></td><td>{{ item.service or "" }}</td>
<td>{{ item.section or "" }}</td><td class="k"><code>{{ item.key or "" }}</code></td>
<td><b>{{ item.hosts|length|num }}</b> {{ hostlist(item.hosts) }}</td></tr>
{% endfor %}
</table></details>
{% endfor %}
{% else %}
<p>No findings.</p>
{% endif %}

<h2 id="stragglers">Stragglers: hosts not audited</h2>
{% if r.straggler_groups %}
<p>{{ r.stragglers|length|num }} {{ "host"|plural(r.stragglers|length) }} in {{ r.straggler_groups|length|num }}
{{ "group"|plural(r.straggler_groups|length) }} by status and message. Re-run the rollout and this audit
for them (for example with <code>--limit</code>) once they are online.</p>
<table><tr><th class="n">Hosts</th><th>Status</th><th>Task</th><th>Message</th></tr>
{% for group in r.straggler_groups %}
<tr data-straggler-group="{{ group.status }}" data-group-hosts="{{ group.count }}"><td class="n">{{ group.count|num }}</td>
<td>{{ group.status }}</td><td>{{ group.task }}</td><td>{{ group.message }}
<details class="hosts"{{ " open" if group.count <= SHOWN_HOSTS else "" }}><summary>{{ group.count|num }}
{{ "host"|plural(group.count) }}</summary><div class="all">
{% for host in group.hosts %}
<span data-straggler="{{ host }}" data-status="{{ group.status }}">{{ host }}</span>{{ "," if not loop.last else "" }}
{% endfor %}
</div></details></td></tr>
{% endfor %}
</table>
{% else %}
<p>Every host answered.</p>
{% endif %}

<h2 id="details">Service details</h2>
{% for service in r.services %}
<h3 id="svc-{{ service.name|anchor }}">{{ service.name }}</h3>
<p>On {{ service.hosts|num }} of {{ s.reached|num }} reached hosts; listed in [Default Services] on {{ service.default_hosts|num }}.</p>
<table><tr><th>Entry</th><th>Section</th><th>Values in use (hosts)</th></tr>
<tr{% if service.display_names|length > 1 %} class="varies"{% endif %}><td>display name</td><td>Services</td>
<td>{{ values_cell(service.display_names) }}</td></tr>
{% for entry in service.dlls + service.properties %}
<tr{% if entry["values"]|length > 1 %} class="varies"{% endif %}><td class="k"><code>{{ entry.key }}</code></td>
<td class="k"><code>{{ entry.section }}</code></td><td>{{ values_cell(entry["values"]) }}</td></tr>
{% endfor %}
</table>
{% endfor %}

<h2 id="hosts">Hosts</h2><details><summary>All {{ s.hosts|num }} hosts</summary>
<table class="hosts"><tr><th>Host</th><th>Status</th><th>Compliant</th><th class="n">Files found</th><th>Services</th>
<th class="n">Errors</th><th class="n">Warnings</th>{% if s.drifted is not none %}<th>Drift</th>{% endif %}
<th>Profiles: in default / with a profile / not inspected</th></tr>
{% for row in r.hosts %}
<tr data-host="{{ row.host }}"><td>{{ row.host }}</td><td>{{ row.status }}</td><td>{{ "yes" if row.compliant else "no" }}</td>
<td class="n">{{ row.files_found }} of {{ row.files|length }}</td>
<td class="id">{% for name in row.services %}{{ name|path }}{{ ", " if not loop.last else "" }}{% endfor %}</td>
<td class="n">{{ row.findings.error }}</td><td class="n">{{ row.findings.warning }}</td>
{%- if row.drift is not none %}<td>{{ "yes" if row.drift else "no" }}</td>{% endif %}
<td class="p">{% if not row.profiles.read %}not read{% else %}
{%- for name, figures in row.profiles.services|dictsort %}
{{ name|path }} {{ figures.in_default_profile }} / {{ figures.with_profile }} / {{ figures.not_inspected }}{{ ";" if not loop.last else "" }}
{% else %}read{% endfor %}{% endif %}</td></tr>
{% endfor %}
</table></details></main></body></html>
"""


def _path(value):
    """Escaped text with a break opportunity after each path separator and underscore (a <wbr/>,
    which a copy of the text does not carry, unlike a zero-width space)."""
    text = str(escape("" if value is None else value))
    return Markup(re.sub(r"([\\/_])", r"\1<wbr/>", text))


def _plural(word, count):
    return word if count == 1 else word + "s"


def _environment():
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["path"] = _path
    env.filters["num"] = "{:,}".format
    env.filters["anchor"] = fold
    env.filters["plural"] = _plural
    env.globals["SHOWN_HOSTS"] = SHOWN_HOSTS
    return env


_TEMPLATE = _environment().from_string(TEMPLATE)


def _cards(summary):
    cards = [("Hosts", summary["hosts"], ""), ("Reached", summary["reached"], ""),
             ("Compliant", summary["compliant"], "" if summary["compliant"] == summary["hosts"] else "warn"),
             ("Unreachable", summary["unreachable"], "bad" if summary["unreachable"] else ""),
             ("Failed", summary["failed"], "bad" if summary["failed"] else ""),
             ("No MAPISVC.INF", summary["without_file"], "warn" if summary["without_file"] else ""),
             ("With errors", summary["with_errors"], "bad" if summary["with_errors"] else ""),
             ("With warnings", summary["with_warnings"], "warn" if summary["with_warnings"] else ""),
             ("Services", summary["services"], "")]
    if summary["drifted"] is not None:
        cards.append(("Drifted", summary["drifted"], "bad" if summary["drifted"] else ""))
    return [{"label": label, "value": value, "css": css} for label, value, css in cards]


def _drift(report):
    """Per declared service, its differences grouped by (section, key, declared, found), the
    most widespread first: one wrong DLL path on 400 hosts is one row."""
    by_service = {}
    for row in report["drift"]:
        by_service.setdefault(row["service"], []).append(row)
    out = []
    for wanted in report["desired"] or []:
        rows = by_service.get(wanted["service"], [])
        grouped = {}
        for row in rows:
            grouped.setdefault((row["section"], row["key"], row["expected"], row["actual"]), set()).add(row["host"])
        groups = [{"section": section, "key": key, "expected": expected, "actual": actual, "hosts": sorted(hosts)}
                  for (section, key, expected, actual), hosts in grouped.items()]
        groups.sort(key=lambda group: (-len(group["hosts"]), str(group["section"]), str(group["key"]),
                                       str(group["expected"]), str(group["actual"])))
        out.append({"service": wanted["service"], "state": wanted["state"],
                    "hosts": sorted({row["host"] for row in rows}), "groups": groups})
    return out


def _occurrences(group):
    """A finding code's occurrences grouped by what is wrong where (message, file, service,
    section, key), the most widespread first: the same finding on 600 hosts is one row."""
    grouped = {}
    for item in group["occurrences"]:
        key = (item["message"], item["path"], item["service"], item["section"], item["key"])
        grouped.setdefault(key, set()).add(item["host"])
    rows = [{"message": message, "path": path, "service": service, "section": section, "key": key,
             "hosts": sorted(hosts)} for (message, path, service, section, key), hosts in grouped.items()]
    rows.sort(key=lambda row: (-len(row["hosts"]), row["message"], str(row["path"]), str(row["service"]),
                               str(row["section"]), str(row["key"])))
    return rows


def render(report: dict[str, Any]) -> str:
    """The HTML page of ``report.build``'s data."""
    return _TEMPLATE.render(
        r=report, s=report["summary"], css=CSS, cards=_cards(report["summary"]), drift=_drift(report),
        occurrences={group["code"]: _occurrences(group) for group in report["findings"]},
        service_bars=[{"label": service["name"], "count": service["hosts"], "color": SERVICE_COLOR}
                      for service in report["services"]],
        finding_bars=[{"label": group["code"], "count": group["host_count"],
                       "color": SEVERITY_COLORS.get(group["severity"], "#6b7785")}
                      for group in report["findings"]])
