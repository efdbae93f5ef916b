# -*- coding: utf-8 -*-
"""Downloads behind a proxy or with credentials, on simulated Windows workstations (TEST
DOUBLES, tests/windows_double), through real ansible-playbook runs.

A url item's win_get_url options (proxy, authentication, headers, certificate validation)
reach the module as typed options: the double accepts only what the real module documents, so
a misnamed or mistyped option fails there. Their secrets, and a signed URL's query, never show
in the output, not even with -v, in check mode or when preflight refuses an option on a src
item.
"""

from __future__ import annotations

import hashlib
import json

from simulated_fleet import ROOT, make_machine, run, tree

# Each secret below holds this, so one search finds any of them in the output.
SECRET = "s3cret-never-shown"
EXAMPLE_FILES = ROOT / "examples" / "files"
SERVICE = {
    "message_service_name": "CONTOSO",
    "message_service_display_name": "Contoso Connector",
    "message_service_properties": {"PR_SERVICE_DLL_NAME": "contoso.dll", "PR_SERVICE_ENTRY_NAME": "ServiceEntry"},
}
INSTALLED = ("drive", "C", "Program Files", "CONTOSO", "contoso32.dll")


def build(tmp_path):
    """Three hosts: ``download`` fetches the DLL from a signed URL with every kind of option;
    ``misplaced`` gives a password to a controller file (src), which preflight refuses;
    ``gone`` downloads from a signed URL with credentials whose file the server no longer has,
    so the download itself fails."""
    dll = (EXAMPLE_FILES / "x64" / "contoso32.dll").read_bytes()
    served = tmp_path / "server" / "contoso32.dll"
    served.parent.mkdir()
    served.write_bytes(dll)
    download = {
        "url": "%s?sig=%s" % (served.as_uri(), "signature-" + SECRET), "checksum": hashlib.sha256(dll).hexdigest(),
        "url_username": "svc-download", "url_password": "password-" + SECRET, "force_basic_auth": "true",
        "headers": {"Authorization": "Bearer " + SECRET, "X-Client": "mapi.messaging"},
        "validate_certs": "false", "proxy_url": "http://proxy.example.com:8080", "proxy_username": "svc-proxy",
        "proxy_password": "proxy-" + SECRET, "use_proxy": True, "url_timeout": 120, "follow_redirects": "none",
    }
    misplaced = {"src": str(EXAMPLE_FILES / "x64" / "contoso32.dll"), "url_password": SECRET}
    missing = (tmp_path / "server" / "gone" / "contoso32.dll").as_uri()
    gone = {"url": missing.replace("file://", "file://user:%s@" % SECRET, 1) + "?sig=" + SECRET,
            "checksum": hashlib.sha256(dll).hexdigest()}
    roots, hosts = {}, {}
    for name, item in (("download", download), ("misplaced", misplaced), ("gone", gone)):
        roots[name] = tmp_path / "machines" / name
        make_machine.make_machine(str(roots[name]), office="msi64", mapisvc=str(ROOT / "demo" / "MAPISVC.INF"))
        hosts[name] = dict(SERVICE, simulated_windows_root=str(roots[name]), message_service_files=[item])
    inventory = tmp_path / "inventory.json"
    inventory.write_text(json.dumps({"all": {"vars": make_machine.SIMULATED_HOST_VARS, "hosts": hosts}}))
    playbook = tmp_path / "service.yml"
    playbook.write_text("- hosts: all\n  gather_facts: false\n  roles:\n    - role: mapi.messaging.message_service\n")
    return inventory, playbook, roots, dll


def test_a_download_with_proxy_credentials_and_headers_installs_and_no_secret_is_shown(tmp_path):
    inventory, playbook, roots, dll = build(tmp_path)
    before = {name: tree(root) for name, root in roots.items()}

    preview, recap = run(tmp_path, playbook, inventory, "--check", "--diff", "-v")
    output = preview.stdout + preview.stderr
    assert recap["download"]["failed"] == 0, preview.stdout[-4000:]
    assert "would write C:\\\\Program Files\\\\CONTOSO\\\\contoso32.dll" in output, preview.stdout[-4000:]
    assert {name: tree(root) for name, root in roots.items()} == before, "check mode changed a machine"

    proc, recap = run(tmp_path, playbook, inventory, "-v")
    output += proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert recap["download"]["failed"] == 0 and recap["download"]["changed"] > 0, proc.stdout[-4000:]
    assert roots["download"].joinpath(*INSTALLED).read_bytes() == dll
    # A password on a controller file is a mistake preflight names, before any change.
    assert recap["misplaced"]["failed"] == 1
    assert "message_service_files[0].url_password: only a url item is downloaded" in proc.stdout
    assert tree(roots["misplaced"]) == before["misplaced"]
    # A download that fails is reported, with the URL shown without its credentials and query.
    assert recap["gone"]["failed"] == 1
    assert "Download the files - stop on a failed download" in proc.stdout
    assert "downloading %s to C:\\\\Program Files\\\\CONTOSO\\\\contoso32.dll failed" % (
        (tmp_path / "server" / "gone" / "contoso32.dll").as_uri()) in proc.stdout, proc.stdout[-4000:]
    assert SECRET not in output
