# -*- coding: utf-8 -*-
"""plugin_utils/findings.py: services as MAPI reads them, and every finding code.

Each finding test starts from CLEAN, a file with no findings, and breaks one thing, so the
finding it expects can only come from that one thing.
"""

from __future__ import annotations

import pathlib
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ansible_collections.mapi.messaging.plugins.plugin_utils import declaration, findings, ini, plan, properties
from expected import apply_or_reject
from strategies import declarations, files, files_with_declarations

SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "demo" / "MAPISVC.INF"

CLEAN = "\r\n".join([
    "[Services]",
    "CONTOSO=Contoso Connector",
    "MSPST MS=Personal Folders File (.pst)",
    "",
    "[Default Services]",
    "MSPST MS=Personal Folders File (.pst)",
    "",
    "[CONTOSO]",
    "PR_SERVICE_DLL_NAME=C:\\Program Files\\Contoso\\contoso.dll",
    "PR_SERVICE_ENTRY_NAME=ServiceEntry",
    "PR_RESOURCE_FLAGS=SERVICE_SINGLE_COPY | SERVICE_NO_PRIMARY_IDENTITY",
    "Providers=CONTOSO_AB",
    "Sections=CONTOSO_Profile",
    "",
    "[CONTOSO_AB]",
    "PR_PROVIDER_DLL_NAME=C:\\Program Files\\Contoso\\contoso.dll",
    "PR_RESOURCE_TYPE=MAPI_AB_PROVIDER",
    "PR_PROVIDER_DISPLAY=Contoso Directory",
    "",
    "[CONTOSO_Profile]",
    "UID=13DBB0C8AA05101A9BB000AA002FC45A",
    "",
    "[MSPST MS]",
    "Providers=MSPST MSP",
    "PR_SERVICE_DLL_NAME=mspst.dll",
    "",
    "[MSPST MSP]",
    "PR_PROVIDER_DLL_NAME=mspst.dll",
    "PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER",
    "",
])


def report(text, path="MAPISVC.INF", codepage="cp1252"):
    data = text if isinstance(text, bytes) else text.encode("cp1252")
    return findings.report(path, data, codepage)


def codes(result):
    return [(f["severity"], f["code"]) for f in result["findings"]]


def only(result):
    """The one finding a test expects."""
    assert len(result["findings"]) == 1, result["findings"]
    finding = result["findings"][0]
    assert set(finding) == {"severity", "code", "service", "section", "key", "line", "message", "fix"}
    assert "\n" not in finding["message"] and "\n" not in finding["fix"]
    assert finding["message"] and finding["fix"]
    return finding


def line_of(text, wanted, nth=1):
    """1-based number of the nth line equal to ``wanted``."""
    numbers = [i + 1 for i, line in enumerate(text.split("\r\n")) if line == wanted]
    return numbers[nth - 1]


# -- reading ------------------------------------------------------------------------------
def test_clean_file_gives_no_findings_and_every_service():
    result = report(CLEAN)
    assert result["findings"] == []
    assert result["exists"] is True and result["encoding"] == "cp1252"
    contoso, pst = result["services"]
    assert contoso == {
        "name": "CONTOSO",
        "display_name": "Contoso Connector",
        "default": False,
        "section_exists": True,
        "properties": {
            "PR_SERVICE_DLL_NAME": "C:\\Program Files\\Contoso\\contoso.dll",
            "PR_SERVICE_ENTRY_NAME": "ServiceEntry",
            "PR_RESOURCE_FLAGS": "SERVICE_SINGLE_COPY | SERVICE_NO_PRIMARY_IDENTITY",
            "Providers": "CONTOSO_AB",
            "Sections": "CONTOSO_Profile",
        },
        "providers": [{"name": "CONTOSO_AB", "exists": True, "properties": {
            "PR_PROVIDER_DLL_NAME": "C:\\Program Files\\Contoso\\contoso.dll",
            "PR_RESOURCE_TYPE": "MAPI_AB_PROVIDER",
            "PR_PROVIDER_DISPLAY": "Contoso Directory"}}],
        "sections": [{"name": "CONTOSO_Profile", "exists": True,
                      "properties": {"UID": "13DBB0C8AA05101A9BB000AA002FC45A"}}],
    }
    assert pst["name"] == "MSPST MS" and pst["default"] is True
    assert [p["name"] for p in pst["providers"]] == ["MSPST MSP"] and pst["sections"] == []


def test_the_demo_sample_gives_no_findings():
    result = findings.report("demo", SAMPLE.read_bytes())
    assert result["findings"] == []
    assert [s["name"] for s in result["services"]] == ["MSEMS", "MSPST MS", "FABRIKAM"]
    msems = result["services"][0]
    assert [p["name"] for p in msems["providers"]] == ["EMS_DSA", "EMS_MDB_public", "EMS_MDB_private", "EMS_RXP"]
    assert msems["sections"][0]["properties"] == {"UID": "13DBB0C8AA05101A9BB000AA002FC45A"}


def test_values_are_read_as_the_api_reads_them():
    text = CLEAN.replace("PR_SERVICE_ENTRY_NAME=ServiceEntry",
                         'pr_service_entry_name =  "ServiceEntry" \r\nPR_DISPLAY_NAME\r\nPR_DISPLAY_NAME=hidden')
    text = text.replace("[contoso_ab]", "[contoso_ab]").replace("Providers=CONTOSO_AB", "Providers= contoso_ab ")
    result = report(text)
    contoso = result["services"][0]
    assert contoso["properties"]["pr_service_entry_name"] == "ServiceEntry"
    assert "PR_DISPLAY_NAME" not in contoso["properties"]  # hidden by the line without '='
    assert contoso["providers"][0]["name"] == "contoso_ab" and contoso["providers"][0]["exists"] is True
    assert codes(result) == [("warning", "duplicate-key")]


def test_utf16_file_is_read_and_reported_as_utf16():
    result = report(ini.UTF16_BOM + CLEAN.encode("utf-16-le"))
    assert result["encoding"] == "utf-16-le" and result["findings"] == []
    assert [s["name"] for s in result["services"]] == ["CONTOSO", "MSPST MS"]


def test_missing_file_exists_false_with_nothing_else():
    assert findings.report("C:\\nowhere\\MAPISVC.INF", None) == {
        "path": "C:\\nowhere\\MAPISVC.INF", "exists": False, "encoding": None, "services": [], "findings": []}


def test_summary_unions_services_and_counts_findings_by_severity():
    broken = CLEAN.replace("Providers=CONTOSO_AB", "Providers=CONTOSO_AB, GONE")
    files = [report(CLEAN, "a"), report(broken, "b"), findings.report("c", None),
             report("[Services]\r\nmspst ms=x\r\nZETA=z\r\n[ZETA]\r\nProviders=\r\n[mspst ms]\r\n", "d")]
    summary = findings.summary(files)
    assert summary["services"] == ["CONTOSO", "MSPST MS", "ZETA"]
    errors = sum(1 for item in files for f in item["findings"] if f["severity"] == "error")
    warnings = sum(1 for item in files for f in item["findings"] if f["severity"] == "warning")
    assert summary["findings_count"] == {"error": errors, "warning": warnings}
    assert errors >= 1  # GONE


# -- every finding code ---------------------------------------------------------------------
def test_utf8_bom_hides_the_first_section_and_is_an_error():
    result = report(ini.UTF8_BOM + CLEAN.encode("cp1252"))
    assert result["services"] == []  # [Services] is invisible to Windows
    bom = result["findings"][0]
    assert (bom["severity"], bom["code"], bom["section"], bom["line"]) == ("error", "utf8-bom", "Services", 1)
    assert "EF BB BF" in bom["fix"]
    # Without [Services] the service sections are listed by nothing.
    assert codes(result)[1:] == [("warning", "section-without-service")] * 2


def test_utf8_bom_before_a_comment_hides_nothing_and_is_a_warning():
    result = report(ini.UTF8_BOM + ("; header comment\r\n" + CLEAN).encode("cp1252"))
    finding = only(result)
    assert (finding["severity"], finding["code"], finding["section"]) == ("warning", "utf8-bom", None)
    assert [s["name"] for s in result["services"]] == ["CONTOSO", "MSPST MS"]


def test_utf8_bom_makes_a_later_copy_of_the_first_section_the_visible_one():
    text = "[Services]\r\nCONTOSO=Hidden\r\n\r\n" + CLEAN
    result = report(ini.UTF8_BOM + text.encode("cp1252"))
    assert result["services"][0]["display_name"] == "Contoso Connector"
    assert codes(result) == [("error", "utf8-bom")]


def test_duplicate_section_names_the_later_copy():
    text = CLEAN + "[contoso_ab]\r\nPR_PROVIDER_DLL_NAME=other.dll\r\n"
    finding = only(report(text))
    assert (finding["severity"], finding["code"], finding["service"], finding["section"]) == \
        ("warning", "duplicate-section", "CONTOSO", "CONTOSO_AB")
    assert finding["line"] == line_of(text, "[contoso_ab]")
    assert "occurs 2 times" in finding["message"]


def test_duplicate_key_keeps_the_first_value():
    text = CLEAN.replace("PR_RESOURCE_TYPE=MAPI_AB_PROVIDER", "PR_RESOURCE_TYPE=MAPI_AB_PROVIDER\r\n"
                         "pr_resource_type=MAPI_STORE_PROVIDER")
    result = report(text)
    finding = only(result)
    assert (finding["severity"], finding["code"], finding["section"], finding["key"]) == \
        ("warning", "duplicate-key", "CONTOSO_AB", "PR_RESOURCE_TYPE")
    assert finding["line"] == line_of(text, "pr_resource_type=MAPI_STORE_PROVIDER")
    assert result["services"][0]["providers"][0]["properties"]["PR_RESOURCE_TYPE"] == "MAPI_AB_PROVIDER"


def test_duplicate_service_in_services_names_the_service():
    text = CLEAN.replace("CONTOSO=Contoso Connector", "CONTOSO=Contoso Connector\r\nCONTOSO=Contoso 2")
    finding = only(report(text))
    assert (finding["code"], finding["service"], finding["section"]) == ("duplicate-key", "CONTOSO", "Services")


def test_missing_section_for_providers_and_sections():
    text = CLEAN.replace("Providers=CONTOSO_AB", "Providers=CONTOSO_AB, CONTOSO_XP") \
        .replace("Sections=CONTOSO_Profile", "Sections=CONTOSO_Gone")
    result = report(text)
    missing = [f for f in result["findings"] if f["code"] == "missing-section"]
    assert [(f["severity"], f["service"], f["key"]) for f in missing] == \
        [("error", "CONTOSO", "Providers"), ("error", "CONTOSO", "Sections")]
    assert "[CONTOSO_XP]" in missing[0]["message"] and "[CONTOSO_Gone]" in missing[1]["message"]
    # The section left unreferenced is now a plain section without service traits: no finding.
    assert codes(result) == [("error", "missing-section")] * 2
    contoso = result["services"][0]
    assert contoso["providers"][1] == {"name": "CONTOSO_XP", "exists": False, "properties": {}}


def test_service_without_section():
    text = CLEAN.replace("CONTOSO=Contoso Connector", "CONTOSO=Contoso Connector\r\nGHOST=Ghost Service")
    result = report(text)
    finding = only(result)
    assert (finding["severity"], finding["code"], finding["service"], finding["section"], finding["key"]) == \
        ("error", "service-without-section", "GHOST", "Services", "GHOST")
    assert finding["line"] == line_of(text, "GHOST=Ghost Service")
    ghost = result["services"][1]
    assert ghost["section_exists"] is False and ghost["properties"] == {} and ghost["providers"] == []


@pytest.mark.parametrize("trait", ["PR_SERVICE_DLL_NAME=old.dll", "PR_SERVICE_ENTRY_NAME=ServiceEntry",
                                   "Providers=OLD_AB", "3D0A001E=old.dll"])
def test_section_without_service(trait):
    text = CLEAN + "[OLD]\r\n%s\r\n[OLD_AB]\r\nPR_PROVIDER_DLL_NAME=old.dll\r\n" % trait
    found = report(text)["findings"]
    assert (found[0]["severity"], found[0]["code"], found[0]["section"], found[0]["service"]) == \
        ("warning", "section-without-service", "OLD", None)
    # [OLD_AB] is an orphan too, unless the unlisted [OLD] still names it.
    orphan = [] if trait.startswith("Providers=") else [("warning", "provider-without-service", "OLD_AB")]
    assert [(f["severity"], f["code"], f["section"]) for f in found[1:]] == orphan


@pytest.mark.parametrize("section, expected", [
    ("[OLD_XP]\r\nPR_PROVIDER_DLL_NAME=old.dll\r\nPR_RESOURCE_TYPE=MAPI_TRANSPORT_PROVIDER\r\n",
     "PR_PROVIDER_DLL_NAME, PR_RESOURCE_TYPE"),
    ("[OLD_XP]\r\nPR_RESOURCE_TYPE=MAPI_TRANSPORT_PROVIDER\r\n", "PR_RESOURCE_TYPE"),
    ("[OLD_XP]\r\n3e030003=MAPI_TRANSPORT_PROVIDER\r\n", "PR_RESOURCE_TYPE"),
    ("[OLD_XP]\r\n300A001E=old.dll\r\n", "PR_PROVIDER_DLL_NAME"),
    ("[Old_Profile]\r\nUID=13DBB0C8AA05101A9BB000AA002FC45A\r\n", None),
])
def test_provider_without_service(section, expected):
    """A provider section no service lists (what an upgrade that dropped a provider leaves);
    other unlisted sections (profile data, UIDs) are nobody's business here."""
    found = report(CLEAN + section)["findings"]
    if expected is None:
        assert found == []
        return
    finding = only(report(CLEAN + section))
    assert (finding["severity"], finding["code"], finding["section"], finding["service"]) == \
        ("warning", "provider-without-service", "OLD_XP", None)
    assert expected in finding["message"] and "state: absent" in finding["fix"]


def test_provider_sections_with_service_traits_are_not_services():
    # A single-provider service may keep its service data in the provider section.
    text = CLEAN.replace("PR_PROVIDER_DISPLAY=Contoso Directory", "PR_SERVICE_ENTRY_NAME=ServiceEntry")
    assert report(text)["findings"] == []


@pytest.mark.parametrize("value", ["contoso32.dll", "C:\\Program Files\\Contoso\\Contoso32.DLL"])
def test_dll_32_suffix(value):
    text = CLEAN.replace("PR_PROVIDER_DLL_NAME=C:\\Program Files\\Contoso\\contoso.dll", "PR_PROVIDER_DLL_NAME=" + value)
    finding = only(report(text))
    assert (finding["severity"], finding["code"], finding["service"], finding["section"], finding["key"]) == \
        ("error", "dll-32-suffix", "CONTOSO", "CONTOSO_AB", "PR_PROVIDER_DLL_NAME")
    assert "already ends in '32'" in finding["message"]


@pytest.mark.parametrize("value", ["C:\\Program Files\\Contoso 2.0\\contoso.dll", "contoso", "contoso.x.dll"])
def test_dll_path_period(value):
    text = CLEAN.replace("PR_SERVICE_DLL_NAME=C:\\Program Files\\Contoso\\contoso.dll", "PR_SERVICE_DLL_NAME=" + value)
    finding = only(report(text))
    assert (finding["severity"], finding["code"], finding["section"], finding["key"]) == \
        ("error", "dll-path-period", "CONTOSO", "PR_SERVICE_DLL_NAME")


@pytest.mark.parametrize("entry", ["PR_SERVICE_UID=00112233445566778899AABBCCDDEEFF", "3d0c0102=0011"])
def test_service_uid(entry):
    text = CLEAN.replace("PR_SERVICE_ENTRY_NAME=ServiceEntry", "PR_SERVICE_ENTRY_NAME=ServiceEntry\r\n" + entry)
    finding = only(report(text))
    assert (finding["severity"], finding["code"], finding["service"], finding["key"]) == \
        ("error", "service-uid", "CONTOSO", entry.split("=")[0])


@pytest.mark.parametrize("flags", ["SERVICE_PRIMARY_IDENTITY|SERVICE_NO_PRIMARY_IDENTITY",
                                   "service_no_primary_identity | SERVICE_SINGLE_COPY | Service_Primary_Identity"])
def test_primary_identity_conflict(flags):
    text = CLEAN.replace("SERVICE_SINGLE_COPY | SERVICE_NO_PRIMARY_IDENTITY", flags)
    finding = only(report(text))
    assert (finding["severity"], finding["code"], finding["key"]) == \
        ("error", "primary-identity-conflict", "PR_RESOURCE_FLAGS")


@pytest.mark.parametrize("entry, severity", [("PR_PROVIDER_DLL_NAME", "error"), ("PR_RESOURCE_TYPE", "warning")])
def test_provider_missing_entry(entry, severity):
    lines = [line for line in CLEAN.split("\r\n") if not line.startswith(entry + "=MAPI_STORE") and
             not (line.startswith(entry) and "mspst" in line)]
    text = "\r\n".join(lines)
    finding = only(report(text))
    assert (finding["severity"], finding["code"], finding["service"], finding["section"], finding["key"]) == \
        (severity, "provider-missing-entry", "MSPST MS", "MSPST MSP", entry)


def test_provider_entry_hidden_by_a_line_without_equals_is_missing():
    text = CLEAN.replace("[MSPST MSP]\r\n", "[MSPST MSP]\r\nPR_PROVIDER_DLL_NAME\r\n")
    assert codes(report(text)) == [("error", "provider-missing-entry"), ("warning", "duplicate-key")]


def test_provider_entry_by_tag_counts():
    text = CLEAN.replace("PR_PROVIDER_DLL_NAME=mspst.dll", "300a001e=mspst.dll")
    assert report(text)["findings"] == []


def test_provider_entry_after_an_empty_key_name_is_found_by_name():
    # The API does not list keys after "=x", but MAPI asks for its entries by name.
    text = CLEAN.replace("[MSPST MSP]\r\n", "[MSPST MSP]\r\n=x\r\n")
    assert report(text)["findings"] == []


@pytest.mark.parametrize("entries", [
    {}, {"PR_RESOURCE_TYPE": ["MAPI_AB_PROVIDER"]}, {"PR_PROVIDER_DLL_NAME": "contoso.dll"},
    {"300a001e": "contoso.dll"}, {"pr_provider_dll_name": "contoso.dll", "PR_RESOURCE_TYPE": ["MAPI_AB_PROVIDER"]},
    {"PR_PROVIDER_DISPLAY": "Contoso"},
])
def test_a_provider_mapisvc_refuses_is_one_mapisvc_info_reports_as_an_error(entries):
    # One rule (properties.missing_provider_entries): mapisvc refuses a declared provider
    # exactly when mapisvc_info would report the section it writes as an error.
    args = {"service": "CONTOSO", "display_name": "Contoso", "providers": [{"name": "CONTOSO_AB", "properties": entries}]}
    try:
        service = declaration.from_args(args)
    except declaration.DeclarationError as e:
        [problem] = e.problems
        assert problem.startswith("providers[0].properties: has no PR_PROVIDER_DLL_NAME")
        assert "add PR_PROVIDER_DLL_NAME:" in problem
        refused = True
        doc = ini.parse(b"")
        plan.apply(doc, [declaration.from_args(args, partial=True)])
    else:
        refused = False
        doc = ini.parse(b"")
        plan.apply(doc, [service])
    errors = [f["key"] for f in findings.report("x", doc.render())["findings"] if f["severity"] == "error"]
    assert refused is (errors == ["PR_PROVIDER_DLL_NAME"]), errors


def test_a_removal_names_its_providers_without_their_entries():
    service = declaration.from_args({"service": "CONTOSO", "state": "absent", "providers": [{"name": "CONTOSO_AB"}]})
    assert [p.name for p in service.providers] == ["CONTOSO_AB"]


def test_a_fragment_provider_without_its_dll_is_refused_naming_it():
    fragment = ini.parse(b"[Services]\r\nCONTOSO=Contoso\r\n[CONTOSO]\r\nProviders=CONTOSO_AB, CONTOSO_XP\r\n"
                         b"[CONTOSO_AB]\r\nPR_PROVIDER_DLL_NAME=contoso.dll\r\n[CONTOSO_XP]\r\nPR_RESOURCE_TYPE=x\r\n")
    with pytest.raises(declaration.DeclarationError) as raised:
        declaration.from_fragment(fragment)
    assert [p.split(":")[0] for p in raised.value.problems] == ["src [CONTOSO] Providers[1].properties"]


@pytest.mark.parametrize("entry", ["Password=hunter2", "ApiKey=abc", "6600001E=user;pwd=hunter2",
                                   "PR_DISPLAY_NAME=Bearer eyJhbGciOi"])
def test_credential(entry):
    text = CLEAN.replace("UID=13DBB0C8AA05101A9BB000AA002FC45A", "UID=13DBB0C8AA05101A9BB000AA002FC45A\r\n" + entry)
    finding = only(report(text))
    assert (finding["severity"], finding["code"], finding["service"], finding["section"]) == \
        ("error", "credential", "CONTOSO", "CONTOSO_Profile")
    assert entry.split("=", 1)[1] not in finding["message"]  # the secret is not repeated


def test_credentials_appear_nowhere_in_the_result():
    text = CLEAN.replace("UID=13DBB0C8AA05101A9BB000AA002FC45A",
                         "UID=13DBB0C8AA05101A9BB000AA002FC45A\r\nPassword=hunter2\r\nPassword=hunter3")
    text = text.replace("[Services]\r\n", "[Services]\r\nLEAK=Leaky pwd=hunter4\r\n")
    result = report(text)
    assert "hunter" not in repr(result)
    assert {finding["code"] for finding in result["findings"]} >= {"credential", "duplicate-key"}


def test_credential_in_an_invisible_copy_is_still_reported():
    text = CLEAN + "[CONTOSO_Profile]\r\nPassword=hunter2\r\n"
    assert codes(report(text)) == [("warning", "duplicate-section"), ("error", "credential")]


def test_service_names_that_look_like_secrets_are_not_credentials():
    text = CLEAN.replace("CONTOSO", "TOKENSVC")
    assert report(text)["findings"] == []


@pytest.mark.parametrize("data", [b"\xfe\xff\x00[", b"\xff\xfe[\x00S"])
def test_unreadable(data):
    result = report(data)
    finding = only(result)
    assert (finding["severity"], finding["code"]) == ("error", "unreadable")
    assert result["encoding"] is None and result["services"] == []


def test_every_code_is_documented():
    """Every code findings.py can emit is explained in the guide and named in the module's
    documentation (ansible-doc)."""
    root = pathlib.Path(__file__).resolve().parents[2]
    source = (root / "plugins" / "plugin_utils" / "findings.py").read_text()
    emitted = set(re.findall(r"\b(?:ERROR|WARNING|severity),\s*\"([a-z0-9-]+)\"", source))
    assert {"utf8-bom", "provider-without-service", "unreadable", "credential"} <= emitted
    assert len(emitted) == 14, sorted(emitted)
    guide = (root / "docs" / "mapisvc_info.md").read_text()
    module_doc = " ".join((root / "plugins" / "modules" / "mapisvc_info.py").read_text().split())
    for code in emitted:
        assert "`%s`" % code in guide and "### `%s`" % code in guide, code
        assert "C(%s)" % code in module_doc, code


# -- properties on generated files -------------------------------------------------------
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@QUICK
@given(files(), st.booleans())
def test_reading_never_raises_on_messy_files(data, utf8_bom):
    if utf8_bom and not data.startswith(ini.UTF16_BOM):
        data = ini.UTF8_BOM + data
    result = findings.report("x", data)
    doc = ini.parse(data) if not utf8_bom else None
    for finding in result["findings"]:
        assert finding["severity"] in ("error", "warning")
        assert "\n" not in finding["message"] and "\r" not in finding["fix"]
    if doc is not None:
        listed = doc.section("Services")
        assert [s["name"] for s in result["services"]] == (listed.keys() if listed else [])
        for service in result["services"]:
            assert service["display_name"] == doc.get("Services", service["name"])


def complete(args):
    """A declaration mapisvc accepts that also says everything MAPI needs: every provider
    with a DLL and a type, and flags that do not contradict each other."""
    args = dict(args)
    args["providers"] = [dict(item, properties=dict(
        {"PR_PROVIDER_DLL_NAME": "contoso.dll", "PR_RESOURCE_TYPE": "MAPI_AB_PROVIDER"}, **{
            k: v for k, v in item["properties"].items()
            if k.upper() not in ("PR_PROVIDER_DLL_NAME", "PR_RESOURCE_TYPE")}))
        for item in args.get("providers") or [{"name": "CONTOSO_AB", "properties": {}}]]
    args.setdefault("sections", [])
    taken = {args["service"].upper()}
    for item in args["providers"] + args["sections"]:
        assume(item["name"].upper() not in taken)
        taken.add(item["name"].upper())
    return args


@QUICK
@given(files_with_declarations())
def test_every_service_mapisvc_writes_is_reported_back_without_errors(case):
    data, args = case
    args = complete(args)
    doc = ini.parse(data)
    service = declaration.from_args(args, doc.can_encode)
    apply_or_reject(doc, [service], purge=True)
    result = findings.report("x", doc.render())
    [reported] = [s for s in result["services"] if ini.fold(s["name"]) == ini.fold(service.name)]
    # mapisvc quotes what the API would otherwise trim, so every value reads back as declared.
    assert reported["display_name"] == service.display_name
    if service.default_service is not None:
        assert reported["default"] is service.default_service
    for key, text in service.properties.items():
        assert {ini.fold(k): v for k, v in reported["properties"].items()}[ini.fold(key)] == text
    assert [ini.fold(p["name"]) for p in reported["providers"]] == [ini.fold(p.name) for p in service.providers]
    assert all(p["exists"] for p in reported["providers"] + reported["sections"])
    for provider, declared in zip(reported["providers"], service.providers):
        got = {ini.fold(k): v for k, v in provider["properties"].items()}
        assert all(got[ini.fold(k)] == v for k, v in declared.entries.items())
    ours = {ini.fold(name) for name in [service.name] + [s.name for s in service.linked()]}
    # A credential-like line the generated file already had in an invisible copy of one of
    # our sections stays (mapisvc edits only the copy MAPI reads), and is rightly reported.
    had_credentials = {ini.fold(f["section"] or "") for f in findings.report("x", data)["findings"]
                       if f["code"] == "credential"}
    errors = [f for f in result["findings"] if f["severity"] == "error" and (
        ini.fold(f["service"] or "") == ini.fold(service.name) or ini.fold(f["section"] or "") in ours)
        and not (f["code"] == "credential" and ini.fold(f["section"] or "") in had_credentials)]
    assert errors == []


def test_dll_problem_is_what_mapisvc_refuses():
    # findings and mapisvc share one rule: every name findings flags, mapisvc refuses, and back.
    for name in ["contoso.dll", "contoso32.dll", "a.b.dll", "C:\\x.y\\c.dll", "nodot", "C:\\P\\ok.dll"]:
        problem = properties.dll_problem(name)
        try:
            properties.render("PR_SERVICE_DLL_NAME", name)
            refused = False
        except properties.PropertyError:
            refused = True
        assert refused is (problem is not None), name


@settings(max_examples=60, deadline=None)
@given(declarations())
def test_a_file_mapisvc_creates_from_nothing_has_no_errors(args):
    args = complete(args)
    doc = ini.parse(b"")
    plan.apply(doc, [declaration.from_args(args)], purge=True)
    result = findings.report("x", doc.render())
    assert [f for f in result["findings"] if f["severity"] == "error"] == []
