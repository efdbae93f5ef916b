# -*- coding: utf-8 -*-
"""Synthetic fleet results for the report at scale (1,000 and 10,000 hosts).

``fleet(n, seed)`` returns what the audit playbook hands ``mapisvc_report``: one record per
host in the shapes ``mapisvc_info`` and the profile census return, with the mix a real fleet
shows: a few common services and a long tail of rare ones, two DLL paths for the same
service (an old install folder), a service missing here and there, warning and error
findings, stragglers whose messages repeat (the same WinRM time-out on dozens of hosts, most
naming the host), and the users' Outlook profiles on most hosts (users whose hive is not
loaded, users without a profile, default profiles with and without the service).

Deterministic for a seed, so a figure a test counts from the records is the same every run.
Used by tests/unit/test_report_scale.py and bench/report_preview.py.
"""

from __future__ import annotations

import random

MSMAPI = "C:\\Program Files\\Common Files\\System\\MSMAPI\\1033\\MAPISVC.INF"
SYSTEM = "C:\\Windows\\System32\\MAPISVC.INF"
CONTOSO_DLL = "C:\\Program Files\\Contoso Ltd\\Contoso Connector for Microsoft Outlook\\x64\\contoso.dll"
OLD_DLL = "C:\\Program Files (x86)\\Contoso Ltd\\Contoso Connector 2019\\contoso.dll"
RARE = ("FABRIKAM", "LITWARE", "TAILSPIN", "WOODGROVE", "NORTHWIND_ARCHIVE", "ADVENTURE_WORKS_FAX",
        "WINGTIP_CRM_CONNECTOR_WITH_A_VERY_LONG_SERVICE_NAME")
DESIRED = {
    "service": "CONTOSO",
    "display_name": "Contoso Connector",
    "properties": {"PR_SERVICE_DLL_NAME": CONTOSO_DLL},
    "providers": [{"name": "CONTOSO_AB", "properties": {"PR_RESOURCE_TYPE": "MAPI_AB_PROVIDER"}}],
}
UNREACHABLE_MESSAGES = (
    "Failed to connect to the host via winrm: HTTPSConnectionPool(host='{host}', port=5986): "
    "Max retries exceeded with url: /wsman (Caused by ConnectTimeoutError: Connection to {host} timed out. "
    "(connect timeout=30))",
    "ntlm: the specified credentials were rejected by the server",
    "Failed to connect to the host via ssh: ssh: connect to host {host} port 22: No route to host",
)
FAILED_MESSAGE = "Access to the path 'C:\\Program Files\\Common Files\\System\\MSMAPI\\1033' is denied."
FINDINGS = (
    ("duplicate-section", "warning", "[CONTOSO] appears twice; Windows reads the first only"),
    ("dll-32-suffix", "error", "PR_SERVICE_DLL_NAME names contoso32.dll; MAPI adds 32 itself"),
    ("utf8-bom", "error", "The file starts with a UTF-8 byte order mark; [Services] is not read"),
    ("missing-provider", "warning", "Providers names CONTOSO_AB, which has no section"),
)


def _service(name, display, dll, default):
    provider = name + "_AB"
    return {
        "name": name, "display_name": display, "default": default, "section_exists": True,
        "properties": {"PR_SERVICE_DLL_NAME": dll, "PR_RESOURCE_FLAGS": "SERVICE_SINGLE_COPY", "Providers": provider},
        "providers": [{"name": provider, "exists": True,
                       "properties": {"PR_RESOURCE_TYPE": "MAPI_AB_PROVIDER", "PR_PROVIDER_DLL_NAME": dll}}],
        "sections": [],
    }


def _census(rng, services):
    """One host's census (the shape census.Census.as_dict returns)."""
    users = []
    for index in range(rng.choice((1, 1, 2, 3, 6))):
        sid = "S-1-5-21-1004336348-1177238915-682003330-%d" % (1100 + index)
        if rng.random() < 0.15:
            users.append({"sid": sid, "inspected": False, "reason": "hive not loaded (the user is not logged on)",
                          "profiles": [], "default_profile": None, "default_services": []})
            continue
        if rng.random() < 0.1:
            users.append({"sid": sid, "inspected": True, "reason": None, "profiles": [], "default_profile": None,
                          "default_services": []})
            continue
        in_default = [name for name in services if rng.random() < 0.6]
        users.append({"sid": sid, "inspected": True, "reason": None, "profiles": ["Outlook", "Archive"],
                      "default_profile": "Outlook", "default_services": ["MSEMS"] + in_default})
    return {"users": users, "errors": []}


def fleet(n: int, seed: int = 11, malformed_profiles: int = 1) -> dict:
    """``n`` host records keyed by host name (ws00001 ...). ``malformed_profiles`` hosts carry
    a census of the wrong shape (a user without ``inspected``)."""
    rng = random.Random(seed)
    records = {}
    for number in range(1, n + 1):
        host = "ws%05d" % number
        roll = rng.random()
        if roll < 0.05:
            message = UNREACHABLE_MESSAGES[0 if rng.random() < 0.8 else rng.randrange(1, len(UNREACHABLE_MESSAGES))]
            records[host] = {"status": "unreachable", "message": message.format(host=host)}
            continue
        if roll < 0.06:
            records[host] = {"status": "failed", "task": "Read every MAPISVC.INF", "message": FAILED_MESSAGE}
            continue
        if roll < 0.07:
            records[host] = {"status": "ok", "files": [
                {"path": MSMAPI, "exists": False, "encoding": None, "services": [], "findings": []}]}
            continue
        services = [_service("MSEMS", "Microsoft Exchange", "C:\\Program Files\\Microsoft Office\\root\\Office16\\emsmdb32.dll",
                             default=True)]
        if rng.random() < 0.9:
            services.append(_service("CONTOSO", "Contoso Connector", CONTOSO_DLL if rng.random() < 0.93 else OLD_DLL,
                                     default=rng.random() < 0.5))
        for name in RARE:
            if rng.random() < 0.03:
                services.append(_service(name, name.title(), "C:\\Program Files\\%s\\%s.dll" % (name, name.lower()),
                                         default=False))
        findings = []
        for code, severity, message in FINDINGS:
            if rng.random() < (0.02 if severity == "error" else 0.06):
                findings.append({"severity": severity, "code": code, "service": "CONTOSO", "section": "CONTOSO",
                                 "key": None, "message": message, "fix": "Correct the file with mapi.messaging.mapisvc"})
        record = {"status": "ok", "files": [
            {"path": MSMAPI, "exists": True, "encoding": "cp1252", "services": services, "findings": findings},
            {"path": SYSTEM, "exists": False, "encoding": None, "services": [], "findings": []}]}
        if rng.random() < 0.85:
            record["profiles"] = _census(rng, [s["name"] for s in services if s["name"] != "MSEMS"])
        records[host] = record
    malformed = [host for host, record in records.items() if "profiles" in record][:malformed_profiles]
    for host in malformed:
        del records[host]["profiles"]["users"][0]["inspected"]
    return records
