# -*- coding: utf-8 -*-
"""``make bench``: measure, print the tables, write docs/performance.md from this run.

Everything in the document comes from the measurements made by this process; a failed
run (a playbook that did not converge, for instance) writes nothing and exits non-zero.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time

import sample

sample.install_collection_finder()

import configupdater  # noqa: E402 - after the collection finder, like the modules below
from ansible import release  # noqa: E402

import core  # noqa: E402
import fleet  # noqa: E402
import scale  # noqa: E402

DOC = sample.ROOT / "docs" / "performance.md"
MB = 1_000_000
GOAL_SPEEDUP = 5.0  # mapisvc converge at least this much faster than ini_file
GOAL_FLOOR = 1.5  # mapisvc no-change run at most this much slower than a bare slurp


def log(message):
    print(message, file=sys.stderr, flush=True)


def seconds(value):
    return "%.2f" % value if value >= 1 else "%.4f" % value


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for dummy in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def yes(flag):
    return "yes" if flag else "no"


def community_general_version():
    for entry in sys.path:
        manifest = os.path.join(entry, "ansible_collections", "community", "general", "MANIFEST.json")
        if os.path.exists(manifest):
            with open(manifest) as handle:
                return json.load(handle)["collection_info"]["version"]
    return "not found"


def environment():
    return ("Python %s, ansible-core %s (ansible %s, community.general %s), ConfigUpdater %s, "
            "%d CPUs, %s %s" % (
                platform.python_version(), release.__version__, importlib.metadata.version("ansible"),
                community_general_version(), configupdater.__version__, os.cpu_count(),
                platform.system(), platform.machine()))


def core_section(report):
    sizes = list(report)
    tools = [label for label, dummy in core.IMPLEMENTATIONS]
    out = ["## Core: parse, declare one service, render", ""]

    rows = []
    for size in sizes:
        entry = report[size]
        ours = entry["results"]["mapisvc core"]["seconds"]
        for tool in tools:
            result = entry["results"][tool]
            if result["seconds"] is None:
                rows.append([size, entry["bytes"], tool, result["note"], "-", "-"])
                continue
            cells = [size, entry["bytes"], tool + (" (%s)" % result["note"] if result["note"] else ""),
                     "%s (best of %d)" % (seconds(result["seconds"]), entry["repetitions"]),
                     "%.1f" % (entry["bytes"] / MB / result["seconds"]),
                     "%.2f×" % (result["seconds"] / ours) if ours else "-"]
            rows.append(cells)
    out += [table(["File", "Bytes", "Tool", "Seconds", "MB/s", "Time ÷ mapisvc core"], rows), ""]

    out += ["Time per MB across sizes (linear growth keeps a row flat). The last row is a diagnostic: "
            "our core again, with Python's cyclic garbage collector switched off during the call.", ""]
    rows = []
    for tool in tools + ["mapisvc core, gc off"]:
        per_mb = []
        for size in sizes:
            entry = report[size]
            value = entry["no gc"] if tool.endswith("gc off") else entry["results"][tool]["seconds"]
            per_mb.append(None if value is None else value / (entry["bytes"] / MB))
        growth = "%.2f" % (per_mb[-1] / per_mb[-2]) if None not in per_mb[-2:] else "-"
        rows.append([tool] + ["-" if v is None else "%.3f" % v for v in per_mb] + [growth])
    out += [table(["Tool"] + ["s/MB at %s" % size for size in sizes]
                  + ["%s ÷ %s (per MB)" % (sizes[-1], sizes[-2])], rows), ""]

    out += ["Where our core spends its time (best of each step):", ""]
    rows = [[size] + [seconds(report[size]["phases"][step]) for step in ("parse", "apply", "render")]
            for size in sizes]
    out += [table(["File", "parse (s)", "declare + apply (s)", "render (s)"], rows), ""]

    first = sizes[0]
    out += ["What each tool wrote (%s file, %d lines):" % (first, next(iter(report[first]["fidelity"].values()))["lines"]), ""]
    rows = []
    for tool, facts in report[first]["fidelity"].items():
        rows.append([tool, yes(facts["read back"]), facts["touched"],
                     "%d of %d" % (facts["comments kept"], facts["comments"]), yes(facts["crlf"]),
                     yes(facts["same as ours"])])
    out += [table(["Tool", "All 20 values read back (Windows rules)", "Original lines changed or removed",
                   "Comment lines kept", "Only CRLF line endings", "Bytes identical to mapisvc core"], rows), ""]
    return out


def fleet_section(report):
    runs, traces, hosts = report["runs"], report["traces"], report["hosts"]
    wall = {name: statistics.median(t for t, dummy in times) for name, times in runs.items()}
    cpu = {name: statistics.median(c for dummy, c in times) for name, times in runs.items()}
    out = ["## Fleet: ansible-playbook against %d hosts" % hosts, ""]
    rows = [[name, traces[name]["modules"], len(times), seconds(wall[name]), seconds(min(t for t, dummy in times)),
             ", ".join(seconds(t) for t, dummy in times), seconds(cpu[name])] for name, times in runs.items()]
    out += [table(["Run", "Module executions per host", "Runs", "Median wall (s)", "Best wall (s)",
                   "All runs, wall (s)", "Median CPU (s)"], rows), ""]
    out += ["Wall time is what a user waits for. CPU is the processor time of `ansible-playbook` "
            "and every process under it (forks and modules, all on this machine); other programs "
            "competing for the CPUs affect it less than wall time, so it is the steadier comparison. "
            "Every timed run exited 0 with failed=0 on all %d hosts; each converge reported "
            "changed on all %d hosts and each no-change and slurp run changed=0 on all of them. "
            "Module executions were counted in one untimed `-vvv` run on one host." % (hosts, hosts), ""]

    speedup = wall["ini_file converge"] / wall["mapisvc converge"]
    floor = wall["mapisvc no change"] / wall["slurp (floor)"]
    rows = [
        ["mapisvc converge at least %.0f× faster than ini_file, one task per key" % GOAL_SPEEDUP,
         "%.2f×" % speedup, "%.2f×" % (cpu["ini_file converge"] / cpu["mapisvc converge"]),
         "met" if speedup >= GOAL_SPEEDUP else "NOT MET"],
        ["mapisvc no-change run within %.1f× of a bare slurp" % GOAL_FLOOR,
         "%.2f×" % floor, "%.2f×" % (cpu["mapisvc no change"] / cpu["slurp (floor)"]),
         "met" if floor <= GOAL_FLOOR else "NOT MET"],
    ]
    out += [table(["Goal", "Measured: ratio of median wall times", "Ratio of median CPU times",
                   "Result (wall time)"], rows), ""]

    out += ["The converged file on the first host:", ""]
    rows = [[way, yes(f["read back"]), yes(f["crlf"]), yes(f["same as core"])] for way, f in report["files"].items()]
    out += [table(["Way", "All 20 values read back (Windows rules)", "Only CRLF line endings",
                   "Bytes identical to the core's output"], rows), ""]

    out += ["The realistic cp1252 file (one host, untimed):", ""]
    rows = []
    for name, facts in traces.items():
        if "cp1252" in name:
            result = ("failed: %s" % facts["error"]) if facts["rc"] or facts["failed"] else \
                "ok, changed=%d" % facts["changed"]
            rows.append([name.split(",")[0], result])
    out += [table(["Way", "Result"], rows), ""]
    return out, {"speedup": speedup, "floor": floor}


def main():
    started = time.perf_counter()
    # Everything here is CPU-bound, so other work on the machine slows every figure down.
    load_before = os.getloadavg()[0]
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    core_report = core.run(log)
    workdir = tempfile.mkdtemp(prefix="bench-", dir=sample.ROOT / ".tmp")
    try:
        fleet_report = fleet.run(workdir, log)
    except fleet.BenchError as e:
        log("FAILED: %s\n(files kept in %s)" % (e, workdir))
        return 1
    growth_rows = scale.growth(log)
    try:
        floor_report = scale.floor(workdir, log)
    except fleet.BenchError as e:
        log("FAILED: %s\n(files kept in %s)" % (e, workdir))
        return 1
    shutil.rmtree(workdir)
    fleet_lines, goals = fleet_section(fleet_report)
    total = time.perf_counter() - started
    load = "1-minute load average %.2f at the start and %.2f at the end" % (load_before, os.getloadavg()[0])

    lines = [
        "# Performance",
        "",
        "Generated by `make bench` (bench/run.py) on %s, in %.0f s. %s; %s."
        % (when, total, environment(), load),
        "",
        "The core benchmark times one service declaration (the module's documented example plus "
        "a help file, two more service keys and a second provider: 20 keys in 7 sections) applied "
        "to generated MAPISVC.INF files: cp1252 text, CRLF line endings, comments, MAPI's own "
        "sections, Microsoft's services and vendor services with provider and profile sections; "
        "the bigger files hold more services of the same shape. Each timed call starts from the "
        "file's bytes and ends with the new bytes. ConfigUpdater and configparser make the same 20 "
        "edits as speed references only: configparser drops comments and key case, so its output "
        "is not equivalent. The fleet benchmark times whole `ansible-playbook` runs (wall clock) "
        "against %d inventory hosts that are aliases of localhost (`ansible_connection: local`, "
        "default 5 forks), each with its own copy of the 20 KB file in ASCII spelling, because "
        "`community.general.ini_file` reads only UTF-8. Rerun `make bench` to measure again and "
        "regenerate this file; every figure here comes from one such run. MB = 10^6 bytes."
        % fleet_report["hosts"],
        "",
    ]
    lines += core_section(core_report) + fleet_lines + [""] + scale.section(growth_rows, floor_report)
    text = "\n".join(lines).rstrip() + "\n"
    print(text)
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    log("wrote %s; goals: speedup %.2f× (≥ %.0f), no-change ÷ slurp %.2f× (≤ %.1f); 12 MB file: "
        "no-change ÷ slurp %.2f× (≤ %.1f), converge ÷ slurp %.2f× (≤ %.1f)"
        % (DOC.relative_to(sample.ROOT), goals["speedup"], GOAL_SPEEDUP, goals["floor"], GOAL_FLOOR,
           floor_report["floor"], scale.GOAL_FLOOR, floor_report["converge"], scale.GOAL_CONVERGE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
