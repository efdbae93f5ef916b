# -*- coding: utf-8 -*-
"""Several ansible-playbook runs editing one MAPISVC.INF at once (POSIX target): no run may
report success while an entry it wrote is missing, and a FIFO path fails instead of hanging.
"""

import json
import os
import pathlib
import re
import subprocess
import sys

import yaml

from playbook_run import playbook_env

SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "demo" / "MAPISVC.INF"
BIN = pathlib.Path(sys.executable).parent
ROUNDS = 3
SERVICES_PER_PLAY = 8
# With -vvv, each module execution on the target is one "EXEC ... python ... AnsiballZ_<name>.py".
MODULE_RUN = re.compile(r"EXEC /bin/sh -c '\S*python[\d.]* \S*AnsiballZ_(\w+)\.py")


def service(path, name):
    return {"name": name, "mapi.messaging.mapisvc": {
        "path": str(path), "service": name, "display_name": "%s Connector" % name,
        "properties": {"PR_SERVICE_DLL_NAME": "%s.dll" % name.lower(), "PR_SERVICE_ENTRY_NAME": "ServiceEntry"}}}


def write_play(work, name, tasks):
    work.mkdir(exist_ok=True)
    (work / "inventory.ini").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    (work / "play.yml").write_text(yaml.safe_dump(
        [{"hosts": "localhost", "gather_facts": False, "tasks": tasks}], sort_keys=False))
    return [str(BIN / "ansible-playbook"), "-i", str(work / "inventory.ini"), str(work / "play.yml")]


def task_results(stdout):
    report = json.loads(stdout)
    return [(task["task"]["name"], task["hosts"]["localhost"]) for play in report["plays"] for task in play["tasks"]]


def test_parallel_playbooks_lose_no_service_and_never_report_a_lost_one_as_success(tmp_path):
    inf = tmp_path / "MAPISVC.INF"
    plays = {prefix: ["%s%d" % (prefix, n) for n in range(1, SERVICES_PER_PLAY + 1)] for prefix in ("ALPHA", "BRAVO")}
    for round_ in range(ROUNDS):
        inf.write_bytes(SAMPLE.read_bytes())
        procs = {}
        for prefix, names in plays.items():
            work = tmp_path / ("%s-%d" % (prefix, round_))
            command = write_play(work, prefix, [service(inf, name) for name in names])
            procs[prefix] = subprocess.Popen(command, env=playbook_env(work), cwd=str(work),
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        outcomes = {prefix: (proc.wait(timeout=600), proc.stdout.read(), proc.stderr.read())
                    for prefix, proc in procs.items()}
        data = inf.read_bytes()
        listed = set(re.findall(rb"^(\w+)=\w+ Connector\r$", data, re.M))
        for prefix, (rc, stdout, stderr) in outcomes.items():
            results = task_results(stdout)
            for name, result in results:
                if result.get("failed"):
                    # Failing is allowed only loudly, with the message that says why.
                    assert "changed on the target" in result["msg"], result["msg"]
                else:
                    assert result["changed"] is True
                    assert name.encode() in listed, "round %d: %s reported success but is not in the file" \
                        % (round_, name)
            assert rc == 0, "round %d, %s: %s" % (round_, prefix, [r.get("msg") for n, r in results if r.get("failed")])
        assert listed == {name.encode() for names in plays.values() for name in names}, "round %d" % round_
        assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["MAPISVC.INF"]


def test_no_change_run_is_one_module_execution(tmp_path):
    inf = tmp_path / "MAPISVC.INF"
    inf.write_bytes(SAMPLE.read_bytes())
    work = tmp_path / "run"
    command = write_play(work, "once", [service(inf, "CONTOSO")])
    env = playbook_env(work, ANSIBLE_STDOUT_CALLBACK="default")
    first = subprocess.run(command + ["-vvv"], env=env, cwd=str(work), capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stdout
    assert MODULE_RUN.findall(first.stdout) == ["mapisvc_file", "mapisvc_file"]  # read, compare-and-swap
    again = subprocess.run(command + ["-vvv"], env=env, cwd=str(work), capture_output=True, text=True, check=False)
    assert again.returncode == 0 and "changed=0" in again.stdout
    assert MODULE_RUN.findall(again.stdout) == ["mapisvc_file"]


def test_fifo_path_fails_clearly_instead_of_hanging(tmp_path):
    fifo = tmp_path / "MAPISVC.INF"
    os.mkfifo(fifo)
    work = tmp_path / "run"
    tasks = [dict(service(fifo, "CONTOSO"), ignore_errors=True),
             {"name": "info", "mapi.messaging.mapisvc_info": {"path": str(fifo)}, "ignore_errors": True}]
    command = write_play(work, "fifo", tasks)
    proc = subprocess.run(command, env=playbook_env(work), cwd=str(work), capture_output=True, text=True,
                          timeout=120, check=False)
    for name, result in task_results(proc.stdout):
        assert result["failed"] is True
        assert result["msg"] == ("path: %s is a FIFO (named pipe), not a regular file; nothing was read. Give "
                                 "the path of the MAPISVC.INF file itself" % fifo), name
