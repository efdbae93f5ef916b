# -*- coding: utf-8 -*-
"""Growth and floor benchmarks: the core on adversarial shapes, and a big file end to end.

Growth: each shape is timed at N and at 8N; a linear core takes about 8 times as long for
8 times the input, a quadratic one 64 times. Floor: one ansible-playbook run on a 12 MB
file that changes nothing, against a bare ``slurp`` of the same file (the least any run
that reads the file costs), and the converge that edits it, all measured in this run.
Runnable alone: ``python bench/scale.py`` prints what it measured.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

import sample

sample.install_collection_finder()

from ansible_collections.mapi.messaging.plugins.plugin_utils import (  # noqa: E402
    declaration, findings, ini, plan)

import fleet  # noqa: E402

FLOOR_BYTES = 12_000_000
FLOOR_REPETITIONS = 3
GOAL_FLOOR = 1.5  # no-change run at most this much slower than a bare slurp
GOAL_CONVERGE = 3.0  # converge at most this much slower than a bare slurp


def _best(fn, repetitions=3):
    """Best CPU time of this process: other programs competing for the CPUs change it far
    less than wall time, and the core does no I/O."""
    best = float("inf")
    for dummy in range(repetitions):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def _declare(data, purge=False):
    doc = ini.parse(data)
    plan.apply(doc, [declaration.from_args(sample.OPTIONS, doc.can_encode)], "present", purge)
    return doc.render()


# -- shapes: (label, N, file for n, what is timed) ----------------------------------------------

def one_section_keys(n):
    return ("[Services]\r\n" + "".join("SERVICE%06d=Service %d\r\n" % (i, i) for i in range(n))).encode()


def many_services(n):
    services = "".join("SERVICE%06d=Service %d\r\n" % (i, i) for i in range(n))
    sections = "".join("\r\n[SERVICE%06d]\r\nPR_SERVICE_DLL_NAME=svc%d.dll\r\nProviders=SERVICE%06d_MS\r\n"
                       "\r\n[SERVICE%06d_MS]\r\nPR_PROVIDER_DLL_NAME=svc%d.dll\r\nPR_RESOURCE_TYPE=MAPI_STORE_PROVIDER\r\n"
                       % (i, i, i, i, i) for i in range(n))
    return ("[Services]\r\n" + services + sections).encode()


def same_section(n):
    return ("[Services]\r\nCONTOSO=Contoso Connector\r\n"
            + "".join("\r\n[CONTOSO_AB]\r\nPR_PROVIDER_DISPLAY=copy %d\r\n" % i for i in range(n))).encode()


def purge_keys(n):
    return ("[CONTOSO]\r\n" + "".join("STALE%06d=old %d\r\n" % (i, i) for i in range(n))).encode()


SHAPES = [
    ("one section with N keys: mapisvc_info report", 4000, one_section_keys,
     lambda data: findings.report("MAPISVC.INF", data)),
    ("one section with N keys: declare one service", 4000, one_section_keys, _declare),
    ("N services: mapisvc_info report", 500, many_services, lambda data: findings.report("MAPISVC.INF", data)),
    ("N services: declare one service", 500, many_services, _declare),
    ("one section N times: mapisvc_info report", 2000, same_section,
     lambda data: findings.report("MAPISVC.INF", data)),
    ("one section N times: declare one service", 2000, same_section, _declare),
    ("purge of N keys", 4000, purge_keys, lambda data: _declare(data, purge=True)),
]


def growth(log):
    """[(shape, N, bytes at N, seconds at N, seconds at 8N, ratio)]."""
    rows = []
    for label, n, make, work in SHAPES:
        small, large = make(n), make(8 * n)
        work(small)  # warm-up
        t_small, t_large = _best(lambda: work(small)), _best(lambda: work(large), 2)
        rows.append((label, n, len(small), t_small, t_large, t_large / t_small))
        log("growth %-50s N=%-6d %.4f s, 8N %.4f s, ×%.1f" % (label, n, t_small, t_large, t_large / t_small))
    return rows


# -- floor: one host, a 12 MB file -------------------------------------------------------------

def floor(workdir, log):
    """Best wall times of ansible-playbook runs on one local host with a 12 MB file, and
    the core's share measured on the same bytes."""
    workdir = Path(workdir)
    path = workdir / "MAPISVC.INF"
    inventory = workdir / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {"big": {
        "ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        "mapisvc_path": str(path)}}}}))
    for name, play in fleet.playbooks().items():
        (workdir / ("%s.yml" % name)).write_text(yaml.safe_dump(play, sort_keys=False))
    env = dict(os.environ)
    bin_dir = Path(sys.executable).parent
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0", PATH="%s:%s" % (bin_dir, env.get("PATH", "")))
    env.setdefault("ANSIBLE_HOME", str(sample.ROOT / ".tmp" / "ansible-home"))
    env.setdefault("ANSIBLE_LOCAL_TEMP", str(sample.ROOT / ".tmp" / "ansible-local"))

    def play(name, changed):
        cpu = fleet._children_cpu()
        start = time.perf_counter()
        done = subprocess.run([str(bin_dir / "ansible-playbook"), "-i", str(inventory), str(workdir / ("%s.yml" % name))],
                              env=env, cwd=workdir, capture_output=True, text=True, check=False)
        seconds = (time.perf_counter() - start, fleet._children_cpu() - cpu)
        recap = fleet.RECAP.search(done.stdout)
        if done.returncode or not recap or int(recap.group(3)) != changed or int(recap.group(5)):
            raise fleet.BenchError("%s on the 12 MB file: exit %d, expected changed=%d\n%s"
                                   % (name, done.returncode, changed, (done.stdout + done.stderr)[-3000:]))
        return seconds

    original = sample.mapisvc_inf(FLOOR_BYTES)
    converged = _declare(original)
    times = {"slurp (floor)": [], "mapisvc no change": [], "mapisvc converge": []}
    for dummy in range(FLOOR_REPETITIONS):
        path.write_bytes(original)
        times["mapisvc converge"].append(play("mapisvc", 1))
        if path.read_bytes() != converged:
            raise fleet.BenchError("the converged 12 MB file differs from the core's output")
        times["mapisvc no change"].append(play("mapisvc", 0))
        times["slurp (floor)"].append(play("slurp", 0))
    best = {name: min(wall for wall, dummy in values) for name, values in times.items()}
    cpu = {name: min(used for dummy, used in values) for name, values in times.items()}
    for name, values in times.items():
        log("floor %-20s best %.2f s wall, %.2f s CPU; all runs %s" % (
            name, best[name], cpu[name], ", ".join("%.2f/%.2f" % v for v in values)))

    # The core alone on the same bytes: decoding and splitting them is the least any reader does.
    core = {
        "decode and split lines": _best(lambda: original.decode("cp1252", "replace").splitlines()),
        "parse": _best(lambda: ini.parse(converged)),
        "no-change run (parse, declare, render, compare)": _best(lambda: _declare(converged) == converged),
        "converge (parse, declare, render)": _best(lambda: _declare(original)),
    }
    for name, seconds in core.items():
        log("floor core %-48s %.3f s" % (name, seconds))
    return {"bytes": len(original), "runs": times, "best": best, "cpu": cpu, "core": core,
            "floor": best["mapisvc no change"] / best["slurp (floor)"],
            "converge": best["mapisvc converge"] / best["slurp (floor)"],
            "floor cpu": cpu["mapisvc no change"] / cpu["slurp (floor)"],
            "converge cpu": cpu["mapisvc converge"] / cpu["slurp (floor)"]}


def section(growth_rows, floor_report):
    """Markdown for docs/performance.md."""
    out = ["## Growth on adversarial shapes", "",
           "Each shape timed at N and at 8N (best CPU time of 3 and of 2 runs, core only, no Ansible). A core "
           "that is linear in the file takes about 8 times as long for the 8 times bigger file; a "
           "quadratic one would take 64 times as long.", "",
           "| Shape | N | Bytes at N | Seconds at N | Seconds at 8N | 8N ÷ N |", "|---|---|---|---|---|---|"]
    out += ["| %s | %d | %d | %.4f | %.4f | %.1f× |" % row for row in growth_rows]
    f = floor_report
    out += ["", "## A %.0f MB file end to end" % (f["bytes"] / 1e6), "",
            "One host (`ansible_connection: local`), the generated cp1252 file of %d bytes; each round "
            "converges the original file, runs again (no change), then slurps it. Best of %d rounds, "
            "wall clock and CPU time of ansible-playbook and everything under it." % (f["bytes"], FLOOR_REPETITIONS), "",
            "| Run | Best wall (s) | Best CPU (s) | All runs, wall/CPU (s) |", "|---|---|---|---|"]
    out += ["| %s | %.2f | %.2f | %s |" % (name, f["best"][name], f["cpu"][name],
                                           ", ".join("%.2f/%.2f" % v for v in values))
            for name, values in f["runs"].items()]
    out += ["", "| Goal | Measured (wall) | Measured (CPU) | Result (wall) |", "|---|---|---|---|",
            "| no-change run within %.1f× of a bare slurp | %.2f× | %.2f× | %s |"
            % (GOAL_FLOOR, f["floor"], f["floor cpu"], "met" if f["floor"] <= GOAL_FLOOR else "NOT MET"),
            "| converge within %.1f× of a bare slurp | %.2f× | %.2f× | %s |"
            % (GOAL_CONVERGE, f["converge"], f["converge cpu"], "met" if f["converge"] <= GOAL_CONVERGE else "NOT MET"),
            "", "The core's share, on the same bytes (best CPU time of 3, no Ansible):", "",
            "| Step | Seconds |", "|---|---|"]
    out += ["| %s | %.3f |" % item for item in f["core"].items()]
    return out


def main():
    def log(message):
        print(message, file=sys.stderr, flush=True)
    rows = growth(log)
    with tempfile.TemporaryDirectory(dir=sample.ROOT / ".tmp") as workdir:
        report = floor(workdir, log)
    print("\n".join(section(rows, report)))


if __name__ == "__main__":
    main()
