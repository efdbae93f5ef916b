# -*- coding: utf-8 -*-
"""Bad input through ansible-playbook: a clear error naming the field, and the file untouched.

All cases run as tasks of one playbook (ignore_errors), so Ansible starts once; each case is
then checked as its own test.
"""

import pytest

from playbook_run import run_playbook
from test_mapisvc_playbooks import SAMPLE, contoso

DLL = "C:\\Program Files\\Contoso\\contoso.dll"


def provider(name, **props):
    """A provider complete but for what a case overrides, so the case fails for its own reason
    rather than for the missing DLL every provider needs."""
    return {"name": name, "properties": dict({"PR_PROVIDER_DLL_NAME": DLL}, **props)}


def section(name, **props):
    return {"name": name, "properties": props}


# case id: (option overrides for the Contoso declaration, text the error must contain)
CASES = {
    "unknown_state": ({"state": "installed"}, "state"),
    "seven_digit_tag": ({"properties": {"6604003": "x"}}, "properties.6604003"),
    "nine_digit_tag": ({"properties": {"660400003": "x"}}, "has 9 hex digits"),
    "property_name_with_blank": ({"properties": {"PR DISPLAY": "x"}}, "neither a property name"),
    "value_with_line_feed": ({"properties": {"PR_DISPLAY_NAME": "a\nb"}}, "properties.PR_DISPLAY_NAME"),
    "value_with_carriage_return": ({"display_name": "Contoso\rX"}, "display_name"),
    "value_with_nul": ({"properties": {"PR_DISPLAY_NAME": "a\x00b"}}, "NUL"),
    "service_name_with_bracket": ({"service": "CON]TOSO"}, "service: the service name"),
    "provider_name_with_comma": ({"providers": [provider("A,B")]}, "providers[0].name"),
    "provider_name_with_equals": ({"providers": [provider("A=B")]}, "'='"),
    "section_name_with_line_break": ({"sections": [section("A\nB")]}, "sections[0].name"),
    "provider_name_with_outer_blank": ({"providers": [provider(" CONTOSO_AB")]}, "blanks at its start or end"),
    "duplicate_provider_names": ({"providers": [provider("CONTOSO_AB"), provider("contoso_ab")]},
                                 "providers[1].name"),
    "retired_provider_with_properties": (
        {"providers": [provider("CONTOSO_AB"), dict(provider("CONTOSO_MS", PR_DISPLAY_NAME="x"), state="absent")]},
        "providers[1].properties: not used with state: absent"),
    "every_provider_retired": ({"providers": [{"name": "CONTOSO_AB", "state": "absent"}]},
                               "a service needs at least one provider"),
    "int_for_string_property": ({"properties": {"PR_DISPLAY_NAME": 5}}, "only written for PT_LONG"),
    "int_for_flags": ({"properties": {"PR_RESOURCE_FLAGS": 2}}, "give the flag names as a list"),
    "contradicting_identity_flags": (
        {"properties": {"PR_RESOURCE_FLAGS": ["SERVICE_PRIMARY_IDENTITY", "SERVICE_NO_PRIMARY_IDENTITY"]}},
        "PR_RESOURCE_FLAGS: sets both SERVICE_PRIMARY_IDENTITY and SERVICE_NO_PRIMARY_IDENTITY"),
    "int_outside_32_bits": ({"properties": {"66040003": 4294967296}}, "does not fit in 32 bits"),
    "dll_with_32_suffix": ({"properties": {"PR_SERVICE_DLL_NAME": "contoso32.dll"}}, "write 'contoso.dll'"),
    "provider_without_dll": ({"providers": [section("CONTOSO_AB", PR_RESOURCE_TYPE="MAPI_AB_PROVIDER")]},
                             "providers[0].properties: has no PR_PROVIDER_DLL_NAME"),
    "dll_path_with_another_period": (
        {"providers": [provider("CONTOSO_AB", PR_PROVIDER_DLL_NAME="C:\\Contoso.Inc\\contoso.dll")]},
        "providers[0].properties.PR_PROVIDER_DLL_NAME"),
    "character_outside_the_code_page": ({"display_name": "Contoso \u2713"}, "encoding cannot hold"),
    "service_uid": ({"properties": {"PR_SERVICE_UID": "00"}}, "MAPI computes PR_SERVICE_UID"),
    "secret_in_name": ({"properties": {"ContosoPassword": "hunter2"}}, "allow_secrets"),
    "secret_in_value": ({"sections": [section("CONTOSO_Conn", ConnectString="server=x;pwd=hunter2")]},
                        "sections[0].properties.ConnectString"),
    "providers_as_property": ({"properties": {"Providers": "X"}}, "declare the providers there"),
    "missing_display_name": ({"display_name": None}, "display_name: required"),
    "bad_codepage": ({"codepage": "cp99999"}, "codepage"),
    "codepage_rot13": ({"codepage": "rot13"}, "codepage: 'rot13' is not an ANSI code page"),
    "codepage_base64": ({"codepage": "base64"}, "codepage: 'base64' is not an ANSI code page"),
    "codepage_utf16": ({"codepage": "utf-16-le"}, "codepage: 'utf-16-le' is not an ANSI code page"),
    "src_with_service": ({"src": "tailspin-mapisvc.inf"}, "mutually exclusive"),
    # Sections the service does not own: MAPI's own, another service's, one another service lists.
    "provider_named_like_mapis_section": ({"providers": [provider("Default Services")]},
                                          "providers[0].name: 'Default Services' is one of MAPISVC.INF's own"),
    "provider_named_like_another_service": ({"providers": [provider("MSEMS")]},
                                            "[MSEMS] is the section of service MSEMS"),
    "provider_another_service_lists": ({"providers": [provider("ems_dsa")]},
                                       "[ems_dsa] is listed by service MSEMS"),
    "retired_section_another_service_lists": (
        {"sections": [{"name": "MSEMS_MSMail_Section", "state": "absent"}], "purge": True},
        "[MSEMS_MSMail_Section] is listed by service MSEMS"),
    "service_named_like_another_services_provider": ({"service": "FABRIKAM_XP"},
                                                     "[FABRIKAM_XP] is listed by service FABRIKAM"),
    "removal_of_another_services_provider": ({"state": "absent", "providers": [provider("MSPST MSP")]},
                                             "[MSPST MSP] is listed by service MSPST MS"),
    "property_by_name_and_by_tag": ({"properties": {"PR_SERVICE_DLL_NAME": DLL, "3D0A001E": DLL}},
                                    "properties.3D0A001E: given twice"),
    "property_name_ending_in_line_feed": ({"properties": {"PR_SERVICE_ENTRY_NAME\n": "x"}},
                                          "properties.PR_SERVICE_ENTRY_NAME\n"),
}


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("bad-input")
    inf = tmp_path / "MAPISVC.INF"
    inf.write_bytes(SAMPLE.read_bytes())
    tasks = []
    for case, (overrides, expected) in CASES.items():
        assert expected, case
        task = contoso(inf, **overrides)
        args = task["mapi.messaging.mapisvc"]
        for key in [k for k, v in args.items() if v is None]:
            del args[key]
        task.update(name=case, ignore_errors=True)
        tasks.append(task)
    rc, results = run_playbook(tmp_path, tasks)
    return inf, dict(zip(CASES, results))


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_fails_with_the_field_and_leaves_the_file(outcome, case):
    inf, results = outcome
    result = results[case]
    assert result.get("failed") is True, result
    assert CASES[case][1] in result["msg"], result["msg"]
    if case != "provider_without_dll":  # each other case fails for its own reason alone
        assert "has no PR_PROVIDER_DLL_NAME" not in result["msg"], result["msg"]
    assert inf.read_bytes() == SAMPLE.read_bytes()


def test_all_problems_are_reported_together(tmp_path):
    inf = tmp_path / "MAPISVC.INF"
    inf.write_bytes(SAMPLE.read_bytes())
    task = contoso(inf, properties={"6604003": "x", "PR_SERVICE_UID": "00", "PR_SERVICE_DLL_NAME": "x32.dll"})
    rc, results = run_playbook(tmp_path, [task])
    assert rc != 0
    problems = results[0]["problems"]
    assert [p.split(":")[0] for p in problems] == [
        "properties.6604003", "properties.PR_SERVICE_UID", "properties.PR_SERVICE_DLL_NAME"]
    assert "3 problem(s)" in results[0]["msg"] and "was not touched" in results[0]["msg"]


def test_allow_secrets_is_the_documented_escape_hatch(tmp_path):
    inf = tmp_path / "MAPISVC.INF"
    inf.write_bytes(SAMPLE.read_bytes())
    task = contoso(inf, allow_secrets=True,
                   sections=[{"name": "CONTOSO_Profile", "properties": {"TokenCacheFolder": "%LOCALAPPDATA%\\Contoso"}}])
    rc, results = run_playbook(tmp_path, [task])
    assert rc == 0 and results[0]["changed"] is True
    assert b"TokenCacheFolder=%LOCALAPPDATA%\\Contoso" in inf.read_bytes()


@pytest.mark.parametrize("content, expected", [
    (b"\xef\xbb\xbf[Services]\r\nMSEMS=Microsoft Exchange Server\r\n", "UTF-8 byte order mark"),
    (b"\xff\xfe[\x00S", "odd number of bytes"),
])
def test_file_windows_cannot_read_safely_is_refused_untouched(tmp_path, content, expected):
    inf = tmp_path / "MAPISVC.INF"
    inf.write_bytes(content)
    rc, results = run_playbook(tmp_path, [contoso(inf)])
    assert rc != 0 and expected in results[0]["msg"] and str(inf) in results[0]["msg"]
    assert inf.read_bytes() == content


@pytest.mark.parametrize("kind", ["folder", "fifo", "oversized"])
def test_src_that_is_not_a_fragment_file_is_refused_without_hanging(tmp_path, kind):
    import os
    files = tmp_path / "files"  # where the playbook looks for src, made here: copying a FIFO would block
    files.mkdir()
    src = files / "vendor.inf"
    if kind == "folder":
        src.mkdir()
    elif kind == "fifo":
        os.mkfifo(src)  # no writer: reading it would block forever
    else:
        with open(src, "wb") as handle:
            handle.truncate(65 * 1024 * 1024)  # sparse: above the size cap without using the disk
    inf = tmp_path / "MAPISVC.INF"
    inf.write_bytes(SAMPLE.read_bytes())
    rc, results = run_playbook(tmp_path, [{"mapi.messaging.mapisvc": {"path": str(inf), "src": "vendor.inf"}}])
    assert rc != 0
    assert results[0]["msg"].startswith("src: vendor.inf "), results[0]["msg"]
    assert {"folder": "is a folder", "fifo": "not a regular file", "oversized": "bytes"}[kind] in results[0]["msg"]
    assert inf.read_bytes() == SAMPLE.read_bytes()


def test_a_directory_is_not_a_file(tmp_path):
    rc, results = run_playbook(tmp_path, [contoso(tmp_path)])
    assert rc != 0 and "is a directory" in results[0]["msg"] and results[0]["msg"].startswith("path:")


def test_missing_file_without_create_names_the_option(tmp_path):
    missing = tmp_path / "nowhere" / "MAPISVC.INF"
    rc, results = run_playbook(tmp_path, [contoso(missing)])
    assert rc != 0 and "does not exist" in results[0]["msg"] and "create: true" in results[0]["msg"]
    assert not missing.exists()


def test_src_fragment_problems_name_the_fragment(tmp_path):
    files = tmp_path / "src"
    files.mkdir()
    (files / "broken.inf").write_bytes(b"[Services]\r\nBROKEN=Broken\r\n[BROKEN]\r\nProviders=NOWHERE\r\n"
                                       b"PR_SERVICE_DLL_NAME=broken32.dll\r\n")
    inf = tmp_path / "MAPISVC.INF"
    inf.write_bytes(SAMPLE.read_bytes())
    task = {"mapi.messaging.mapisvc": {"path": str(inf), "src": "broken.inf"}}
    rc, results = run_playbook(tmp_path, [task], files_dir=files)
    assert rc != 0
    problems = results[0]["problems"]
    assert any("[NOWHERE]" in p for p in problems) and any("broken32.dll" in p for p in problems)
    assert inf.read_bytes() == SAMPLE.read_bytes()
