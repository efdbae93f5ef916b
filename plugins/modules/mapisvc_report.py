#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: mapisvc_report
short_description: Write a fleet report (HTML, CSV, JSON) of what mapisvc_info found on each host
version_added: 0.1.0
description:
  - Adds up, per message service, what M(mapi.messaging.mapisvc_info) found on every host of an
    audit, and writes one self-contained HTML report (inline CSS and inline SVG charts, no
    scripts, nothing fetched from the network) plus the same data as CSV and JSON.
  - At the top, how many hosts are compliant (see O(fail_on) for what compliant means).
  - Per service, most widespread first, how many hosts have it, its display names, the DLL
    paths and property values in use with the hosts using each; per service, the users whose
    default Outlook profile holds it, the users with a profile and the users not inspected
    (from each host's C(profiles) census); the hosts with findings grouped by finding code;
    the hosts that were unreachable or failed (stragglers), grouped by status and message;
    and, when O(desired) is given, every difference from that declared state.
  - Every host stays reachable in the HTML page, however long a list; beyond the first few
    names the rest is folded into a C(<details>) element.
  - Runs on the controller only and writes the files there, never on a target. The playbook
    C(mapi.messaging.audit) collects the results and calls it once; see C(docs/audit.md).
  - Each file is written to a temporary file in O(dest) and renamed over the old one. A file
    whose content is unchanged is not rewritten. The report carries the time it was made, so
    a new report normally changes every file.
author:
  - mapi.messaging maintainers (@mapi-messaging)
options:
  dest:
    description:
      - Folder on the controller for the report files; created when missing.
    type: path
    required: true
  results:
    description:
      - One record per inventory host, keyed by host name.
      - 'C({status: ok, files: <files returned by mapisvc_info>}) for a host that was read.'
      - 'C({status: failed, task: <task name>, message: <why>}) for a host where a task failed.'
      - 'C({status: unreachable, message: <why>}) for a host Ansible could not reach; a null
        record counts as unreachable too.'
      - 'Any record may carry C(profiles), the profile census M(mapi.messaging.message_service_plan)
        with C(detect_only) or M(mapi.messaging.mapisvc_info) with C(profiles=true) returned. A host
        without it counts as not read, never as zero users; a census of another shape does not fail
        the task: the host counts as not read, a warning and RV(profile_errors) name the host and field.'
      - Any record may carry C(address), the address the connection used (C(ansible_host)), so
        that a straggler's message naming it is grouped with the same message of other hosts.
      - A record of another shape (for example a service without a name, or a property value that
        is not a string) fails the task with a message naming the host and the field; nothing is written.
      - Required unless O(validate_only=true).
    type: dict
  desired:
    description:
      - The declared state to compare every host with, one dictionary or a list of them, with
        the options of M(mapi.messaging.mapisvc) that say what the file holds, C(service),
        C(display_name), C(default_service), C(properties), C(providers), C(sections) and
        C(state).
      - Options that say how to write (path, backup, create, codepage, purge, src,
        allow_secrets) are accepted and ignored, so the arguments of a mapisvc task can be reused.
      - Each dictionary is checked and converted with the argument spec of M(mapi.messaging.mapisvc),
        so the string V(false) given for C(default_service) is the boolean false, as it is for that module.
      - Values are compared by meaning, as M(mapi.messaging.mapisvc) compares them (flag lists as
        sets, hex case-insensitively); a property is the same whether a host's file spells it by
        name or by its 8-hex-digit tag. Keys and sections not declared are not drift, so a
        provider may be declared with only the entries to compare.
      - A declared value that looks like a credential is never written to the report (it is
        shown as C(********)) and, as the value found on a host is masked too, it is compared by
        presence only.
    type: raw
  formats:
    description: Which files to write.
    type: list
    elements: str
    choices: [html, csv, json]
    default: [html, csv, json]
  basename:
    description: File name of the report files without extension.
    type: str
    default: mapisvc-report
  title:
    description: Title of the HTML report.
    type: str
  scope:
    description:
      - Which hosts the report covers, when not the whole inventory, in words (for example
        V(limited to ws01,ws02 (--limit))). Shown under the title of the HTML page and kept
        as C(scope) in the JSON file, so a partial report is not read as the whole fleet.
    type: str
  fail_on:
    description:
      - Opt-in conditions that fail the task B(after) the report files are written, so a
        pipeline can stop on the audit. A list; any condition that holds fails the task, and
        the message says which condition tripped, how many hosts and which.
      - V(unreachable), a host could not be reached; V(failed), a task failed on a host;
        V(error), a reached host has an error finding; V(drift), a reached host differs from
        O(desired) (needs O(desired)).
      - 'C({below_compliant_percent: N}): the percentage of compliant hosts in O(results), as the
        report shows it (floored to one decimal, never rounded up), is below N. A host is compliant when it was read, has at least one MAPISVC.INF, has no
        error finding and, with O(desired), has not drifted; unreachable and failed hosts are
        not compliant.'
      - An empty string, or a blank entry in the list (what an unanswered AWX multiple-select
        survey question sends), is no condition.
      - Checked before anything is written; a bad value fails with a message naming it.
      - In check mode the conditions are evaluated too, and the task fails as the real run would.
    type: raw
  validate_only:
    description:
      - Only check O(dest), O(desired), O(fail_on) and O(formats), and write nothing;
        O(results) is not needed. The playbook C(mapi.messaging.audit) does this once before it
        reads any host, so a bad setting is found before the fleet is read, not after.
    type: bool
    default: false
extends_documentation_fragment:
  - mapi.messaging.mapisvc
  - mapi.messaging.mapisvc.action_plugin
attributes:
  check_mode:
    support: full
    details: Writes nothing; reports the files it would write and whether they would change.
  diff_mode:
    support: none
    details: The report files are new each run; read them instead of a diff.
  platform:
    support: full
    platforms: all
    details: Runs on the controller; the targets are not contacted.
notes:
  - The CSV file is tidy, one fact per row; column C(record) says which kind (V(summary),
    V(straggler_group), V(service_profiles), V(host), V(profiles), V(file), V(service), V(property),
    V(finding), V(drift)). Cells that a spreadsheet would run as a formula get a leading C(').
seealso:
  - module: mapi.messaging.mapisvc_info
    description: Reads each host's MAPISVC.INF files; its results are what this module adds up.
  - module: mapi.messaging.mapisvc
    description: Makes a host's file say what O(desired) declares.
  - name: The fleet audit
    description: >-
      The playbook C(mapi.messaging.audit), which reads every host and calls this module once,
      and how to read the report.
    link: https://github.com/mapi-messaging/mapi.messaging/blob/main/docs/audit.md
  - name: The message_service role
    description: Installs the service the report compares the fleet with.
    link: https://github.com/mapi-messaging/mapi.messaging/blob/main/docs/role-message-service.md
"""

EXAMPLES = r"""
- name: Write the fleet report from what every host returned
  mapi.messaging.mapisvc_report:
    dest: /srv/reports/mapisvc
    results: "{{ dict(audited | zip(audited | map('extract', hostvars, 'mapisvc_audit'))) }}"
  vars:
    audited: "{{ groups['workstations'] }}"

- name: Compare with the state the rollout declares
  mapi.messaging.mapisvc_report:
    dest: /srv/reports/mapisvc
    results: "{{ audit_results }}"
    desired:
      service: CONTOSO
      display_name: Contoso Connector
      properties:
        PR_SERVICE_DLL_NAME: 'C:\Program Files\Contoso\contoso.dll'
      providers:
        - name: CONTOSO_AB
          properties:
            PR_RESOURCE_TYPE: MAPI_AB_PROVIDER

- name: Write the report, then fail when a host is unreachable or under 95 % are compliant
  mapi.messaging.mapisvc_report:
    dest: /srv/reports/mapisvc
    results: "{{ audit_results }}"
    fail_on:
      - unreachable
      - below_compliant_percent: 95
"""

RETURN = r"""
files:
  description: The report files, by format (written, or in check mode that would be written).
  returned: unless O(validate_only=true)
  type: dict
  sample:
    html: /srv/reports/mapisvc/mapisvc-report.html
    csv: /srv/reports/mapisvc/mapisvc-report.csv
    json: /srv/reports/mapisvc/mapisvc-report.json
summary:
  description: The counts at the top of the report.
  returned: unless O(validate_only=true)
  type: dict
  contains:
    hosts:
      description: Hosts in O(results).
      type: int
    reached:
      description: Hosts that were read.
      type: int
    unreachable:
      description: Hosts Ansible could not reach.
      type: int
    failed:
      description: Hosts where a task failed.
      type: int
    without_file:
      description: Reached hosts where none of the audited paths exists.
      type: int
    with_errors:
      description: Reached hosts with at least one error finding.
      type: int
    with_warnings:
      description: Reached hosts with at least one warning finding.
      type: int
    compliant:
      description: Compliant hosts (see O(fail_on)), the figure at the top of the report.
      type: int
    compliant_percent:
      description: Compliant hosts in percent of all hosts, floored to one decimal (100.0 for an empty report).
      type: float
    profiles_read:
      description: Hosts whose profile census was read and counted.
      type: int
    drifted:
      description: Reached hosts that differ from O(desired); null without O(desired).
      type: int
    services:
      description: Distinct services found.
      type: int
    findings:
      description: Findings by severity (keys C(error), C(warning)), over all hosts.
      type: dict
  sample:
    hosts: 30
    reached: 28
    unreachable: 1
    failed: 1
    without_file: 2
    with_errors: 4
    with_warnings: 7
    compliant: 22
    compliant_percent: 73.3
    profiles_read: 25
    drifted: null
    services: 6
    findings: {error: 9, warning: 12}
gate:
  description: What O(fail_on) says about this report; the task failed when C(failed) is true.
  returned: when O(fail_on) is given and O(validate_only=false)
  type: dict
  contains:
    failed:
      description: Whether a condition tripped.
      type: bool
    tripped:
      description: One entry per condition that tripped, with C(condition), C(hosts) (every host
        concerned) and C(message); a threshold also has C(threshold).
      type: list
      elements: dict
    hosts:
      description: Hosts in the report.
      type: int
    compliant:
      description: Compliant hosts (see O(fail_on)).
      type: int
    compliant_percent:
      description: Compliant hosts in percent of all hosts, floored to one decimal; the figure compared with C(below_compliant_percent).
      type: float
    msg:
      description: One line saying what tripped, or that nothing did.
      type: str
  sample:
    failed: true
    tripped:
      - condition: unreachable
        hosts: [ws0042]
        message: "unreachable: 1 of 30 hosts: ws0042"
      - condition: below_compliant_percent
        threshold: 95.0
        hosts: [ws0003, ws0008, ws0011, ws0019, ws0025, ws0030, ws0042, ws0117]
        message: "below_compliant_percent 95: 22 of 30 hosts compliant (73.3 %), 8 not: ws0003, ws0008, ws0011, ws0019,
          ws0025, ws0030, ws0042, ws0117"
    hosts: 30
    compliant: 22
    compliant_percent: 73.3
    msg: "fail_on tripped: unreachable: 1 of 30 hosts: ws0042; below_compliant_percent 95: 22 of 30 hosts compliant (73.3 %),
      8 not: ws0003, ws0008, ws0011, ws0019, ws0025, ws0030, ws0042, ws0117"
straggler_groups:
  description: The stragglers grouped by C(status), C(task) and C(message) (the host's own name in a
    message replaced by C(<host>)), largest group first, with C(count); the report files list the hosts.
  returned: unless O(validate_only=true)
  type: list
  elements: dict
  sample:
    - status: unreachable
      task: ""
      message: "Failed to connect to the host via winrm: ... Connection to <host> timed out."
      count: 1
    - status: failed
      task: Read every MAPISVC.INF
      message: "Access is denied."
      count: 1
profile_errors:
  description: Hosts whose C(profiles) census could not be counted (C(host), C(message) naming the field);
    their profiles count as not read.
  returned: unless O(validate_only=true)
  type: list
  elements: dict
  sample: []
stragglers:
  description: Hosts that were unreachable or failed, to re-run later.
  returned: unless O(validate_only=true)
  type: list
  elements: str
  sample: [ws0042, ws0117]
msg:
  description: A one-line summary.
  returned: always
  type: str
  sample: "wrote /srv/reports/mapisvc/mapisvc-report.csv, ...: 22 of 30 hosts compliant, 28 reached, 1 unreachable, 1 failed, 4 with error findings"
"""

from ansible.module_utils.basic import AnsibleModule


# The action plugin validates with the same spec, so the two cannot drift apart.
# results is needed unless validate_only: the audit checks its settings before any host is read.
REQUIRED_IF = [("validate_only", False, ["results"])]
ARGUMENT_SPEC = dict(
    dest=dict(type="path", required=True),
    results=dict(type="dict"),
    desired=dict(type="raw"),
    fail_on=dict(type="raw"),
    scope=dict(type="str"),
    validate_only=dict(type="bool", default=False),
    formats=dict(type="list", elements="str", default=["html", "csv", "json"],
                 choices=["html", "csv", "json"]),
    basename=dict(type="str", default="mapisvc-report"),
    title=dict(type="str"),
)


def main():
    # The work is done by the action plugin of the same name on the controller; this file
    # documents the options and only runs if that plugin was bypassed.
    module = AnsibleModule(
        argument_spec=ARGUMENT_SPEC,
        required_if=REQUIRED_IF,
        supports_check_mode=True,
    )
    module.fail_json(msg="mapi.messaging.mapisvc_report runs through its action plugin on the controller; "
                         "call it as a task (mapi.messaging.mapisvc_report), not as a raw module")


if __name__ == "__main__":
    main()
