# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's gate: whether a finished fleet report should fail the run.

A pure core, no I/O: ``parse`` checks the conditions a user opted into (``fail_on`` of
mapisvc_report, ``audit_fail_on`` of the audit playbook) and ``evaluate`` applies them to the
report data ``report.build`` returned. The report is written whatever the gate says; the
gate only decides whether the run ends in failure, so a pipeline can stop on it.

Conditions (a list, any of them trips the gate):
- ``unreachable``: a host could not be reached;
- ``failed``: a task failed on a host (it could not be read);
- ``error``: a reached host has at least one error finding;
- ``drift``: a reached host differs from the desired state (needs one);
- ``{below_compliant_percent: N}``: fewer than N % of the reported hosts are compliant, by
  the percentage the report shows (``compliant_percent``: floored to one decimal).

A host is compliant when it was read, has at least one MAPISVC.INF, has no error finding
and, when a desired state is given, has not drifted. Stragglers count as not compliant:
a host nobody could read is not known to be right.
"""

from __future__ import annotations

from typing import Any, Union

HOST_CONDITIONS = ("unreachable", "failed", "error", "drift")
THRESHOLDS = ("below_compliant_percent",)
# How many host names a message lists before it says "and N more": the report lists them all.
NAMED_HOSTS = 10


class GateError(ValueError):
    """A fail_on value the gate cannot use; the message names the field and the fix."""


def parse(fail_on: Any, with_desired: bool, name: str = "fail_on") -> list[Union[str, tuple[str, float]]]:
    """The checked conditions: a list of strings from HOST_CONDITIONS and (name, number)
    pairs for thresholds. ``with_desired``: whether a desired state is given (drift needs
    one). ``name`` is what the user calls the setting, for the message."""
    if fail_on is None:
        return []
    if isinstance(fail_on, (str, dict)):
        # One condition given bare (-e audit_fail_on=drift): the same as a list of one.
        fail_on = [fail_on]
    if not isinstance(fail_on, list):
        raise GateError("%s: expected a list of conditions (%s, or {below_compliant_percent: N}), got %s"
                        % (name, ", ".join(HOST_CONDITIONS), type(fail_on).__name__))
    conditions = []
    for i, item in enumerate(fail_on):
        where = "%s[%d]" % (name, i)
        if isinstance(item, str):
            if not item.strip():
                # An AWX multiselect left unanswered sends "" or [""]: no condition, the job stays green.
                continue
            if item not in HOST_CONDITIONS:
                raise GateError("%s: %r is not a condition; use one of %s, or {below_compliant_percent: N}"
                                % (where, item, ", ".join(HOST_CONDITIONS)))
            conditions.append(item)
            continue
        if not isinstance(item, dict) or len(item) != 1:
            raise GateError("%s: expected one of %s, or a dictionary with one key such as "
                            "{below_compliant_percent: 95}" % (where, ", ".join(HOST_CONDITIONS)))
        key, value = next(iter(item.items()))
        if key not in THRESHOLDS:
            raise GateError("%s: %r is not a threshold; use below_compliant_percent" % (where, key))
        try:
            # A survey or -e gives numbers as strings; bool is an int to Python but no percentage.
            if isinstance(value, bool):
                raise ValueError(value)
            number = float(value)
        except (TypeError, ValueError):
            raise GateError("%s.%s: %r is not a number; give a percentage from 0 to 100, e.g. 95"
                            % (where, key, value)) from None
        if not 0 <= number <= 100:
            raise GateError("%s.%s: %s is not a percentage; give a number from 0 to 100, e.g. 95"
                            % (where, key, value))
        conditions.append((key, number))
    if "drift" in conditions and not with_desired:
        # Checked here, before any host is read, not after the whole fleet was.
        raise GateError("%s: drift needs a desired state to compare with (desired; audit_desired or a "
                        "service file in the audit playbook); give one or remove drift" % name)
    return conditions


def compliant(row: dict[str, Any], with_desired: bool) -> bool:
    """Whether one host row of the report (report.build's ``hosts``) is compliant."""
    return (row["status"] == "ok" and row["files_found"] > 0 and not row["findings"]["error"]
            and not (with_desired and row["drift"]))


def compliant_percent(good: int, total: int) -> float:
    """The compliance percentage, the one figure the report shows and below_compliant_percent
    compares: floored to one decimal, never rounded up, so 9,999 of 10,000 hosts is 99.9 %,
    not a 100.0 % beside a gate at 100 that trips. An empty report is vacuously compliant."""
    if not total:
        return 100.0
    # Integer arithmetic: a float product could floor 29.0 to 28.9.
    return (1000 * good // total) / 10


def _hosts_for(condition, rows):
    if condition in ("unreachable", "failed"):
        return [row["host"] for row in rows if row["status"] == condition]
    if condition == "error":
        return [row["host"] for row in rows if row["status"] == "ok" and row["findings"]["error"]]
    return [row["host"] for row in rows if row["status"] == "ok" and row["drift"]]


def _named(hosts):
    shown = ", ".join(hosts[:NAMED_HOSTS])
    return shown if len(hosts) <= NAMED_HOSTS else "%s and %d more" % (shown, len(hosts) - NAMED_HOSTS)


def evaluate(report: dict[str, Any], conditions: list[Union[str, tuple[str, float]]], name: str = "fail_on") -> dict[str, Any]:
    """What the gate says about ``report`` (report.build's data): a dictionary with
    ``failed`` (bool), ``tripped`` (one entry per condition that tripped: condition, hosts,
    message), the compliance figures and ``msg``. ``conditions`` comes from ``parse``."""
    rows = report["hosts"]
    with_desired = report["desired"] is not None
    total = len(rows)
    good = sum(1 for row in rows if compliant(row, with_desired))
    # What the report shows is what is compared: the two never disagree.
    percent = compliant_percent(good, total)
    tripped = []
    for condition in conditions:
        if isinstance(condition, tuple):
            key, threshold = condition
            if percent < threshold:
                hosts = [row["host"] for row in rows if not compliant(row, with_desired)]
                tripped.append({"condition": key, "threshold": threshold, "hosts": hosts,
                                "message": "%s %g: %d of %d hosts compliant (%.1f %%), %d not: %s"
                                           % (key, threshold, good, total, percent, len(hosts), _named(hosts))})
            continue
        hosts = _hosts_for(condition, rows)
        if hosts:
            tripped.append({"condition": condition, "hosts": hosts,
                            "message": "%s: %d of %d hosts: %s" % (condition, len(hosts), total, _named(hosts))})
    return {
        "failed": bool(tripped),
        "tripped": tripped,
        "hosts": total,
        "compliant": good,
        "compliant_percent": percent,
        "msg": (("%s tripped: %s" % (name, "; ".join(item["message"] for item in tripped))) if tripped
                else "%s: no condition tripped (%d of %d hosts compliant)" % (name, good, total)),
    }
