# -*- coding: utf-8 -*-
"""Properties of the pure core on messy generated files (no Windows, no Wine needed)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.mapi.messaging.plugins.plugin_utils import declaration, ini, properties
from expected import apply_or_reject, declared_values
from strategies import files, files_with_declarations

# About 10 s per test: generating a file with a declaration dominates the time.
QUICK = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def apply(data, args, state="present", purge=False):
    """Parse, apply one declared service, and return (document, plan, service)."""
    doc = ini.parse(data)
    service = declaration.from_args(args, doc.can_encode)
    return doc, apply_or_reject(doc, [service], state=state, purge=purge), service


def everything_readable(doc):
    """{(fold(section), fold(key)): value} for every name written anywhere in the file,
    including keys that only an invisible copy has (they must stay unreadable)."""
    values = {}
    for section in doc.sections:
        if section.header is None or not section.name:
            continue
        for line in section.entries():
            values[(ini.fold(section.name), ini.fold(line.name))] = doc.get(section.name, line.name)
    return values


def sections_of(doc, service_name):
    """Names (folded) of the service section and the sections its Providers=/Sections= list."""
    names = {ini.fold(service_name)}
    for key in declaration.LIST_KEYS:
        text = doc.get(service_name, key) or ""
        names |= {ini.fold(item.strip(ini.BLANKS)) for item in text.split(",") if item.strip(ini.BLANKS)}
    return names


@settings(QUICK, max_examples=300)
@given(files())
def test_parse_then_render_gives_back_the_same_bytes(data):
    assert ini.parse(data).render() == data


@QUICK
@given(files_with_declarations(), st.booleans())
def test_applying_twice_is_the_same_as_applying_once(case, purge):
    data, args = case
    doc, dummy, dummy = apply(data, args, purge=purge)
    once = doc.render()
    again, second, dummy = apply(once, args, purge=purge)
    assert second.changes == []
    assert again.render() == once


def assert_unchanged_outside(before, written, sections, service):
    """Every value ``before`` held reads the same in ``written``, except in ``sections``
    (folded names) and the service's own entries in the global sections."""
    own_globals = {(ini.fold(s), ini.fold(service.name)) for s in declaration.GLOBAL_SECTIONS}
    for (section, key), value in before.items():
        if section in sections or (section, key) in own_globals:
            continue
        assert written.get(section, key) == value, (section, key)


@QUICK
@given(files_with_declarations())
def test_declared_values_read_back_and_other_values_are_kept(case):
    data, args = case
    before = everything_readable(ini.parse(data))
    doc, dummy, service = apply(data, args)
    written = ini.parse(doc.render())
    declared = declared_values(service)
    for (section, key), want in declared.items():
        assert properties.same(key, written.get(section, key), want), (section, key)
    owned = {(ini.fold(section), ini.fold(key)) for section, key in declared}
    for (section, key), value in before.items():
        if (section, key) not in owned:
            assert written.get(section, key) == value, (section, key)


@QUICK
@given(files_with_declarations())
def test_purge_keeps_values_outside_the_service_and_its_sections(case):
    data, args = case
    original = ini.parse(data)
    before = everything_readable(original)
    doc, dummy, service = apply(data, args, purge=True)
    written = ini.parse(doc.render())
    touched = sections_of(original, service.name) | {ini.fold(s.name) for s in service.linked()}
    assert_unchanged_outside(before, written, touched, service)


@QUICK
@given(files_with_declarations())
def test_absent_after_present_keeps_the_other_services_values(case):
    data, args = case
    original = ini.parse(data)
    present, dummy, service = apply(data, args)
    doc, dummy, dummy = apply(present.render(), dict(args, state="absent"), state="absent")
    written = ini.parse(doc.render())
    # What the service owns: its own section, every section it lists or declares, and its
    # entries in the global sections. Everything else must read as in the original file.
    touched = sections_of(original, service.name) | sections_of(present, service.name) | \
        {ini.fold(s.name) for s in service.linked()}
    assert_unchanged_outside(everything_readable(original), written, touched, service)
    assert written.get(declaration.SERVICES, service.name) is None
    assert written.section(service.name) is None


def test_a_retired_section_another_service_lists_is_kept_with_one_warning():
    data = (b"[Services]\r\nA=A\r\nB=B\r\n\r\n[A]\r\nProviders=A_P,SHARED\r\n\r\n[B]\r\nProviders=SHARED\r\n\r\n"
            b"[A_P]\r\nX=1\r\n\r\n[SHARED]\r\nX=2\r\n")
    args = {"service": "A", "display_name": "A",
            "providers": [{"name": "A_P", "properties": {"PR_PROVIDER_DLL_NAME": "a.dll"}},
                          {"name": "SHARED", "state": "absent", "properties": {}}]}
    for purge in (False, True):
        doc, result, dummy = apply(data, args, purge=purge)
        assert result.warnings == ["[SHARED] was kept: service B also references it"], purge
        assert doc.get("A", "Providers") == "A_P" and doc.get("SHARED", "X") == "2"


def test_a_property_is_found_by_its_name_or_its_tag_in_any_case():
    for spelled in ("PR_SERVICE_DLL_NAME", "pr_service_dll_name", "3D0A001E", "3d0a001e"):
        entries = [("Other", "x"), (spelled, "contoso.dll")]
        assert properties.find(entries, "PR_SERVICE_DLL_NAME") == "contoso.dll", spelled
        assert properties.find(entries, "3D0A001E") == "contoso.dll", spelled
    assert properties.find([("PR_SERVICE_DLL_NAME", "a.dll")], "PR_PROVIDER_DLL_NAME") is None
    # A spelling hidden by a line without '=' reads as missing; another spelling still counts.
    assert properties.find([("PR_SERVICE_DLL_NAME", None), ("3d0a001e", "b.dll")], "PR_SERVICE_DLL_NAME") == "b.dll"
    assert properties.find([("Providers", "A_P")], "PROVIDERS") == "A_P"


def test_a_provider_section_is_complete_with_its_dll_and_type_by_name_or_tag():
    assert properties.missing_provider_entries(["PR_PROVIDER_DLL_NAME", "PR_RESOURCE_TYPE"]) == []
    assert properties.missing_provider_entries(["300a001e", "3E030003"]) == []
    assert properties.missing_provider_entries(["PR_RESOURCE_TYPE"]) == [("PR_PROVIDER_DLL_NAME", True)]
    assert properties.missing_provider_entries(["pr_provider_dll_name"]) == [("PR_RESOURCE_TYPE", False)]


def test_hex_values_compare_by_the_windows_case_rule():
    assert properties.same("PR_MDB_PROVIDER", "13dbb0c8aa05101a", "13DBB0C8AA05101A")
    assert properties.same("66090003", "0c000000", "0C000000")
    assert not properties.same("PR_MDB_PROVIDER", "13DB", "13DC")


def test_a_url_carrying_credentials_looks_secret_and_one_without_does_not():
    for text in ("https://user:pass@host.example/share", "http://:token@proxy:8080", "ftp://DOMAIN%5Cuser:p%40ss@files/x"):
        assert properties.looks_secret("PR_URL", text), text
        assert properties.redact("PR_URL", text) == properties.REDACTED
    for text in ("https://host.example/share", "https://user@host.example/", "mailto:user@example.com",
                 "C:\\Program Files\\Contoso\\contoso.dll", "https://host.example/a:b@c"):
        assert not properties.looks_secret("PR_URL", text), text
