# -*- coding: utf-8 -*-
"""Run real ``ansible-playbook`` and return what it did.

The playbooks go through Ansible itself: argument validation, the action plugin, the
collection's mapisvc_file module on the POSIX path, check and diff mode. ``run_playbook``
runs tasks on localhost, and the JSON callback (ansible.posix.json, bundled in the
``ansible`` package) hands each task's result back to pytest; ``run_playbook_file`` runs a
user's playbook (a file, or a collection playbook such as mapi.messaging.audit) against an
inventory with the default text output a user reads, and parses its recap.
"""

import json
import os
import pathlib
import re
import subprocess
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
COLLECTIONS = ROOT / ".tmp" / "collections"
RECAP = re.compile(r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)"
                   r"(?:\s+skipped=\d+\s+rescued=(\d+))?", re.M)


def playbook_env(work, collections=(COLLECTIONS,), **overrides):
    """The environment of one ansible-playbook run: the collection trees in the order given
    (a test-double tree listed first shadows the real collection), temporary files under
    ``work``, results as JSON on stdout (ansible.posix.json)."""
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=os.pathsep.join(str(path) for path in collections),
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_LOCAL_TEMP=str(work / ".ansible-local"),
        ANSIBLE_HOME=str(ROOT / ".tmp" / "ansible-home"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_DEPRECATION_WARNINGS="0",
    )
    env.update(overrides)
    return env


def run_playbook(tmp_path, tasks, check=False, diff=False, extra_args=(), files_dir=None, collections=(COLLECTIONS,)):
    """Run ``tasks`` on localhost with the collection trees ``collections`` (see playbook_env);
    return (returncode, [task result dicts])."""
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    playbook = tmp_path / "playbook.yml"
    playbook.write_text(yaml.safe_dump(play, sort_keys=False))
    if files_dir:
        (tmp_path / "files").mkdir(exist_ok=True)
        for item in pathlib.Path(files_dir).iterdir():
            (tmp_path / "files" / item.name).write_bytes(item.read_bytes())
    inventory = tmp_path / "inventory.ini"
    # Interpreter discovery can pick a broken pyenv shim on these machines: name it.
    inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    env = playbook_env(tmp_path, collections=collections)
    command = [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory), str(playbook)]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    command.extend(extra_args)
    # A bound, so that a run that hangs (reading a FIFO, say) fails the test instead of the suite.
    proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=str(tmp_path), check=False,
                          timeout=600)
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        raise AssertionError("ansible-playbook printed no JSON (rc %d):\n%s\n%s" % (proc.returncode, proc.stdout, proc.stderr))
    results = [task["hosts"]["localhost"] for play in report["plays"] for task in play["tasks"]]
    assert results, "no task ran on localhost: %s" % proc.stderr
    return proc.returncode, results


def run_playbook_file(work, playbook, inventory, *extra, collections=(COLLECTIONS,), forks=5):
    """Run ``playbook`` against ``inventory`` as a user would, from the folder ``work``;
    return (the finished process, {host: {changed, unreachable, failed, rescued}} from the
    recap)."""
    env = playbook_env(work, collections, ANSIBLE_STDOUT_CALLBACK="default", ANSIBLE_FORKS=str(forks),
                       ANSIBLE_REMOTE_TEMP=str(work / ".ansible-remote"), ANSIBLE_RETRY_FILES_ENABLED="0",
                       ANSIBLE_HOST_KEY_CHECKING="0")
    command = [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), str(playbook), "-i", str(inventory)]
    proc = subprocess.run(command + list(extra), capture_output=True, text=True, env=env, cwd=str(work), check=False)
    recap = {m.group(1): {"changed": int(m.group(3)), "unreachable": int(m.group(4)), "failed": int(m.group(5)),
                          "rescued": int(m.group(6) or 0)}
             for m in RECAP.finditer(proc.stdout)}
    return proc, recap
