# -*- coding: utf-8 -*-
"""The role's profile tasks through ansible-playbook, on the simulated Windows host.

Each test builds a machine with tests/windows_double/make_machine.py (users with and without an
Outlook profile, logged on or not; one whose default profile already holds the service), runs
``include_role: tasks_from: profile`` (and ``profile_absent``) against it through the
ansible.windows TEST DOUBLES, and checks the sandbox registry and files afterwards, plus the
Molecule verify tasks (extensions/molecule/shared/verify_profile.yml) on the same machine.
"""

from __future__ import annotations

import copy
import json
import pathlib
import subprocess
import sys

import pytest
import yaml

from playbook_run import playbook_env

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOUBLES = ROOT / "tests" / "windows_double"
COLLECTIONS = ROOT / ".tmp" / "collections"
VERIFY = ROOT / "extensions" / "molecule" / "shared" / "verify_profile.yml"
SCRIPT = ROOT / "roles" / "message_service" / "files" / "message_service_profile.ps1"

pytestmark = pytest.mark.skipif(not (DOUBLES / "make_machine.py").is_file(),
                                reason="the simulated Windows host (tests/windows_double) is not there")

INSTALL_DIR = "C:\\Program Files\\Contoso"
PRF = INSTALL_DIR + "\\CONTOSO.prf"
APPEND_PRF = INSTALL_DIR + "\\CONTOSO-append.prf"
COMPONENT = "mapi.messaging.CONTOSO.profile"
SETUP = "Software\\Microsoft\\Office\\16.0\\Outlook\\Setup"
PROFILE = {
    "existing_profiles": "add",
    "properties": [
        {"name": "ServerName", "type": "PT_STRING8", "tag": "0x6700", "value": "dir.contoso.example"},
        {"name": "Port", "type": "PT_LONG", "tag": "0x6701", "value": 389},
    ],
}
USERS = ("alice:with-profile", "bob:without-profile", "carol:without-profile:unloaded", "dave:with-profile:unloaded",
         "frank:with-profile")


def build(root, users=USERS, **options):
    sys.path.insert(0, str(DOUBLES))
    try:
        from make_machine import make_machine
    finally:
        sys.path.remove(str(DOUBLES))
    return make_machine(str(root), office=options.pop("office", "msi64"), users=list(users), **options)


def play_vars(**overrides):
    variables = {
        "message_service_name": "CONTOSO",
        "message_service_display_name": "Contoso Connector",
        "message_service_install_dir": INSTALL_DIR,
        "message_service_profile": PROFILE,
    }
    variables.update(overrides)
    return variables


def role_task(tasks_from):
    return {"name": "profile tasks", "ansible.builtin.include_role": {
        "name": "mapi.messaging.message_service", "tasks_from": tasks_from}}


def profile_steps(tasks_from="profile"):
    """The role's preflight (the one read of the host, which plans the profile step too), then
    only the profile tasks."""
    return [role_task("preflight"), role_task(tasks_from)]


def run(tmp_path, machine, tasks, variables, check=False, diff=False):
    """ansible-playbook against the simulated host; returns (rc, [task results], stderr)."""
    play = [{"hosts": "winhost", "gather_facts": False, "vars": variables, "tasks": tasks}]
    playbook = tmp_path / "playbook.yml"
    playbook.write_text(yaml.safe_dump(play, sort_keys=False))
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {"winhost": {
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
        "ansible_shell_type": "mapi_testdouble.windows_host.simulated",
        "simulated_windows_root": str(machine),
    }}}}))
    # The doubles shadow the real ansible.windows because their tree comes first.
    env = playbook_env(tmp_path, collections=(DOUBLES, COLLECTIONS),
                       ANSIBLE_REMOTE_TEMP=str(tmp_path / ".ansible-remote"))
    command = [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory), str(playbook)]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=str(tmp_path), check=False)
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        raise AssertionError("no JSON (rc %d):\n%s\n%s" % (proc.returncode, proc.stdout, proc.stderr))
    results = []
    for each_play in report["plays"]:
        for task in each_play["tasks"]:
            if "winhost" in task["hosts"]:
                # Role tasks are named "<role> : <name>"; keep the task's own name.
                results.append(dict(task["hosts"]["winhost"], task=task["task"]["name"].split(" : ", 1)[-1]))
    assert results, "no task ran on the simulated host: %s" % proc.stderr
    return proc.returncode, results, proc.stderr


def failures(results):
    return [(r["task"], r.get("msg")) for r in results if r.get("failed")]


def changed_tasks(results):
    return [r["task"] for r in results if r.get("changed")]


# --- reading the sandbox ------------------------------------------------------------------

def registry(machine):
    return json.loads((machine / "registry.json").read_text(encoding="utf-8"))


def node(tree, path):
    """The key at ``path`` (backslash separated, case-insensitive) or None."""
    current = tree
    for part in path.split("\\"):
        children = current.get("keys", {})
        match = [child for name, child in children.items() if name.lower() == part.lower()]
        if not match:
            return None
        current = match[0]
    return current


def values(tree, path):
    key = node(tree, path)
    return None if key is None else {name: value["data"] for name, value in key.get("values", {}).items()}


def host_file(machine, windows_path):
    drive, rest = windows_path.split(":\\", 1)
    current = machine / "drive" / drive.upper()
    for part in rest.split("\\"):
        match = [item for item in current.iterdir() if item.name.lower() == part.lower()] if current.is_dir() else []
        if not match:
            return None
        current = match[0]
    return current


def sid_of(description, name):
    return next(user["sid"] for user in description["users"] if user["name"] == name)


def snapshot(machine):
    """Every file of the machine and its bytes (registry.json and hive files included)."""
    return {str(path.relative_to(machine)): path.read_bytes() for path in sorted(machine.rglob("*"))
            if path.is_file() and path.name != "registry.lock"}  # the doubles' lock file


# --- tests --------------------------------------------------------------------------------
# Each ansible-playbook run costs seconds, so one test walks the whole life cycle on one machine:
# check mode, converge (+ the Molecule verify tasks), idempotence, removal (+ verify), removal again.

def give_erin_a_pre_2013_profile(machine, erin):
    """erin has no profile under Office\\16.0 but one where Outlook before 2013 kept them."""
    data = registry(machine)
    software = node(data["keys"]["HKEY_USERS"], erin + "\\Software\\Microsoft")
    software.setdefault("keys", {})["Windows NT"] = {"values": {}, "keys": {"CurrentVersion": {"values": {}, "keys": {
        "Windows Messaging Subsystem": {"values": {}, "keys": {"Profiles": {"values": {}, "keys": {
            "MS Exchange Settings": {"values": {}, "keys": {}}}}}}}}}}
    (machine / "registry.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def frank_has_the_service_in_his_default_profile(machine, frank):
    """A section of frank's default profile ("Outlook") holds PR_SERVICE_NAME = CONTOSO, as
    MAPI writes it: value 001f3d09, REG_BINARY, UTF-16LE with its NUL."""
    data = registry(machine)
    outlook = node(data["keys"]["HKEY_USERS"], frank + "\\Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Outlook")
    outlook.setdefault("keys", {})["0a0d020000000000c000000000000046"] = {"keys": {}, "values": {
        "001f3d09": {"type": "binary", "data": list("CONTOSO\0".encode("utf-16-le"))}}}
    (machine / "registry.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def another_tool_sets_bobs_import_prf_and_alice_ran_active_setup(machine, alice, bob):
    data = registry(machine)
    hku = data["keys"]["HKEY_USERS"]
    setup = node(hku, bob + "\\" + SETUP)
    setup["values"]["ImportPRF"] = {"type": "string", "data": "\\\\server\\share\\other.prf"}
    # What Windows writes in the user's hive after running the component at logon.
    microsoft = node(hku, alice + "\\Software\\Microsoft")
    microsoft.setdefault("keys", {})["Active Setup"] = {"values": {}, "keys": {"Installed Components": {
        "values": {}, "keys": {COMPONENT: {"values": {"Version": {"type": "string", "data": "1"}}, "keys": {}}}}}}
    (machine / "registry.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def verify_task(state, with_service=("frank",)):
    return {"name": "verify", "ansible.builtin.include_tasks": str(VERIFY), "vars": {
        "verify_profile_users_with_profile": ["alice"], "verify_profile_users_without_profile": ["bob"],
        "verify_profile_users_with_service": list(with_service),
        "verify_profile_install_dir": INSTALL_DIR,
        "verify_profile_state": state}}


def test_life_cycle_check_converge_idempotence_removal(tmp_path):
    root = tmp_path / "machine"
    description = build(root, users=USERS + ("erin:without-profile",))
    alice, bob, carol, dave, frank, erin = (sid_of(description, name)
                                            for name in ("alice", "bob", "carol", "dave", "frank", "erin"))
    give_erin_a_pre_2013_profile(root, erin)
    frank_has_the_service_in_his_default_profile(root, frank)
    before = registry(root)
    files_before = snapshot(root)
    hives_before = {name: (root / "drive" / "C" / "Users" / name / "NTUSER.DAT").read_bytes() for name in ("carol", "dave")}

    # 1. Check mode with diff: the preview names what would change, and nothing changes.
    rc, results, stderr = run(tmp_path, root, profile_steps(), play_vars(), check=True, diff=True)
    assert rc == 0, failures(results) or stderr
    changed = changed_tasks(results)
    for task in ("Profile | Write the PRF file", "Profile | Write the PRF that adds the service to existing default profiles",
                 "Profile | Register the Active Setup component",
                 "Profile | Point ImportPRF at the PRF each logged-on user needs"):
        assert task in changed, changed
    import_task = next(r for r in results if r["task"].startswith("Profile | Point ImportPRF"))
    assert [item["item"] for item in import_task["results"]] == [{"sid": alice, "prf": APPEND_PRF}]
    assert [item for item in import_task["results"] if item.get("diff")], "win_regedit showed no diff"
    summary = next(r for r in results if r["task"] == "Profile | Report who gets the service how")["msg"]
    assert summary.startswith("ImportPRF set now for 1 logged-on user(s) and already set for 0"), summary
    assert "; 1 logged-on user(s) have the service" in summary, summary
    assert "1 have profiles but no default" in summary and "1 have no profile" in summary, summary
    assert snapshot(root) == files_before

    # 2. Converge, then the Molecule verify tasks in the same play.
    rc, results, stderr = run(tmp_path, root, profile_steps() + [verify_task("present")], play_vars())
    assert rc == 0, failures(results) or stderr
    assert any(r["task"].startswith("Verify profile | The PRF names the service") for r in results)
    after = registry(root)
    hku = after["keys"]["HKEY_USERS"]
    # alice: a default profile without the service -> ImportPRF = the PRF for existing profiles.
    # make_machine gives users with a profile no Setup key: FirstRun has nothing to remove.
    assert values(hku, alice + "\\" + SETUP) == {"ImportPRF": APPEND_PRF}
    # bob (no profile, new_profiles leave), frank (has the service), erin (a pre-2013 profile
    # without DefaultProfile): their hives are exactly as before.
    for sid in (bob, frank, erin):
        assert node(hku, sid) == node(before["keys"]["HKEY_USERS"], sid), sid
    # carol and dave are not logged on: their hive files are untouched (Active Setup's job).
    for name, data in hives_before.items():
        assert (root / "drive" / "C" / "Users" / name / "NTUSER.DAT").read_bytes() == data, name
    assert node(hku, carol) is None and node(hku, dave) is None
    component_key = node(after["keys"]["HKEY_LOCAL_MACHINE"], "SOFTWARE\\Microsoft\\Active Setup\\Installed Components\\" + COMPONENT)
    component = values(after["keys"]["HKEY_LOCAL_MACHINE"], "SOFTWARE\\Microsoft\\Active Setup\\Installed Components\\" + COMPONENT)
    assert component["ComponentID"] == COMPONENT
    assert component["Version"] == "1"
    assert component["IsInstalled"] == 1
    assert component["StubPath"] == (
        '"%SystemRoot%\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" -NoProfile -NonInteractive '
        '-ExecutionPolicy Bypass -WindowStyle Hidden -File "C:\\Program Files\\Contoso\\message_service_profile.ps1" '
        '-PrfPath "C:\\Program Files\\Contoso\\CONTOSO.prf" -AppendPrfPath "C:\\Program Files\\Contoso\\CONTOSO-append.prf" '
        '-OfficeVersion 16.0 -ServiceName "CONTOSO" -ExistingProfiles add -NewProfiles leave')
    assert component_key["values"]["StubPath"]["type"] == "expandstring"
    assert component_key["values"]["IsInstalled"]["type"] == "dword"
    prf = host_file(root, PRF).read_bytes()
    assert prf.decode("ascii")
    assert not prf.startswith(b"\xef\xbb\xbf") and prf.count(b"\n") == prf.count(b"\r\n")
    for line in (b"[General]", b"Custom=1", b"ProfileName=Outlook", b"DefaultProfile=Yes", b"OverwriteProfile=No",
                 b"BackupProfile=No", b"[Service List]", b"Service1=Contoso Connector", b"[Service1]",
                 b"ServerName=dir.contoso.example", b"Port=389", b"[Contoso Connector]", b"ServiceName=CONTOSO",
                 b"ServerName=PT_STRING8,0x6700", b"Port=PT_LONG,0x6701"):
        assert b"\r\n" + line + b"\r\n" in prf, line
    appended = host_file(root, APPEND_PRF).read_bytes()
    assert not appended.startswith(b"\xef\xbb\xbf") and appended.count(b"\n") == appended.count(b"\r\n")
    for line in (b"OverwriteProfile=Append", b"ModifyDefaultProfileIfPresent=TRUE", b"BackupProfile=No",
                 b"UniqueService=Yes", b"ServiceName=CONTOSO"):
        assert b"\r\n" + line + b"\r\n" in appended, line
    assert host_file(root, INSTALL_DIR + "\\message_service_profile.ps1").read_bytes() == SCRIPT.read_bytes()

    # 3. Second run: nothing changes.
    rc, results, stderr = run(tmp_path, root, profile_steps(), play_vars())
    assert rc == 0, failures(results) or stderr
    assert changed_tasks(results) == []
    assert registry(root) == after

    # 4. Removal withdraws only what the role set; the verify tasks agree.
    another_tool_sets_bobs_import_prf_and_alice_ran_active_setup(root, alice, bob)
    bob_setup = values(registry(root)["keys"]["HKEY_USERS"], bob + "\\" + SETUP)
    alice_profiles = copy.deepcopy(node(registry(root)["keys"]["HKEY_USERS"], alice + "\\Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles"))
    rc, results, stderr = run(tmp_path, root, profile_steps("profile_absent") + [verify_task("absent")],
                              play_vars(message_service_profile=None, message_service_state="absent"))
    assert rc == 0, failures(results) or stderr
    assert any(r["task"] == "Verify profile | The Active Setup component is gone" for r in results)
    removed = registry(root)
    hku = removed["keys"]["HKEY_USERS"]
    # alice's ImportPRF named the PRF for existing profiles: withdrawn, though the removal was
    # given no message_service_profile; bob's names another tool's PRF and stays as it was.
    assert values(hku, alice + "\\" + SETUP) == {}
    assert values(hku, bob + "\\" + SETUP) == bob_setup
    assert node(hku, alice + "\\Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles") == alice_profiles
    assert node(hku, alice + "\\Software\\Microsoft\\Active Setup\\Installed Components\\" + COMPONENT) is None
    assert node(removed["keys"]["HKEY_LOCAL_MACHINE"], "SOFTWARE\\Microsoft\\Active Setup\\Installed Components\\" + COMPONENT) is None
    assert node(removed["keys"]["HKEY_LOCAL_MACHINE"], "SOFTWARE\\Microsoft\\Active Setup\\Installed Components") is not None
    assert host_file(root, PRF) is None and host_file(root, APPEND_PRF) is None
    assert host_file(root, INSTALL_DIR + "\\message_service_profile.ps1") is None

    # 5. Removal again: nothing changes.
    rc, results, stderr = run(tmp_path, root, profile_steps("profile_absent"), play_vars(message_service_profile=None, message_service_state="absent"))
    assert rc == 0, failures(results) or stderr
    assert changed_tasks(results) == []


def test_new_profiles_create_gives_a_user_without_a_profile_the_prf_and_a_run_back_at_leave_withdraws_it(tmp_path):
    root = tmp_path / "machine"
    description = build(root, users=("alice:with-profile", "bob:without-profile"))
    alice, bob = sid_of(description, "alice"), sid_of(description, "bob")
    before = registry(root)
    options = dict(PROFILE, existing_profiles="leave", new_profiles="create")
    rc, results, stderr = run(tmp_path, root, profile_steps() + [verify_task("present", with_service=())],
                              play_vars(message_service_profile=options))
    assert rc == 0, failures(results) or stderr
    hku = registry(root)["keys"]["HKEY_USERS"]
    # bob: ImportPRF = the PRF for new profiles, FirstRun and First-Run (make_machine sets both) gone.
    assert values(hku, bob + "\\" + SETUP) == {"ImportPRF": PRF}
    assert node(hku, alice) == node(before["keys"]["HKEY_USERS"], alice)
    assert host_file(root, APPEND_PRF) is None

    # bob has not started Outlook since: with new_profiles back at leave, the PRF he was given
    # would still make his first profile a vendor-only one. Withdrawn, and said so.
    rc, results, stderr = run(tmp_path, root, profile_steps() + [verify_task("present", with_service=())],
                              play_vars(message_service_profile=dict(options, new_profiles="leave")))
    assert rc == 0, failures(results) or stderr
    assert "Profile | Withdraw ImportPRF where it names one of our PRFs the user no longer gets" in changed_tasks(results)
    assert values(registry(root)["keys"]["HKEY_USERS"], bob + "\\" + SETUP) == {}
    summary = next(r for r in results if r["task"] == "Profile | Report who gets the service how")["msg"]
    assert "ImportPRF of ours withdrawn for 1 of the users left alone" in summary, summary


def test_verify_tasks_fail_where_the_role_never_ran(tmp_path):
    root = tmp_path / "machine"
    build(root)
    rc, results, stderr = run(tmp_path, root, [verify_task("present", with_service=())], play_vars())
    assert rc != 0
    failed = [r["task"] for r in results if r.get("failed")]
    assert failed and failed[0].startswith("Verify profile | Each logged-on user imports the PRF"), failed


def test_bad_profile_fails_before_any_change(tmp_path):
    root = tmp_path / "machine"
    build(root)
    before = snapshot(root)
    bad = {"name": "Sales [EU]", "properties": [{"name": "ServerName", "tag": "0x6700", "value": "caf\u00e9"}]}
    rc, results, stderr = run(tmp_path, root, profile_steps(), play_vars(message_service_profile=bad))
    assert rc != 0
    message = " ".join(str(msg) for task, msg in failures(results))
    assert "message_service_profile.name" in message and "properties[0].value" in message, message
    assert snapshot(root) == before
