# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection as users get it: the tarball from `ansible-galaxy collection build`,
installed offline into an empty collections path, running the demo from the installed copy."""

import json
import pathlib
import shutil
import subprocess
import tarfile

import pytest

from collection_tools import BIN, ROOT, galaxy, run

# Paths of development state that must never reach users, whatever else the tree holds.
NEVER_SHIPPED = (".tmp/", ".venv/", ".git/", ".hypothesis/", ".pytest_cache/", "collections/",
                 "tests/output/", "tests/windows_double/")


def git_files():
    """What a commit of this checkout would hold: tracked files and new files git does not ignore."""
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=str(ROOT),
                         capture_output=True, check=True).stdout
    return {name for name in out.decode().split("\0") if name}


def test_tarball_manifest_says_what_galaxy_yml_says(tarball):
    with tarfile.open(tarball) as archive:
        manifest = json.load(archive.extractfile("MANIFEST.json"))["collection_info"]
    meta = galaxy()
    for key in ("namespace", "name", "version", "license", "dependencies", "repository", "tags"):
        assert manifest[key] == meta[key], key


def test_tarball_holds_the_collection_users_need(tarball_members):
    members = set(tarball_members)
    modules = {"plugins/modules/%s" % path.name for path in (ROOT / "plugins" / "modules").glob("*.py")}
    assert modules and modules <= members
    for name in ("README.md", "COPYING", "meta/runtime.yml", "meta/execution-environment.yml",
                 "meta/ee-requirements.txt", "demo/contoso.yml", "demo/MAPISVC.INF",
                 "plugins/action/mapisvc.py", "changelogs/changelog.yaml", "CHANGELOG.md"):
        assert name in members, name


def test_tarball_holds_no_development_state_and_no_test_doubles(tarball_members):
    leaked = [name for name in tarball_members
              if name.startswith(NEVER_SHIPPED) or "/__pycache__/" in "/" + name + "/"
              or name.endswith((".pyc", ".tar.gz"))]
    assert leaked == []
    # A nested ansible_collections/ tree is how a test double could pass for a real
    # collection (ansible.windows) once someone adds its folder to a collections path.
    assert [name for name in tarball_members if "ansible_collections" in name] == []


def test_every_file_in_the_tarball_is_a_file_of_the_repository(tarball_members):
    """Nothing git ignores (build output, caches, local state) gets in by accident."""
    added_by_build = {"MANIFEST.json", "FILES.json"}
    files = git_files()
    folders = {str(parent) for name in files for parent in pathlib.PurePosixPath(name).parents}
    strays = [name for name in tarball_members
              if name not in added_by_build and name not in files and name not in folders]
    assert strays == []


def test_build_ignore_is_what_keeps_the_test_doubles_out(tarball_members):
    doubles = ROOT / "tests" / "windows_double"
    if not doubles.is_dir():
        pytest.skip("this checkout has no tests/windows_double")
    assert "tests/windows_double" in galaxy()["build_ignore"]
    assert any(doubles.rglob("*.py")), "the doubles are in the tree..."
    assert not [name for name in tarball_members if name.startswith("tests/windows_double")], "...not in the tarball"


def test_install_is_offline_into_an_empty_path_and_only_there(installed):
    collections, env = installed
    copy = collections / "ansible_collections" / "mapi" / "messaging"
    assert (copy / "MANIFEST.json").is_file()
    assert not copy.is_symlink()
    # The only mapi.messaging Ansible can see is the installed copy.
    proc = run([BIN / "ansible-galaxy", "collection", "list", "mapi.messaging", "--format", "json"], env, collections)
    listed = json.loads(proc.stdout)
    assert list(listed) == [str(collections / "ansible_collections")]
    assert listed[str(collections / "ansible_collections")]["mapi.messaging"]["version"] == galaxy()["version"]


def test_ansible_doc_lists_and_documents_the_installed_modules(installed):
    collections, env = installed
    copy = collections / "ansible_collections" / "mapi" / "messaging"
    proc = run([BIN / "ansible-doc", "-t", "module", "--list", "mapi.messaging", "--json"], env, collections)
    listed = json.loads(proc.stdout)
    modules = {"mapi.messaging.%s" % path.stem for path in (ROOT / "plugins" / "modules").glob("*.py")}
    assert "mapi.messaging.mapisvc" in listed
    assert set(listed) == modules
    proc = run([BIN / "ansible-doc", "--json", "mapi.messaging.mapisvc"], env, collections)
    doc = json.loads(proc.stdout)["mapi.messaging.mapisvc"]["doc"]
    assert pathlib.Path(doc["filename"]).resolve().is_relative_to(copy.resolve())
    assert "path" in doc["options"] and "service" in doc["options"]


def play_demo(collections, env, workdir, inventory, mapisvc):
    """demo/contoso.yml of the installed copy, on a copy of demo/MAPISVC.INF; per-host stats."""
    playbook = collections / "ansible_collections" / "mapi" / "messaging" / "demo" / "contoso.yml"
    proc = run([BIN / "ansible-playbook", "-i", inventory, playbook, "-e", "mapisvc_path=%s" % mapisvc],
               dict(env, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json"), workdir, check=False)
    report = json.loads(proc.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tasks = {task["task"]["name"]: task["hosts"]["demo-workstation"]
             for play in report["plays"] for task in play["tasks"]}
    return report["stats"]["demo-workstation"], tasks


def test_demo_from_the_installed_copy_converges_then_changes_nothing(installed, tmp_path):
    collections, env = installed
    copy = collections / "ansible_collections" / "mapi" / "messaging"
    mapisvc = tmp_path / "MAPISVC.INF"
    shutil.copyfile(ROOT / "demo" / "MAPISVC.INF", mapisvc)
    original = mapisvc.read_bytes()
    inventory = copy / "demo" / "inventory.ini"

    stats, tasks = play_demo(collections, env, tmp_path, inventory, mapisvc)
    assert stats["failures"] == 0 and stats["unreachable"] == 0
    first = tasks["Declare the Contoso service, its providers and its profile section"]
    assert first["changed"] is True
    after = mapisvc.read_bytes()
    assert b"[CONTOSO]" in after and b"CONTOSO=Contoso Connector" in after.replace(b" = ", b"=")
    # Only lines were added: every original line is still there, in order.
    lines = iter(after.split(b"\r\n"))
    assert all(any(line == kept for kept in lines) for line in original.split(b"\r\n"))

    stats, tasks = play_demo(collections, env, tmp_path, inventory, mapisvc)
    assert stats["changed"] == 0 and stats["failures"] == 0
    assert tasks["Declare the Contoso service, its providers and its profile section"]["changed"] is False
    assert mapisvc.read_bytes() == after
