# -*- coding: utf-8 -*-
"""Fleet benchmark: whole ansible-playbook runs against 20 hosts, wall clock.

The hosts are inventory aliases of localhost (connection local), each with its own copy of
the 20 KB file, so the numbers measure Ansible's per-task and per-module cost, which is
what a fleet pays, with no network in the way. Forks stay at Ansible's default (5).
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import yaml

import sample
from ansible_collections.mapi.messaging.plugins.plugin_utils import ini

HOSTS = ["host%02d" % i for i in range(1, 21)]
RECAP = re.compile(r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
# With -vvv every module execution on the target shows as "EXEC ... python AnsiballZ_<module>.py"
# (the chmod of the same file is another EXEC line, without the interpreter).
MODULE_RUN = re.compile(r"EXEC /bin/sh -c '\S*python[\d.]* \S*AnsiballZ_\w+\.py")
FAILURE = re.compile(r'"msg": "([^"]*)"')


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class BenchError(RuntimeError):
    """A run did not do what the benchmark needs; its numbers would mean nothing."""


def _play(tasks):
    return [{"name": "bench", "hosts": "all", "gather_facts": False, "tasks": tasks}]


def playbooks():
    mapisvc = dict(path="{{ mapisvc_path }}", **sample.OPTIONS)
    # One ini_file execution per key per host: the loop runs the module once per item.
    ini_file = {
        "name": "Declare the service key by key",
        "community.general.ini_file": {
            "path": "{{ mapisvc_path }}", "section": "{{ item.section }}",
            "option": "{{ item.option }}", "value": "{{ item.value }}",
            "no_extra_spaces": True},  # key=value, as MAPISVC.INF spells it
        "loop": [{"section": s, "option": k, "value": v} for s, k, v in sample.edits()],
    }
    return {
        "mapisvc": _play([{"name": "Declare the service", "mapi.messaging.mapisvc": mapisvc}]),
        "ini_file": _play([ini_file]),
        "slurp": _play([{"name": "Read the file", "ansible.builtin.slurp": {"src": "{{ mapisvc_path }}"}}]),
    }


class Fleet:
    def __init__(self, workdir, log):
        self.workdir = Path(workdir).resolve()
        self.log = log
        self.runs = {}  # name -> [(wall seconds, CPU seconds)]
        bin_dir = Path(sys.executable).parent
        self.ansible_playbook = str(bin_dir / "ansible-playbook")
        self.env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0",
                        PATH=str(bin_dir) + os.pathsep + os.environ.get("PATH", ""))
        tmp = sample.ROOT / ".tmp"
        self.env.setdefault("ANSIBLE_HOME", str(tmp / "ansible-home"))
        self.env.setdefault("ANSIBLE_LOCAL_TEMP", str(tmp / "ansible-local"))
        self.inventory = self.workdir / "inventory.yml"
        self.inventory.write_text(yaml.safe_dump({"all": {"hosts": {
            host: {
                "ansible_connection": "local",
                # Interpreter discovery can pick a broken pyenv shim here; use ours.
                "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                "mapisvc_path": str(self.path(host)),
            } for host in HOSTS}}}))
        for name, play in playbooks().items():
            (self.workdir / ("%s.yml" % name)).write_text(yaml.safe_dump(play, sort_keys=False))
        for host in HOSTS:
            self.path(host).parent.mkdir(exist_ok=True)

    def path(self, host):
        return self.workdir / host / "MAPISVC.INF"

    def reset(self, data):
        for host in HOSTS:
            self.path(host).write_bytes(data)

    def play(self, playbook, host=None):
        """Run one playbook on all hosts, or with -vvv on one ``host`` (to see what runs on
        the target). Returns ((wall seconds, CPU seconds), return code, {host: (changed,
        failed)}, output). CPU seconds are those of ansible-playbook and every process under
        it (forks and modules; all run on this machine): unlike wall time, they hardly
        change when other programs compete for the CPUs."""
        command = [self.ansible_playbook, "-i", str(self.inventory), str(self.workdir / ("%s.yml" % playbook))]
        if host:
            command += ["--limit", host, "-vvv"]
        cpu_before = _children_cpu()
        start = time.perf_counter()
        done = subprocess.run(command, env=self.env, cwd=self.workdir, capture_output=True, text=True, check=False)
        seconds = (time.perf_counter() - start, _children_cpu() - cpu_before)
        recap = {m.group(1): (int(m.group(3)), int(m.group(4)) + int(m.group(5)))
                 for m in RECAP.finditer(done.stdout)}
        return seconds, done.returncode, recap, done.stdout + done.stderr

    def trace(self, playbook, data=None):
        """One untimed verbose run on the first host: (changed, failed, module executions,
        message of the first failure)."""
        host = HOSTS[0]
        if data is not None:
            self.path(host).write_bytes(data)
        dummy, rc, recap, output = self.play(playbook, host)
        changed, failed = recap.get(host, (0, 1))
        failure = FAILURE.search(output)
        return {"rc": rc, "changed": changed, "failed": failed,
                "modules": len(MODULE_RUN.findall(output)),
                "error": failure.group(1) if (rc or failed) and failure else ""}

    def timed(self, name, playbook, changed, data=None):
        """Run ``playbook`` on all hosts (after resetting the files when ``data`` is given),
        check every host succeeded with ``changed`` changes, record the time."""
        if data is not None:
            self.reset(data)
        seconds, rc, recap, output = self.play(playbook)
        bad = [host for host in HOSTS if recap.get(host) != (changed, 0)]
        if rc != 0 or bad:
            raise BenchError("%s: ansible-playbook exited %d; hosts not at changed=%d failed=0: %s\n%s"
                             % (name, rc, changed, ", ".join(bad) or "-", output[-3000:]))
        self.runs.setdefault(name, []).append(seconds)
        self.log("fleet %-22s %6.2f s, %6.2f CPU s (rc=0, changed=%d on %d hosts)"
                 % (name, seconds[0], seconds[1], changed, len(HOSTS)))

    def check_files(self, expected):
        """What the converge left in the first host's file (all hosts got the same input)."""
        output = self.path(HOSTS[0]).read_bytes()
        doc = ini.parse(output)
        return {
            "read back": all(doc.get(s, k) == v for s, k, v in sample.edits()),
            "same as core": output == expected,
            "crlf": b"\n" not in output.replace(b"\r\n", b""),
        }


def run(workdir, log, converge_repetitions=2, steady_repetitions=3):
    """Returns {"runs": {name: [(wall seconds, CPU seconds)]}, "files": {way: facts}, "traces": {name: facts}}."""
    import core

    fleet = Fleet(workdir, log)
    # ini_file reads files as UTF-8 only, so the fleet file is the ASCII spelling of the
    # 20 KB file (same lines, same size); the cp1252 original is tried on one host below.
    data = sample.mapisvc_inf(20_000, ansi=False)
    expected = core.ours(data)
    files = {}

    # Untimed, one host, -vvv: how many module executions each way costs on the target,
    # and whether each way copes with the realistic cp1252 file (what Windows setup
    # programs write). Run first, so they also warm the disk cache for the timed runs.
    ansi = sample.mapisvc_inf(20_000)
    traces = {
        "mapisvc converge": fleet.trace("mapisvc", data),
        "mapisvc no change": fleet.trace("mapisvc"),
        "slurp (floor)": fleet.trace("slurp"),
        "ini_file converge": fleet.trace("ini_file", data),
        "mapisvc converge, cp1252 file": fleet.trace("mapisvc", ansi),
        "ini_file converge, cp1252 file": fleet.trace("ini_file", ansi),
    }
    for name, facts in traces.items():
        log("fleet trace %-31s changed=%d failed=%d modules=%d %s"
            % (name, facts["changed"], facts["failed"], facts["modules"], facts["error"]))
    for name in ("mapisvc converge", "mapisvc no change", "slurp (floor)", "ini_file converge"):
        if traces[name]["rc"] or traces[name]["failed"]:
            raise BenchError("%s: the traced one-host run failed: %s" % (name, traces[name]["error"]))

    for dummy in range(converge_repetitions):
        fleet.timed("mapisvc converge", "mapisvc", changed=1, data=data)
    files["mapisvc"] = fleet.check_files(expected)
    for dummy in range(steady_repetitions):
        fleet.timed("mapisvc no change", "mapisvc", changed=0)
    for dummy in range(steady_repetitions):
        fleet.timed("slurp (floor)", "slurp", changed=0)
    # About a minute per run, so once.
    fleet.timed("ini_file converge", "ini_file", changed=1, data=data)
    files["ini_file"] = fleet.check_files(expected)

    return {"runs": fleet.runs, "files": files, "traces": traces, "hosts": len(HOSTS)}
