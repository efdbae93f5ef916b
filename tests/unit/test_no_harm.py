# -*- coding: utf-8 -*-
"""Do no harm: a declaration changes only what the service owns, byte for byte.

What the service owns is decided from the declaration and the file *before* the run:
- its own section (every copy), unless another service lists it or it is MAPI's own;
- the provider and linked sections it declares (also with ``state: absent``) and the ones
  its section lists in the file, except those another service lists, other services' own
  sections and MAPI's global sections ([Services], [Default Services], [Help File Mappings]);
- in the global sections, the entries whose key is the service's name.
"Another service" is any MAPI may find by name: a key of any [Services] copy, even one the
API's listing hides, and any section carrying Providers= or Sections=; what it uses is its
section and the sections its Providers= and Sections= name.

Everything else must keep its bytes: every other section's header and its lines up to its
last entry (comments between entries included), in the same order, and every comment
outside the owned sections, in order. Two differences carry no meaning and are allowed: blank
lines between sections (one separates a section appended at the end, and goes with it), and
a line ending given to the file's last line when something is appended after it. A global
section may be created to hold only the service's own entry.

The only other acceptable outcome is a refusal (DeclarationError or IniError) that names
one of the declared names another service or MAPI owns, with the document untouched.
"""

from __future__ import annotations

import collections

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.mapi.messaging.plugins.plugin_utils import declaration, ini, plan, properties
from ansible_collections.mapi.messaging.plugins.plugin_utils.ini import fold
from strategies import files_with_declarations, shared_files_with_declarations

# About 5 s; the fast tier (hypothesis profile check) runs 10 examples.
NO_HARM = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

GLOBALS = {fold(name) for name in declaration.GLOBAL_SECTIONS}
ANY_EOL = "<none yet>"  # the file's unterminated last line may gain a line ending


# -- what the service owns ------------------------------------------------------------------

def listed_by(doc, service):
    """Folded names of the sections a service's Providers= and Sections= name."""
    names = set()
    for key in declaration.LIST_KEYS:
        text = doc.get(service, key)
        if text:
            names |= {fold(item) for item in properties.SECTION_LIST.names(text)}
    return names


def other_services(doc, service):
    """Every other service MAPI may find: a key of any [Services] copy (also one the API's
    listing hides behind a line without '=', an empty key or a second copy) and any section
    that carries Providers= or Sections=."""
    names = [line.name for section in doc.copies(declaration.SERVICES) for line in section.entries() if line.name]
    names += [name for name in doc.section_names()
              if fold(name) not in GLOBALS and any(doc.get(name, key) is not None for key in declaration.LIST_KEYS)]
    return [name for name in ini.unique(names) if fold(name) != fold(service)]


def foreign_sections(doc, service):
    """Folded names of sections the declared service must not write: MAPI's global sections,
    other services' own sections and every section they list."""
    foreign = set(GLOBALS)
    for other in other_services(doc, service):
        foreign |= {fold(other)} | listed_by(doc, other)
    return foreign


def declared_names(args):
    return [args["service"]] + [item["name"] for key in ("providers", "sections") for item in args.get(key) or []]


def owned_sections(doc, args):
    """Folded names of the sections the declaration may change (see the module docstring)."""
    service = args["service"]
    mine = {fold(name) for name in declared_names(args)} | listed_by(doc, service)
    return mine - foreign_sections(doc, service)


# -- what must keep its bytes ---------------------------------------------------------------

class Outside:
    """The parts of a document outside what the service owns."""

    def __init__(self, doc, owned, service):
        self.bodies = []  # (folded name or None, [line keys]) per section not owned, file order
        self.comments = []  # comment lines outside owned sections' bodies
        self.all_comments = collections.Counter()
        last = _last_line(doc)
        for section in doc.sections:
            name = None if section.header is None else fold(section.name)
            lines = section.lines
            end = _body_end(lines, name, service)
            if name not in owned:
                body = [_key(section.header, last)] if section.header is not None else []
                body += [_key(line, last) for line in lines[:end] if not _own_global_entry(line, name, service)]
                self.bodies.append((name, body))
            for i, line in enumerate(lines):
                if line.kind == "comment":
                    self.all_comments[line.text] += 1
                    if name not in owned or i >= end:
                        self.comments.append(_key(line, last))


def _own_global_entry(line, section, service):
    return section in GLOBALS and line.kind == "entry" and fold(line.name) == fold(service)


def _body_end(lines, section, service):
    """Index after the section's last entry that is not the service's own global entry."""
    end = 0
    for i, line in enumerate(lines):
        if line.kind == "entry" and not _own_global_entry(line, section, service):
            end = i + 1
    return end


def _last_line(doc):
    for section in reversed(doc.sections):
        if section.lines:
            return section.lines[-1]
        if section.header is not None:
            return section.header
    return None


def _key(line, last):
    return line.text, (ANY_EOL if line is last and not line.eol else line.eol)


def _same(before, after):
    return before[0] == after[0] and (before[1] == after[1] or before[1] is ANY_EOL)


def _same_list(before, after):
    return len(before) == len(after) and all(_same(b, a) for b, a in zip(before, after))


def _is_subsequence(needles, haystack):
    rest = iter(haystack)
    return all(any(_same(needle, line) for line in rest) for needle in needles)


def harm(data, written, owned, service):
    """How ``written`` differs from ``data`` outside what the service owns ([] if it does not)."""
    before, after = ini.parse(data), ini.parse(written)
    problems = []
    if (after.encoding, after.bom) != (before.encoding, before.bom):
        problems.append("the encoding changed: %s -> %s" % (before.encoding, after.encoding))
    old, new = Outside(before, owned, service), Outside(after, owned, service)
    existed = {name for name, dummy in old.bodies}
    # A global section created for the service's own entry holds nothing else.
    new_bodies = [(name, body) for name, body in new.bodies
                  if not (name in GLOBALS and name not in existed and len(body) == 1)]
    if [name for name, dummy in old.bodies] != [name for name, dummy in new_bodies]:
        problems.append("sections not owned, in order: %r -> %r"
                        % ([name for name, dummy in old.bodies], [name for name, dummy in new_bodies]))
    else:
        for (name, was), (dummy, now) in zip(old.bodies, new_bodies):
            if not _same_list(was, now):
                problems.append("[%s] changed: %r -> %r" % (name, was, now))
    if not _is_subsequence(old.comments, new.comments):
        problems.append("comments outside the owned sections were lost or reordered: %r -> %r"
                        % (old.comments, new.comments))
    if new.all_comments - old.all_comments:
        problems.append("comments appeared: %r" % list(new.all_comments - old.all_comments))
    return problems


# -- the invariant --------------------------------------------------------------------------

def check_no_harm(data, args):
    """Apply ``args`` to ``data`` and prove no harm was done; the refusal's message when the
    declaration was refused (so a test can tell which rule refused it), else None."""
    doc = ini.parse(data)
    owned = owned_sections(doc, args)
    foreign = foreign_sections(doc, args["service"])
    reaching = [name for name in declared_names(args) if fold(name) in foreign]
    try:
        service = declaration.from_args(args, doc.can_encode)
        plan.apply(doc, [service], state=args.get("state", "present"), purge=args.get("purge", False))
    except (declaration.DeclarationError, ini.IniError) as e:
        assert doc.render() == data, "refused (%s) after changing the document" % e
        assert reaching, "refused although every declared name is the service's own: %s" % e
        assert any(fold(name) in fold(str(e)) for name in reaching), \
            "the refusal does not name the section another service or MAPI owns (%s): %s" % (reaching, e)
        return str(e)
    problems = harm(data, doc.render(), owned, args["service"])
    assert not problems, "\n".join(["owned: %s" % sorted(owned), "after: %r" % doc.render()] + problems)
    return None


def with_state(case_and_choice):
    (data, args), state, purge = case_and_choice
    args = dict(args, state=state, purge=purge)
    return data, args


# The generic messy files too: keys and sections named like the declaration's, no other services.
CASES = st.one_of(shared_files_with_declarations(),
                  st.tuples(files_with_declarations(), st.sampled_from(["present", "absent"]),
                            st.booleans()).map(with_state))


@NO_HARM
@given(CASES)
def test_a_declaration_changes_nothing_outside_what_the_service_owns(case):
    check_no_harm(*case)


# -- the checker itself: it must see harm where there is harm ---------------------------------

SHARED = (b"[Services]\r\nA=A\r\nB=B\r\n\r\n; the A service\r\n[A]\r\nProviders=A_P, SHARED\r\n\r\n"
          b"[B]\r\nProviders=SHARED\r\n\r\n[A_P]\r\nPR_PROVIDER_DLL_NAME=a.dll\r\nX=1\r\n\r\n"
          b"[SHARED]\r\nPR_PROVIDER_DLL_NAME=shared.dll\r\nX=2\r\nY=3")
# Complete providers, so the provider rule (PR_PROVIDER_DLL_NAME) passes and each test below is
# decided by the ownership rule it is about.
A_P = {"name": "A_P", "properties": {"PR_PROVIDER_DLL_NAME": "a.dll"}}


def test_the_checker_sees_a_changed_key_in_a_section_another_service_lists():
    doc = ini.parse(SHARED)
    owned = owned_sections(doc, {"service": "A"})
    assert owned == {"A", "A_P"}
    doc.set("SHARED", "X", "changed")
    assert harm(SHARED, doc.render(), owned, "A")


def test_the_checker_sees_another_services_global_entry_go():
    doc = ini.parse(SHARED)
    doc.delete("Services", "B")
    assert harm(SHARED, doc.render(), owned_sections(doc, {"service": "A"}), "A")


def test_the_checker_sees_a_lost_comment_before_another_section():
    data = SHARED.replace(b"\r\n[B]", b"\r\n; B follows\r\n[B]")
    doc = ini.parse(data)
    owned = owned_sections(doc, {"service": "A"})
    doc.sections[2].lines = [line for line in doc.sections[2].lines if line.kind != "comment"]
    assert harm(data, doc.render(), owned, "A")


def test_the_checker_allows_the_services_own_changes():
    doc = ini.parse(SHARED)
    owned = owned_sections(doc, {"service": "A"})
    doc.set("Services", "A", "renamed")
    doc.set("Default Services", "A", "renamed")
    doc.set("A_P", "X", "changed")
    doc.remove_section("A")
    assert harm(SHARED, doc.render(), owned, "A") == []


def test_a_provider_another_service_lists_is_never_written():
    args = {"service": "A", "display_name": "A", "purge": True,
            "providers": [A_P, {"name": "SHARED", "properties": {"PR_PROVIDER_DLL_NAME": "shared.dll", "X": "mine"}}]}
    refusal = check_no_harm(SHARED, args)
    assert "[SHARED] is shared with service B (both list it), and setting X would change" in refusal


def test_purge_never_removes_keys_of_a_section_another_service_lists():
    args = {"service": "A", "display_name": "A", "purge": True,
            "providers": [A_P, {"name": "SHARED", "properties": {"PR_PROVIDER_DLL_NAME": "shared.dll", "X": "2"}}]}
    assert check_no_harm(SHARED, args) is None  # applied (A_P's X purged), and [SHARED] kept its Y


def test_another_services_own_section_is_never_written():
    args = {"service": "A", "display_name": "A",
            "providers": [A_P], "sections": [{"name": "b", "properties": {"UID": "01"}}]}
    refusal = check_no_harm(SHARED, args)
    assert "[b] is the section of service B, which this service does not own" in refusal


def test_a_global_section_is_never_a_provider():
    args = {"service": "A", "display_name": "A", "purge": True,
            "providers": [{"name": "Default Services",
                           "properties": {"PR_PROVIDER_DLL_NAME": "a.dll", "PR_PROVIDER_DISPLAY": "x"}}]}
    refusal = check_no_harm(SHARED, args)
    assert "'Default Services' is one of MAPISVC.INF's own sections" in refusal


def test_removing_a_service_keeps_what_another_service_lists():
    check_no_harm(SHARED, {"service": "A", "state": "absent"})


def test_a_service_named_like_a_section_another_service_lists_is_never_created():
    data = b"[Services]\r\nMSPST MS=\r\n[MSPST MS]\r\nPR_SERVICE_DLL_NAME=MSPST MS.dll\r\nProviders=0,MSEMS\r\n"
    check_no_harm(data, {"service": "MSEMS", "display_name": "Contoso Connector", "default_service": True})


def test_a_missing_section_both_services_list_is_not_created_for_one_of_them():
    data = (b"[Services]\r\nMSPST AB=\r\nMSEMS=\r\n[MSPST AB]\r\nSections=CONTOSO\r\n"
            b"[MSEMS]\r\nSections=CONTOSO\r\n")
    refusal = check_no_harm(data, {"service": "MSEMS", "display_name": "Contoso Connector",
                                   "providers": [{"name": "CONTOSO", "properties": {"PR_PROVIDER_DLL_NAME": "contoso.dll"}}]})
    assert "[CONTOSO] is shared with service MSPST AB (both list it), and creating it would change" in refusal
