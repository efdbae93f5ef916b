# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The win_copy double's folder copy, as ansible.windows' action (plugins/action/win_copy.py)
and module (plugins/modules/win_copy.ps1) do it: one ``query`` execution for every file of the
folder, then nothing (all equal), one ``single`` copy (one file differs) or one zip the module
expands (``explode``, several differ; the zip holds every file of the folder). Each run counts
the module executions in ansible-playbook's ``-vvv`` output with pipelining off (one
``AnsiballZ_win_copy.py`` start each) and what was sent (``source`` or ``source.zip``)."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest
import yaml

from test_windows_double import DOUBLES, builder, on_disk, runner, snapshot

pytestmark = pytest.mark.playbook

DEST = "C:\\Program Files\\Contoso"
# The command that starts the module (not the chmod before it); the simulated shell puts its
# environment before the interpreter.
MODULE_RUN = re.compile(r"^<[^>]+> EXEC /bin/sh -c '.*python[\d.]* \S*AnsiballZ_win_copy\.py", re.M)
SENT = re.compile(r"^<[^>]+> PUT \S+ TO \S+[/\\](source(?:\.zip)?)\b", re.M)


@pytest.fixture
def machine(tmp_path):
    return builder.make_machine(tmp_path / "machine", office="msi64", users=[])


@pytest.fixture
def folder(tmp_path):
    """A controller folder with three files, as the role's plan stages it: links to the files."""
    originals = tmp_path / "originals"
    originals.mkdir()
    staged = tmp_path / "staged"
    staged.mkdir()
    for name, data in (("contoso32.dll", b"MZ contoso"), ("contosoui32.dll", b"MZ ui"), ("contoso.chm", b"ITSF")):
        (originals / name).write_bytes(data)
        os.symlink(originals / name, staged / name)
    return staged


def copy_task(src, dest=DEST, **options):
    return {"name": "copy", "ansible.windows.win_copy": dict({"src": src, "dest": dest, "local_follow": True},
                                                             **options)}


def run(tmp_path, machine, tasks, check=False):
    """ansible-playbook -vvv against the simulated host, pipelining off: (rc, stdout, number of
    win_copy executions, what was sent)."""
    work = tmp_path / ("run-%d" % len(list(tmp_path.glob("run-*"))))
    work.mkdir()
    playbook = work / "playbook.yml"
    playbook.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    inventory = work / "inventory.ini"
    inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    env = runner.playbook_env(work, collections=(DOUBLES, runner.COLLECTIONS), ANSIBLE_STDOUT_CALLBACK="default",
                              ANSIBLE_REMOTE_TEMP=str(work / ".ansible-remote"))
    command = [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory), str(playbook),
               "-vvv", "-e", "ansible_shell_type=mapi_testdouble.windows_host.simulated",
               "-e", "simulated_windows_root=%s" % machine["root"], "-e", "ansible_pipelining=false"]
    if check:
        command.append("--check")
    proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=str(work), check=False, timeout=600)
    return proc.returncode, proc.stdout, len(MODULE_RUN.findall(proc.stdout)), SENT.findall(proc.stdout)


def changed(stdout):
    return int(re.search(r"changed=(\d+)", stdout).group(1))


def test_several_new_files_go_in_one_query_and_one_zip(tmp_path, machine, folder):
    rc, stdout, executions, sent = run(tmp_path, machine, [copy_task(str(folder) + "/")])
    assert rc == 0, stdout
    assert (executions, sent, changed(stdout)) == (2, ["source.zip"], 1)
    # The trailing slash: the folder's contents go into dest, each under its link's name.
    assert on_disk(machine, DEST + "\\contoso32.dll").read_bytes() == b"MZ contoso"
    assert on_disk(machine, DEST + "\\contosoui32.dll").read_bytes() == b"MZ ui"
    assert on_disk(machine, DEST + "\\contoso.chm").read_bytes() == b"ITSF"


def test_unchanged_files_cost_only_the_query(tmp_path, machine, folder):
    run(tmp_path, machine, [copy_task(str(folder) + "/")])
    before = snapshot(machine["root"])
    rc, stdout, executions, sent = run(tmp_path, machine, [copy_task(str(folder) + "/")])
    assert rc == 0, stdout
    assert (executions, sent, changed(stdout)) == (1, [], 0)
    assert snapshot(machine["root"]) == before


def test_one_differing_file_is_sent_alone_as_a_single_copy(tmp_path, machine, folder):
    run(tmp_path, machine, [copy_task(str(folder) + "/")])
    on_disk(machine, DEST + "\\contoso.chm").write_bytes(b"an older help file")
    rc, stdout, executions, sent = run(tmp_path, machine, [copy_task(str(folder) + "/")])
    assert rc == 0, stdout
    assert (executions, sent, changed(stdout)) == (2, ["source"], 1)
    assert on_disk(machine, DEST + "\\contoso.chm").read_bytes() == b"ITSF"


def test_a_zip_holds_every_file_of_the_folder_as_the_real_action_sends_it(tmp_path, machine, folder):
    # Two of three differ: the real _copy_zip_file zips the walked files, not only the changed.
    run(tmp_path, machine, [copy_task(str(folder) + "/")])
    on_disk(machine, DEST + "\\contoso.chm").write_bytes(b"old")
    on_disk(machine, DEST + "\\contoso32.dll").write_bytes(b"old")
    rc, stdout, executions, sent = run(tmp_path, machine, [copy_task(str(folder) + "/")])
    assert (rc, executions, sent) == (0, 2, ["source.zip"]), stdout
    assert on_disk(machine, DEST + "\\contoso32.dll").read_bytes() == b"MZ contoso"


def test_without_a_trailing_slash_the_folder_itself_goes_under_dest(tmp_path, machine, folder):
    rc, stdout, executions, sent = run(tmp_path, machine, [copy_task(str(folder))])
    assert (rc, executions, sent) == (0, 2, ["source.zip"]), stdout
    assert on_disk(machine, DEST + "\\staged\\contoso.chm").read_bytes() == b"ITSF"
    assert not on_disk(machine, DEST + "\\contoso.chm").exists()


def test_links_are_not_copied_without_local_follow(tmp_path, machine, folder):
    # The real action's local_follow default is false (not the documented yes): links are
    # listed as symlinks, which neither the query nor the zip handles.
    rc, stdout, executions, sent = run(tmp_path, machine, [copy_task(str(folder) + "/", local_follow=False)])
    assert rc == 0, stdout
    assert (executions, sent, changed(stdout)) == (1, [], 0)
    assert not on_disk(machine, DEST + "\\contoso.chm").exists()


def test_check_mode_queries_reports_the_change_and_sends_nothing(tmp_path, machine, folder):
    before = snapshot(machine["root"])
    rc, stdout, executions, sent = run(tmp_path, machine, [copy_task(str(folder) + "/")], check=True)
    assert rc == 0, stdout
    assert (executions, sent, changed(stdout)) == (1, [], 1)
    assert snapshot(machine["root"]) == before
