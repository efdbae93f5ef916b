# -*- coding: utf-8 -*-
"""plugins/modules/mapisvc_file.py, run for real as Ansible runs a module on a POSIX target:
a Python process given its arguments as JSON, on real files in a temporary folder.

Every run has a timeout: reading a FIFO used to block forever, and that must fail the test,
not hang it."""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import pathlib
import socket
import stat
import subprocess
import sys
import time

import pytest

MODULE = pathlib.Path(__file__).resolve().parents[2] / "plugins" / "modules" / "mapisvc_file.py"
CAP = 1000
ORIGINAL = b"[Services]\r\nMSEMS=Microsoft Exchange Server\r\n"
NEW = ORIGINAL + b"CONTOSO=Contoso Connector\r\n"


def sha1(data):
    return hashlib.sha1(data).hexdigest()


def start(tmp_path, check_mode=False, **args):
    args.setdefault("max_bytes", CAP)
    spec = tmp_path.parent / ("args-%s.json" % os.urandom(4).hex())
    spec.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": dict(args, _ansible_check_mode=check_mode)}))
    return subprocess.Popen([sys.executable, str(MODULE), str(spec)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(proc, timeout=20):
    out, err = proc.communicate(timeout=timeout)
    try:
        return json.loads(out)
    except ValueError:
        raise AssertionError("the module printed no JSON (rc %d): %s %s" % (proc.returncode, out, err))


def run(tmp_path, check_mode=False, **args):
    return finish(start(tmp_path, check_mode=check_mode, **args))


def replace(tmp_path, path, expected, data, **args):
    return run(tmp_path, op="replace", path=str(path), expected_sha1=expected,
               content=base64.b64encode(data).decode(), **args)


@pytest.fixture
def folder(tmp_path):
    work = tmp_path / "MSMAPI"
    work.mkdir()
    return work


@pytest.fixture
def inf(folder):
    path = folder / "MAPISVC.INF"
    path.write_bytes(ORIGINAL)
    return path


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------
def test_read_returns_the_bytes_and_their_sha1(tmp_path, inf):
    result = run(tmp_path, path=str(inf))
    assert result["exists"] is True and result["file_type"] == "file"
    assert base64.b64decode(result["content"]) == ORIGINAL
    assert result["sha1"] == sha1(ORIGINAL) and result["size"] == len(ORIGINAL)
    assert result["changed"] is False


@pytest.mark.parametrize("name", ["missing", "dangling-link", "below-a-file"])
def test_read_of_a_missing_file_or_dangling_link_says_it_does_not_exist(tmp_path, folder, name):
    path = folder / "MAPISVC.INF"
    if name == "dangling-link":
        path.symlink_to(folder / "gone.inf")
    if name == "below-a-file":
        (folder / "file").write_bytes(b"")
        path = folder / "file" / "MAPISVC.INF"
    result = run(tmp_path, path=str(path))
    assert result["exists"] is False and "content" not in result and "failed" not in result


def test_read_of_a_fifo_returns_its_type_without_opening_it(tmp_path, folder):
    fifo = folder / "MAPISVC.INF"
    os.mkfifo(fifo)
    result = finish(start(tmp_path, path=str(fifo)), timeout=20)  # open() would block forever
    assert result == {"exists": True, "file_type": "fifo", "changed": False, "real_path": str(fifo),
                      "invocation": result["invocation"]}


def test_read_of_a_device_returns_its_type_and_reads_nothing(tmp_path, folder):
    link = folder / "MAPISVC.INF"
    link.symlink_to("/dev/zero")  # an endless read if it were opened
    result = run(tmp_path, path=str(link))
    assert result["file_type"] == "character device" and "content" not in result
    assert result["real_path"] == "/dev/zero"


def test_read_of_a_folder_and_of_a_socket_return_their_types(tmp_path, folder):
    assert run(tmp_path, path=str(folder))["file_type"] == "directory"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(folder / "s"))
        assert run(tmp_path, path=str(folder / "s"))["file_type"] == "socket"
    finally:
        server.close()


def test_read_of_a_file_above_max_bytes_returns_its_size_and_no_content(tmp_path, inf):
    result = run(tmp_path, path=str(inf), max_bytes=len(ORIGINAL) - 1)
    assert result["exists"] is True and result["file_type"] == "file"
    assert result["size"] == len(ORIGINAL) and "content" not in result and "sha1" not in result
    assert run(tmp_path, path=str(inf), max_bytes=len(ORIGINAL))["sha1"] == sha1(ORIGINAL)


def test_read_follows_a_symbolic_link_to_the_file(tmp_path, inf):
    link = inf.parent / "link.inf"
    link.symlink_to(inf.name)
    result = run(tmp_path, path=str(link))
    assert base64.b64decode(result["content"]) == ORIGINAL and result["real_path"] == str(inf)


# --------------------------------------------------------------------------------------
# Compare and swap
# --------------------------------------------------------------------------------------
def test_replace_writes_when_the_sha1_matches_and_leaves_no_temporary_file(tmp_path, inf):
    result = replace(tmp_path, inf, sha1(ORIGINAL), NEW)
    assert result["changed"] is True and result["conflict"] is False and result["sha1"] == sha1(NEW)
    assert inf.read_bytes() == NEW
    assert sorted(p.name for p in inf.parent.iterdir()) == ["MAPISVC.INF"]


@pytest.mark.parametrize("expected", ["0" * 40, ""])
def test_replace_with_another_sha1_is_a_conflict_and_writes_nothing(tmp_path, inf, expected):
    before = inf.stat()
    result = replace(tmp_path, inf, expected, NEW)
    assert result["conflict"] is True and result["changed"] is False and result["sha1"] == sha1(ORIGINAL)
    assert inf.read_bytes() == ORIGINAL and inf.stat().st_ino == before.st_ino
    assert sorted(p.name for p in inf.parent.iterdir()) == ["MAPISVC.INF"]


def test_replace_of_a_file_that_appeared_since_it_was_read_missing_is_a_conflict(tmp_path, inf):
    assert replace(tmp_path, inf, "", NEW)["conflict"] is True
    assert inf.read_bytes() == ORIGINAL


def test_replace_creates_a_missing_file_with_the_umask_mode(tmp_path, folder):
    path = folder / "MAPISVC.INF"
    umask = os.umask(0o022)
    try:
        result = replace(tmp_path, path, "", NEW)
    finally:
        os.umask(umask)
    assert result["changed"] is True and path.read_bytes() == NEW
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_replace_keeps_the_mode_of_the_replaced_file(tmp_path, inf):
    inf.chmod(0o640)
    replace(tmp_path, inf, sha1(ORIGINAL), NEW)
    assert inf.read_bytes() == NEW and stat.S_IMODE(inf.stat().st_mode) == 0o640


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_replace_keeps_owner_and_group_of_the_replaced_file(tmp_path, inf):
    os.chown(inf, 4321, 5432)
    result = replace(tmp_path, inf, sha1(ORIGINAL), NEW, backup=True)
    info = inf.stat()
    assert (info.st_uid, info.st_gid) == (4321, 5432)
    backup = pathlib.Path(result["backup_file"]).stat()
    assert (backup.st_uid, backup.st_gid) == (4321, 5432)


def test_replace_through_a_symbolic_link_replaces_the_file_and_keeps_the_link(tmp_path, inf):
    link = inf.parent / "link.inf"
    link.symlink_to(inf.name)
    result = replace(tmp_path, link, sha1(ORIGINAL), NEW)
    assert result["conflict"] is False and result["real_path"] == str(inf)
    assert link.is_symlink() and os.readlink(link) == inf.name
    assert inf.read_bytes() == NEW


@pytest.mark.parametrize("kind", ["fifo", "directory", "device"])
def test_replace_refuses_what_is_not_a_regular_file_without_hanging(tmp_path, folder, kind):
    path = folder / "MAPISVC.INF"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        path.symlink_to("/dev/zero")
    result = finish(start(tmp_path, op="replace", path=str(path), expected_sha1="",
                          content=base64.b64encode(NEW).decode()), timeout=20)
    assert result["failed"] is True
    described = {"fifo": "a fifo", "directory": "a directory", "device": "a character device"}[kind]
    assert result["msg"] == "%s is %s, not a regular file; nothing was written" % (result["real_path"], described)
    assert sorted(p.name for p in folder.iterdir()) == ["MAPISVC.INF"]


def test_replace_refuses_a_file_above_max_bytes_and_writes_nothing(tmp_path, inf):
    result = replace(tmp_path, inf, sha1(ORIGINAL), NEW, max_bytes=len(ORIGINAL) - 1)
    assert result["failed"] is True
    assert result["msg"] == "%s holds more than %d bytes, too many for a MAPISVC.INF; nothing was written" \
        % (inf, len(ORIGINAL) - 1)
    assert inf.read_bytes() == ORIGINAL


def test_replace_in_a_missing_folder_fails_clearly(tmp_path, folder):
    path = folder / "nowhere" / "MAPISVC.INF"
    result = replace(tmp_path, path, "", NEW)
    assert result["failed"] is True
    assert result["msg"] == "the folder %s does not exist; MAPISVC.INF is only created in an existing folder" \
        % path.parent


def test_check_mode_compares_and_writes_nothing(tmp_path, inf):
    result = run(tmp_path, check_mode=True, op="replace", path=str(inf), expected_sha1=sha1(ORIGINAL),
                 content=base64.b64encode(NEW).decode(), backup=True)
    assert result["changed"] is True and result["conflict"] is False and "backup_file" not in result
    assert inf.read_bytes() == ORIGINAL
    assert sorted(p.name for p in inf.parent.iterdir()) == ["MAPISVC.INF"]


def test_backups_in_the_same_second_get_different_names_and_keep_each_version(tmp_path, inf):
    inf.chmod(0o640)
    first = replace(tmp_path, inf, sha1(ORIGINAL), NEW, backup=True)["backup_file"]
    second = replace(tmp_path, inf, sha1(NEW), ORIGINAL, backup=True)["backup_file"]
    assert first != second
    assert pathlib.Path(first).read_bytes() == ORIGINAL and pathlib.Path(second).read_bytes() == NEW
    assert stat.S_IMODE(pathlib.Path(first).stat().st_mode) == 0o640
    assert inf.read_bytes() == ORIGINAL


def test_the_new_bytes_are_never_echoed_in_the_invocation(tmp_path, inf):
    secret = ORIGINAL + b"PR_PROFILE_PASSWORD=hunter2\r\n"
    result = replace(tmp_path, inf, sha1(ORIGINAL), secret)
    assert base64.b64encode(secret).decode() not in json.dumps(result)


# --------------------------------------------------------------------------------------
# The lock
# --------------------------------------------------------------------------------------
def test_replace_waits_for_the_folder_lock_and_then_sees_the_other_writers_change(tmp_path, inf):
    """Another run holds the lock on the folder and changes the file inside it: ours must
    neither write meanwhile nor miss that change once it gets the lock."""
    holder = os.open(inf.parent, os.O_RDONLY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        proc = start(tmp_path, op="replace", path=str(inf), expected_sha1=sha1(ORIGINAL),
                     content=base64.b64encode(NEW).decode())
        time.sleep(1.5)
        assert proc.poll() is None, "the module did not wait for the folder's lock"
        assert inf.read_bytes() == ORIGINAL
        other = ORIGINAL + b"OTHER=Other Service\r\n"
        inf.write_bytes(other)
    finally:
        os.close(holder)  # releases the lock
    result = finish(proc)
    assert result["conflict"] is True and result["sha1"] == sha1(other)
    assert inf.read_bytes() == other


def test_many_writers_at_once_lose_no_update(tmp_path, inf):
    """Twelve processes each add their own line, reading and swapping until they win; every
    line must be in the file at the end. Both steps are real module runs."""
    def attempt(line):
        current = base64.b64decode(run(tmp_path, path=str(inf))["content"])
        return start(tmp_path, op="replace", path=str(inf), expected_sha1=sha1(current),
                     content=base64.b64encode(current + line).decode())

    lines = [b"W%02d=writer %02d\r\n" % (n, n) for n in range(12)]
    pending = {line: attempt(line) for line in lines}
    rounds = 0
    while pending and rounds < 60:
        rounds += 1
        for line, proc in list(pending.items()):
            result = finish(proc)
            assert "failed" not in result, result.get("msg")
            if result["conflict"]:
                pending[line] = attempt(line)
            else:
                del pending[line]
    assert not pending
    data = inf.read_bytes()
    assert all(data.count(line) == 1 for line in lines)
    assert sorted(p.name for p in inf.parent.iterdir()) == ["MAPISVC.INF"]
