# -*- coding: utf-8 -*-
"""The message_service role changes only what it owns, on simulated Windows workstations
(TEST DOUBLES, tests/windows_double), through one real ansible-playbook run.

Each host gets one hostile or unlucky setting: a file name of ``..``, a PR_SERVICE_DELETE_FILES
entry naming ``..`` or a system folder, a whole-hive registry removal, an HKCU item, a PRF in
C:\\Users\\Public, Outlook running, a DLL of the service loaded by a running process. Every
one must stop in preflight with a message naming the field, the run must exit non-zero, and
every file of every machine (and its registry) must be byte-identical afterwards. A last host
installs normally with --diff -v, and its registry secret must not appear in the output.
"""

from __future__ import annotations

import json

from simulated_fleet import ROOT, make_machine, run, tree

EXAMPLE_FILES = ROOT / "examples" / "files"
SECRET = "hunter2-never-shown"
SERVICE = {
    "message_service_name": "CONTOSO",
    "message_service_display_name": "Contoso Connector",
    "message_service_files": [{"src": str(EXAMPLE_FILES / "x64" / "contoso32.dll"), "arch": "x64"},
                              {"src": str(EXAMPLE_FILES / "contoso.chm")}],
    "message_service_properties": {"PR_SERVICE_DLL_NAME": "contoso.dll", "PR_SERVICE_ENTRY_NAME": "ServiceEntry"},
    "message_service_registry": [{"path": "HKLM:\\SOFTWARE\\Contoso\\Connector", "name": "Server",
                                  "data": "mail.contoso.com", "secret": False}],
}
DLL = "C:\\Program Files\\CONTOSO\\contoso32.dll"
# host: (make_machine options, role variables over SERVICE, the field the refusal names)
HOSTS = {
    "dotdot_file": ({}, {"message_service_state": "absent",
                         "message_service_files": [{"src": str(EXAMPLE_FILES / "contoso.chm"), "name": ".."}]},
                    "message_service_files[0].name"),
    "dotdot_delete": ({}, {"message_service_state": "absent",
                           "message_service_properties": {"PR_SERVICE_DELETE_FILES": ["contoso.log", ".."]}},
                      "message_service_properties.PR_SERVICE_DELETE_FILES"),
    "system_folder": ({}, {"message_service_state": "absent",
                           "message_service_properties": {"PR_SERVICE_DELETE_FILES": ["C:\\Windows"]}},
                      "message_service_properties.PR_SERVICE_DELETE_FILES"),
    "whole_software": ({}, {"message_service_state": "absent",
                            "message_service_registry": [{"path": "HKLM:\\SOFTWARE"}]},
                       "message_service_registry[0].path"),
    "hkcu": ({}, {"message_service_registry": [{"path": "HKCU:\\Software\\Contoso", "name": "X", "data": "1"}]},
             "message_service_registry[0].path"),
    "public_prf": ({"users": ["alice:without-profile"]},
                   {"message_service_profile": {"prf_path": "C:\\Users\\Public\\contoso.prf"}},
                   "message_service_profile.prf_path"),
    "outlook_running": ({"outlook_running": True}, {}, "Outlook"),
    "dll_loaded": ({"loaded_files": [DLL]}, {}, "message_service_files"),
}


def build_fleet(tmp_path):
    roots, hosts = {}, {}
    for name, (options, variables, _field) in HOSTS.items():
        roots[name] = tmp_path / "machines" / name
        make_machine.make_machine(str(roots[name]), office="msi64", mapisvc=str(ROOT / "demo" / "MAPISVC.INF"),
                                  **options)
        hosts[name] = dict(SERVICE, simulated_windows_root=str(roots[name]), **variables)
    # The service as installed earlier, with its DLL now loaded by a running process.
    dll = roots["dll_loaded"] / "drive" / "C" / "Program Files" / "CONTOSO" / "contoso32.dll"
    dll.parent.mkdir(parents=True)
    dll.write_bytes(b"an older contoso32.dll\r\n")
    roots["secret"] = tmp_path / "machines" / "secret"
    make_machine.make_machine(str(roots["secret"]), office="msi64", mapisvc=str(ROOT / "demo" / "MAPISVC.INF"))
    hosts["secret"] = dict(SERVICE, simulated_windows_root=str(roots["secret"]), message_service_registry=[
        {"path": "HKLM:\\SOFTWARE\\Contoso\\Connector", "name": "Password", "data": SECRET}])
    inventory = tmp_path / "inventory.json"
    inventory.write_text(json.dumps({"all": {"vars": make_machine.SIMULATED_HOST_VARS, "hosts": hosts}}))
    playbook = tmp_path / "service.yml"
    playbook.write_text("- hosts: all\n  gather_facts: false\n  roles:\n    - role: mapi.messaging.message_service\n")
    return inventory, playbook, roots


def test_hostile_settings_stop_each_host_before_any_change_and_secrets_stay_hidden(tmp_path):
    inventory, playbook, roots = build_fleet(tmp_path)
    before = {name: tree(root) for name, root in roots.items()}
    proc, recap = run(tmp_path, playbook, inventory, "--diff", "-v")
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    for name, (_options, _variables, field) in HOSTS.items():
        assert recap[name]["failed"] == 1 and recap[name]["changed"] == 0, (name, recap[name], output[-3000:])
        assert tree(roots[name]) == before[name], name
        failure = [line for line in output.splitlines() if line.startswith("fatal: [%s]" % name)]
        assert len(failure) == 1 and "nothing was changed on this host" in failure[0], (name, failure)
        assert (field + ": ") in failure[0], (name, failure[0][:600])
        assert "Traceback" not in failure[0]
    # The one well-formed host installed, and its registry data never showed.
    assert recap["secret"]["failed"] == 0 and recap["secret"]["changed"] > 0, output[-3000:]
    assert SECRET not in output
    registry = json.loads((roots["secret"] / "registry.json").read_text())
    connector = registry["keys"]["HKEY_LOCAL_MACHINE"]["keys"]["SOFTWARE"]["keys"]["Contoso"]["keys"]["Connector"]
    assert connector["values"]["Password"]["data"] == SECRET
