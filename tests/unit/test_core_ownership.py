# -*- coding: utf-8 -*-
"""A declaration writes only what its service owns, and never shows a credential.

The pure core (declaration.py, plan.py, properties.py) on hand-written files: each test names
the rule it proves and feeds it the hostile value a careless or unlucky user would.
"""

from __future__ import annotations

import pytest

from ansible_collections.mapi.messaging.plugins.plugin_utils import declaration, ini, plan, properties

# Exchange's service, with a provider section a second vendor's service also lists, and a fax
# vendor's service: the neighbours every declaration below must leave alone.
NEIGHBOURS = (
    "[Services]\r\nMSEMS=Microsoft Exchange Server\r\nFAX=Fax Mail Transport\r\n"
    "PARTNER=Partner Connector\r\n\r\n"
    "[Default Services]\r\nMSEMS=Microsoft Exchange Server\r\n\r\n"
    "[MSEMS]\r\nPR_SERVICE_DLL_NAME=emsui.dll\r\nProviders=EMS_DSA, EMS_MDB_public\r\n"
    "Sections=MSEMS_Profile\r\n\r\n"
    "[EMS_DSA]\r\nPR_PROVIDER_DLL_NAME=emsabp.dll\r\nPR_RESOURCE_TYPE=MAPI_AB_PROVIDER\r\n\r\n"
    "[EMS_MDB_public]\r\nPR_PROVIDER_DLL_NAME=emsmdb.dll\r\n\r\n"
    "[MSEMS_Profile]\r\nUID=13DBB0C8AA05101A9BB000AA002FC45A\r\n\r\n"
    "[FAX]\r\nPR_SERVICE_DLL_NAME=faxui.dll\r\nProviders=FAX_XP\r\n\r\n"
    "[FAX_XP]\r\nPR_PROVIDER_DLL_NAME=faxxp.dll\r\n\r\n"
    "[PARTNER]\r\nPR_SERVICE_DLL_NAME=partner.dll\r\nProviders=SHARED_AB\r\n\r\n"
    "[SHARED_AB]\r\nPR_PROVIDER_DLL_NAME=shared.dll\r\nPARTNER_KEY=kept\r\n"
).encode("cp1252")

PROVIDER = {"name": "CONTOSO_AB", "properties": {"PR_PROVIDER_DLL_NAME": "contoso.dll"}}


def declare(**args):
    args.setdefault("service", "CONTOSO")
    args.setdefault("display_name", "Contoso Connector")
    args.setdefault("providers", [PROVIDER])
    return declaration.from_args(args)


def apply(data, services, state="present", purge=False):
    doc = ini.parse(data)
    applied = plan.apply(doc, services, state, purge)
    return doc, applied


def refused(data, services, state="present", purge=False):
    doc = ini.parse(data)
    with pytest.raises(declaration.DeclarationError) as raised:
        plan.apply(doc, services, state, purge)
    assert doc.render() == data, "a refused declaration must leave the document as it was"
    return raised.value.problems


@pytest.mark.parametrize("name", ["Services", "default services", " Help File Mappings"[1:]])
@pytest.mark.parametrize("field", ["service", "providers", "sections"])
def test_mapis_own_sections_are_refused_as_any_name(name, field):
    args = {"service": "CONTOSO", "display_name": "Contoso", "providers": [PROVIDER]}
    if field == "service":
        args["service"] = name
    else:
        args[field] = [{"name": name, "properties": {"UID": "00"}}]
    with pytest.raises(declaration.DeclarationError) as raised:
        declaration.from_args(args)
    assert any("one of MAPISVC.INF's own sections" in problem and problem.startswith(field)
               for problem in raised.value.problems)


@pytest.mark.parametrize("state", ["present", "absent"])
@pytest.mark.parametrize("name, said", [
    ("MSEMS", "the section of service MSEMS"),
    ("msems", "the section of service MSEMS"),
    ("EMS_DSA", "listed by service MSEMS"),
    ("ems_mdb_PUBLIC", "listed by service MSEMS"),
    ("MSEMS_Profile", "listed by service MSEMS"),
])
def test_another_services_section_is_refused_as_provider_before_any_edit(name, said, state):
    services = [declare(providers=[{"name": name, "properties": {"PR_PROVIDER_DLL_NAME": "contoso.dll"}}])]
    problems = refused(NEIGHBOURS, services, state)
    assert len(problems) == 1
    assert ("[%s] is %s, which this service does not own" % (name, said)) in problems[0]


def test_another_services_section_is_refused_as_linked_or_retired_section():
    services = [declare(sections=[{"name": "FAX_XP", "properties": {"UID": "00"}}])]
    assert "listed by service FAX" in refused(NEIGHBOURS, services)[0]
    services = [declare(providers=[PROVIDER, {"name": "FAX", "state": "absent"}])]
    assert "the section of service FAX" in refused(NEIGHBOURS, services, purge=True)[0]


def test_a_service_named_like_another_services_provider_is_refused():
    problems = refused(NEIGHBOURS, [declare(service="FAX_XP")])
    assert "the service section [FAX_XP] is listed by service FAX" in problems[0]


def test_fragment_services_are_held_to_the_same_rule():
    fragment = ini.parse(
        b"[Services]\r\nCONTOSO=Contoso\r\n[CONTOSO]\r\nProviders=EMS_DSA\r\n"
        b"[EMS_DSA]\r\nPR_PROVIDER_DLL_NAME=contoso.dll\r\n")
    problems = refused(NEIGHBOURS, declaration.from_fragment(fragment))
    assert "[EMS_DSA] is listed by service MSEMS" in problems[0]


def test_fragment_services_may_not_list_each_others_service_section():
    fragment = ini.parse(
        b"[Services]\r\nA=A\r\nB=B\r\n[A]\r\nProviders=B\r\n[B]\r\nProviders=B_AB\r\n"
        b"[B_AB]\r\nPR_PROVIDER_DLL_NAME=b.dll\r\n")
    with pytest.raises(declaration.DeclarationError) as raised:
        declaration.from_fragment(fragment)
    assert raised.value.problems == [
        "src [A] Providers=: names [B], the section of another service of the fragment; give the "
        "section its own name"]


def test_fragment_services_line_without_equals_is_a_clear_problem():
    # The line without '=' comes first, so Windows reads no value for CONTOSO.
    fragment = ini.parse(b"[Services]\r\nCONTOSO\r\nCONTOSO=Contoso\r\n[CONTOSO]\r\nProviders=X\r\n[X]\r\nPR_PROVIDER_DLL_NAME=x.dll\r\n")
    with pytest.raises(declaration.DeclarationError) as raised:
        declaration.from_fragment(fragment)
    assert "has no '='" in raised.value.problems[0]


def test_a_section_both_services_list_is_kept_as_it_is_never_changed_purged_or_removed():
    # PARTNER already lists SHARED_AB; CONTOSO listed it too in an earlier run.
    data = NEIGHBOURS + b"\r\n[CONTOSO]\r\nProviders=SHARED_AB\r\n"
    same = [declare(providers=[{"name": "SHARED_AB", "properties": {"PR_PROVIDER_DLL_NAME": "shared.dll"}}])]
    doc, applied = apply(data, same, purge=True)
    assert doc.get("SHARED_AB", "PARTNER_KEY") == "kept"
    assert any("also listed by service PARTNER" in warning for warning in applied.warnings)
    doc, applied = apply(doc.render(), same, state="absent")
    assert doc.section("SHARED_AB") is not None
    assert doc.get("PARTNER", "Providers") == "SHARED_AB"


@pytest.mark.parametrize("properties, change", [
    ({"PR_PROVIDER_DLL_NAME": "contoso.dll"}, "setting PR_PROVIDER_DLL_NAME"),
    ({"PR_PROVIDER_DLL_NAME": "shared.dll", "PR_DISPLAY_NAME": "Contoso"}, "setting PR_DISPLAY_NAME"),
])
def test_a_change_to_a_section_both_services_list_is_refused(properties, change):
    data = NEIGHBOURS + b"\r\n[CONTOSO]\r\nProviders=SHARED_AB\r\n"
    problems = refused(data, [declare(providers=[{"name": "SHARED_AB", "properties": properties}])])
    assert problems == [
        "CONTOSO: the provider or linked section [SHARED_AB] is shared with service PARTNER (both list it), and "
        "%s would change what PARTNER reads too; declare the values the file already has, or give this "
        "service a section of its own (nothing was changed)" % change]


def test_a_missing_section_both_services_list_is_not_created():
    data = NEIGHBOURS.replace(b"Providers=SHARED_AB", b"Providers=GONE") + b"\r\n[CONTOSO]\r\nProviders=GONE\r\n"
    problems = refused(data, [declare(providers=[{"name": "GONE", "properties": {"PR_PROVIDER_DLL_NAME": "contoso.dll"}}])])
    assert "and creating it would change what PARTNER reads too" in problems[0]


def test_other_services_are_byte_identical_after_install_purge_and_removal():
    services = [declare(default_service=True, sections=[{"name": "CONTOSO_Profile", "properties": {"UID": "AA"}}])]
    installed, dummy = apply(NEIGHBOURS, services, purge=True)
    removed, dummy = apply(installed.render(), services, state="absent")
    assert removed.render() == NEIGHBOURS


def test_name_and_tag_of_one_property_are_refused_as_given_twice():
    with pytest.raises(declaration.DeclarationError) as raised:
        declare(properties={"PR_SERVICE_DLL_NAME": "contoso.dll", "3d0a001e": "other.dll"})
    assert raised.value.problems == [
        "properties.3d0a001e: given twice (also as PR_SERVICE_DLL_NAME; names are case-insensitive and a "
        "property's name and its tag are the same property); keep one"]


def test_a_tag_spelling_in_the_file_gives_way_to_the_declared_name():
    data = NEIGHBOURS + b"\r\n[CONTOSO]\r\n3D0A001E=old.dll\r\nProviders=CONTOSO_AB\r\n"
    doc, applied = apply(data, [declare(properties={"PR_SERVICE_DLL_NAME": "contoso.dll"})])
    section = doc.section("CONTOSO")
    assert [line.name for line in section.entries()] == ["Providers", "PR_SERVICE_DLL_NAME"]
    assert plan.apply(ini.parse(doc.render()), [declare(properties={"PR_SERVICE_DLL_NAME": "contoso.dll"})]).changes == []


@pytest.mark.parametrize("key", ["PR_SERVICE_DLL_NAME\n", "PR_X\nEVIL", "3D0A001E\n", "A\r"])
def test_a_property_name_with_a_line_break_is_refused(key):
    with pytest.raises(declaration.DeclarationError) as raised:
        declare(properties={key: "x"})
    assert raised.value.problems[0].startswith("properties.%s: " % key)


def test_purged_credentials_never_show_in_changes_or_diff_text():
    data = NEIGHBOURS + (b"\r\n[CONTOSO]\r\nProviders=CONTOSO_AB\r\nPR_PASSWORD=hunter2\r\n"
                         b"Connect=server=x;pwd=hunter2\r\n")
    doc, applied = apply(data, [declare(properties={})], purge=True)
    shown = repr([change.as_dict() for change in applied.changes])
    assert "hunter2" not in shown
    assert properties.REDACTED in shown
    assert "hunter2" not in properties.redact_text(data.decode("cp1252"))
    assert "Connect=%s\r\n" % properties.REDACTED in properties.redact_text(data.decode("cp1252"))


def test_redaction_keeps_ordinary_lines_exactly():
    text = NEIGHBOURS.decode("cp1252")
    assert properties.redact_text(text) == text


@pytest.mark.parametrize("hidden", [
    "[Services]\r\n=oops\r\nMSEMS_X=Exchange\r\n",        # after an empty key: not listed by the API
    "[Services]\r\nMSEMS_X\r\nOther=Other\r\n",            # a line without '='
    "[Services]\r\nOther=Other\r\n[Services]\r\nMSEMS_X=Exchange\r\n",  # a second, invisible copy
    "[Services]\r\nOther=Other\r\n",                       # no [Services] line at all
])
def test_a_service_the_api_listing_hides_still_owns_its_sections(hidden):
    data = (hidden + "[MSEMS_X]\r\nProviders=MSEMS_MP\r\n[MSEMS_MP]\r\nPR_PROVIDER_DLL_NAME=emsmdb.dll\r\n").encode()
    provider = {"name": "MSEMS_MP", "properties": {"PR_PROVIDER_DLL_NAME": "x.dll"}}
    assert "[MSEMS_MP] is listed by service MSEMS_X" in refused(data, [declare(providers=[provider])], purge=True)[0]
    assert "[MSEMS_MP] is listed by service MSEMS_X" in refused(data, [declare(service="MSEMS_MP")], purge=True)[0]


def test_a_name_equal_only_when_letters_beyond_ascii_are_folded_is_refused():
    data = b"[Services]\r\nCONTOSO_IMAP=Other vendor\r\n[CONTOSO_IMAP]\r\nProviders=IMAP_AB\r\n"
    problems = refused(data, [declare(service="contoso_\u0131map")], purge=True)
    assert "[contoso_\u0131map] differs from [CONTOSO_IMAP] in the file only in the case of letters beyond ASCII" \
        in problems[0]


@pytest.mark.parametrize("properties", [
    {"ServerPassword": "hunter2\u0436"},                   # not in the code page
    {"ConnectString": "Server=x;Password=hunter2\u0436"},
    {"66000102": "Password=hunter2"},                      # not hex
    {"6600101E": ["pwd=hunter2,b"]},                       # a comma in a list item
])
def test_a_refused_credential_is_not_quoted_in_the_problem(properties):
    with pytest.raises(declaration.DeclarationError) as raised:
        declaration.from_args({"service": "CONTOSO", "display_name": "Contoso", "providers": [PROVIDER],
                               "properties": properties, "allow_secrets": True},
                              lambda text: text.isascii())
    assert raised.value.problems and "hunter2" not in repr(raised.value.problems)
