# -*- coding: utf-8 -*-
"""Do no harm, as Windows sees it: after any declaration, the profile API (Wine's kernel32
running our tests/oracle/profile_dump.exe) reads every other service exactly as before.

"Other services" are those the API lists in [Services] before the run, except the declared
one. For each the API must read the same before and after: its own section, every section
its Providers= and Sections= name (present or missing), and its entries in [Services],
[Default Services] and [Help File Mappings]: the key listings and lookups of every name the
file holds there, in the file's spelling and in swapped case. A refused declaration changes
nothing (tests/unit/test_no_harm.py checks its bytes) and is not sent to the oracle.

Each example is a batch checked in one Wine run (about 3 s however small), shrinking is off
(as in test_profile_api); a failure names the smallest case that went wrong. A batch stays
small because Hypothesis gives up generating lists of larger files.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, Verbosity, example, given, settings
from hypothesis import strategies as st

from ansible_collections.mapi.messaging.plugins.plugin_utils import declaration, ini, plan, properties
from ansible_collections.mapi.messaging.plugins.plugin_utils.ini import fold
from strategies import shared_files_with_declarations
from test_profile_api import Oracle, answer, normalise, queries_for

BATCH = 6  # declarations per Wine run (each gives two files: before and after)
BATCHES = settings(max_examples=6, deadline=None,
                   phases=[Phase.explicit, Phase.generate], verbosity=Verbosity.quiet,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.large_base_example])
GLOBALS = [fold(name) for name in declaration.GLOBAL_SECTIONS]


@pytest.fixture(scope="module")
def oracle(oracle_exe):
    """Skipped, with the command that runs it, without MAPISVC_ORACLE (tests/differential/conftest.py)."""
    return Oracle(oracle_exe)


def global_queries(doc):
    """Every name any [Services] copy holds, looked up in each global section."""
    names = [line.name for section in doc.copies(declaration.SERVICES) for line in section.entries() if line.name]
    return [(section, name) for section in declaration.GLOBAL_SECTIONS for name in ini.unique(names)]


def applied(data, args):
    """The written bytes, or None when the declaration is refused."""
    doc = ini.parse(data)
    try:
        service = declaration.from_args(args, doc.can_encode)
        plan.apply(doc, [service], state=args["state"], purge=args["purge"])
    except (declaration.DeclarationError, ini.IniError):
        return None
    return doc.render()


class WindowsView:
    """What the API said about one file: its sections (first copy, as read) by folded name."""

    def __init__(self, result):
        self.sections = {fold(name): items for name, items in normalise(result["listing"])}
        self.lookups = result["lookups"]

    def other_services(self, service):
        return [key for key, value in self.sections.get(fold(declaration.SERVICES), ())
                if value is not None and fold(key) != fold(service)]

    def used_by(self, other):
        """Folded names of the other service's section and the sections it lists."""
        used = {fold(other)}
        for key, value in self.sections.get(fold(other), ()):
            if fold(key) in ("PROVIDERS", "SECTIONS") and value:
                used |= {fold(item) for item in properties.SECTION_LIST.names(value)}
        return used

    def global_entries(self, others):
        wanted = {fold(other) for other in others}
        return {section: [(key, value) for key, value in self.sections.get(section, ()) if fold(key) in wanted]
                for section in GLOBALS}


def other_service_problems(service, queries, before_result, after_result):
    before, after = WindowsView(before_result), WindowsView(after_result)
    others = before.other_services(service)
    used = set()
    for other in others:
        used |= before.used_by(other)
    problems = []
    for name in sorted(used):
        if before.sections.get(name) != after.sections.get(name):
            problems.append("[%s] reads %r, was %r" % (name, after.sections.get(name), before.sections.get(name)))
    was, now = before.global_entries(others), after.global_entries(others)
    problems += ["[%s] entries of other services read %r, were %r" % (section, now[section], was[section])
                 for section in GLOBALS if was[section] != now[section]]
    others_folded = {fold(other) for other in others}
    for query, old, new in zip(queries, before.lookups, after.lookups):
        section, key = fold(query[0]), fold(query[1])
        if (section in used or (section in GLOBALS and key in others_folded)) and old != new:
            problems.append("get%r: %r, was %r" % (query, answer(new), answer(old)))
    if list(after.other_services(service)) != others:
        problems.append("[Services] lists %r, listed %r" % (after.other_services(service), others))
    return problems


SHARED = (b"[Services]\r\nA=A\r\nB=B\r\n[A]\r\nProviders=A_P, SHARED\r\n[B]\r\nProviders=SHARED\r\n"
          b"[A_P]\r\nPR_PROVIDER_DLL_NAME=a.dll\r\nX=1\r\n"
          b"[SHARED]\r\nPR_PROVIDER_DLL_NAME=shared.dll\r\nX=2\r\nY=3\r\n")
# A section both services list: B reads its provider the same only if A leaves it alone.
# A changes X there (refused) or declares the value it has (applied; purge must keep Y).
# The providers are complete, so only the ownership rule decides (test below).
SHARED_CASES = [(SHARED, {"service": "A", "display_name": "A", "state": state, "purge": purge,
                          "providers": [{"name": "A_P", "properties": {"PR_PROVIDER_DLL_NAME": "a.dll"}},
                                        {"name": "SHARED", "properties": {"PR_PROVIDER_DLL_NAME": "shared.dll",
                                                                          "X": x}}]})
                for x in ("mine", "2") for state in ("present", "absent") for purge in (False, True)]


def test_the_shared_section_cases_are_refused_only_for_changing_what_b_reads():
    """Without Wine: the explicit cases reach the oracle unless A would change [SHARED], and a
    refused one is refused by the ownership rule, not by another check before it."""
    for data, args in SHARED_CASES:
        changes_shared = args["state"] == "present" and args["providers"][1]["properties"]["X"] != "2"
        if not changes_shared:
            assert applied(data, args) is not None, args
            continue
        doc = ini.parse(data)
        with pytest.raises(declaration.DeclarationError) as refused:
            plan.apply(doc, [declaration.from_args(args, doc.can_encode)], state=args["state"], purge=args["purge"])
        assert "[SHARED] is shared with service B (both list it), and setting X would change" in str(refused.value)


@BATCHES
@example(SHARED_CASES)
@given(st.lists(shared_files_with_declarations(), min_size=BATCH, max_size=BATCH))
def test_windows_reads_every_other_service_as_before(oracle, batch):
    cases = []
    for data, args in batch:
        written = applied(data, args)
        if written is not None:
            doc = ini.parse(data)
            cases.append((data, args, written, queries_for(doc) + global_queries(doc)))
    results = oracle.run([item for data, args, written, queries in cases
                          for item in ((data, queries), (written, queries))])
    failures = []
    for i, (data, args, written, queries) in enumerate(cases):
        problems = other_service_problems(args["service"], queries, results[2 * i], results[2 * i + 1])
        if problems:
            failures.append((len(data), data, args, written, problems))
    if failures:
        dummy, data, args, written, problems = min(failures, key=lambda failure: failure[0])
        pytest.fail("%d of %d declarations changed how Windows reads another service; the smallest:\n"
                    "declaration %r\nbefore %s\nafter  %s\n%s"
                    % (len(failures), len(cases), args, shown(data), shown(written), "\n".join(problems[:10])))


def shown(data):
    """A file for a failure message: its encoding and text (UTF-16 bytes are hard to read)."""
    doc = ini.parse(data)
    return "(%s) %r" % (doc.encoding, doc.text())


def test_the_windows_check_sees_a_changed_provider_of_another_service(oracle):
    data = (b"[Services]\r\nA=A\r\nB=B\r\n[A]\r\nProviders=A_P\r\n[B]\r\nProviders=SHARED\r\n"
            b"[A_P]\r\nX=1\r\n[SHARED]\r\nX=2\r\n")
    written = data.replace(b"X=2", b"X=changed")
    queries = queries_for(ini.parse(data)) + global_queries(ini.parse(data))
    before, after = oracle.run([(data, queries), (written, queries)])
    assert other_service_problems("A", queries, before, before) == []
    assert other_service_problems("A", queries, before, after)
    assert other_service_problems("B", queries, before, after) == []  # SHARED is B's own provider
