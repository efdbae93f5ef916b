# -*- coding: utf-8 -*-
"""Differential tests: our parser and writer against Windows' profile API itself.

The oracle is tests/oracle/profile_dump.c built for Windows and run under Wine, whose
kernel32 profile code is tested against Windows. Each hypothesis example is a batch of files
checked in one Wine invocation, because starting Wine costs far more than reading a file.
Shrinking is off (it would start Wine hundreds of times); instead a failure names the
smallest file of the batch that went wrong, with the queries and both answers.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile

import pytest
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st

from ansible_collections.mapi.messaging.plugins.plugin_utils import declaration, ini, properties
from expected import apply_or_reject, declared_values
from strategies import files, files_with_declarations

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORK = ROOT / ".tmp" / "differential"
MISSING = "\x01"  # the oracle's answer when the API finds no value
BATCH = 40

# Quiet: hypothesis would print all files of the batch; the failure names the one that matters.
BATCHES = settings(max_examples=10, deadline=None, phases=[Phase.explicit, Phase.generate],
                   verbosity=Verbosity.quiet,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.large_base_example])


class Oracle:
    """Runs profile_dump.exe under Wine on many files at once."""

    def __init__(self, exe):
        self.exe = exe
        self.env = dict(os.environ, WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml=",
                        WINEPREFIX=os.environ.get("MAPISVC_WINEPREFIX", str(ROOT / ".tmp" / "wineprefix")))

    def run(self, items, locale=None):
        """items: [(file bytes, [(section, key)])] -> [{"listing": ..., "lookups": [...]}].
        ``locale`` (a Unix locale such as el_GR.UTF-8) sets Wine's ANSI code page; each
        locale gets its own Wine prefix, since a prefix keeps the code page it started with."""
        env = self.env
        if locale:
            env = dict(env, LC_ALL=locale, LANG=locale, WINEPREFIX="%s-%s" % (env["WINEPREFIX"], locale))
        WORK.mkdir(parents=True, exist_ok=True)
        folder = pathlib.Path(tempfile.mkdtemp(dir=WORK))
        paths = []
        for i, (data, queries) in enumerate(items):
            path = folder / ("%d.ini" % i)
            path.write_bytes(data)
            lines = ["%s\t%s\n" % query for query in queries]
            (folder / ("%d.ini.queries" % i)).write_bytes("".join(lines).encode("utf-8"))
            paths.append("Z:" + str(path).replace("/", "\\"))
        done = subprocess.run(["wine", str(self.exe)] + paths, env=env, capture_output=True, timeout=600,
                              check=False)
        # split on "\n" only: splitlines() would also split inside values holding U+0085 or U+2028
        results = [json.loads(line) for line in done.stdout.decode("utf-8").split("\n") if line.strip()]
        if done.returncode != 0 or len(results) != len(items):
            pytest.fail("the oracle answered %d of %d files (exit %d): %s"
                        % (len(results), len(items), done.returncode, done.stderr.decode("utf-8", "replace")[-2000:]))
        shutil.rmtree(folder)
        return results


@pytest.fixture(scope="session")
def oracle(oracle_exe):
    """The oracle; tests/differential/conftest.py says how it is found or why it is skipped."""
    return Oracle(oracle_exe)


# -- comparing ------------------------------------------------------------------------------

def valid(text):
    """What the core hands out for the API's string: unpaired surrogates as U+FFFD."""
    return re.sub("[\ud800-\udfff]", "\ufffd", text)


def normalise(listing):
    """The oracle's listing with duplicates resolved as Document.listing() does: first
    spelling of each section and key, missing values as None."""
    seen, result = set(), []
    listing = [(valid(section), [(valid(key), valid(value)) for key, value in keys]) for section, keys in listing]
    for section, keys in listing:
        if ini.fold(section) in seen:
            continue
        seen.add(ini.fold(section))
        known, items = set(), []
        for key, value in keys:
            if ini.fold(key) not in known:
                known.add(ini.fold(key))
                items.append((key, None if value == MISSING else value))
        result.append((section, items))
    return result


def answer(value):
    return None if value == MISSING else valid(value)


def swapcase_ascii(name):
    return "".join(c.swapcase() if c.isascii() else c for c in name)


def names_in(doc):
    """{section: [key names]} for every header and every entry line, including later copies
    of a section and keys hidden by duplicates, which lookups must not find."""
    found = {}
    for section in doc.sections:
        if section.header is None or not section.name:
            continue
        keys = found.setdefault(section.name, [])
        keys += [line.name for line in section.entries() if line.name]
    return found


def queries_for(doc):
    """Lookups as programs make them: every name as written, in other case, and missing.
    A section name ending in a blank (only a NUL after the blank makes one) is left out: no
    lookup through the API reaches it, while the core finds it by its exact name."""
    queries = []
    for section, keys in names_in(doc).items():
        if section != section.strip(ini.BLANKS):
            continue
        for key in keys + ["NoSuchKey"]:
            queries += [(section, key), (swapcase_ascii(section), swapcase_ascii(key))]
        queries += [("NoSuchSection", key) for key in keys]
    return queries


def blank_queries_for(doc):
    """The same names with blanks around them (no tab before the query file's separator)."""
    return [(" \v" + section + "\x1a ", "\f" + key + " \t")
            for section, keys in names_in(doc).items() for key in keys]


def mismatches(data, queries, result, codepage="cp1252"):
    """What our parser says differently from the API about one file."""
    doc = ini.parse(data, codepage)
    problems = []
    expected = normalise(result["listing"])
    if doc.listing() != expected:
        problems.append("listing: ours %r, API %r" % (doc.listing(), expected))
    for query, got in zip(queries, result["lookups"]):
        if doc.get(*query) != answer(got):
            problems.append("get%r: ours %r, API %r" % (query, doc.get(*query), answer(got)))
    return problems


def check_batch(oracle, datas, make_queries):
    items = [(data, make_queries(ini.parse(data))) for data in datas]
    failures = []
    for (data, queries), result in zip(items, oracle.run(items)):
        problems = mismatches(data, queries, result)
        if problems:
            failures.append((len(data), data, problems))
    if failures:
        dummy, data, problems = min(failures, key=lambda failure: failure[0])
        pytest.fail("%d of %d files read differently; the smallest:\n%r\n%s"
                    % (len(failures), len(items), data, "\n".join(problems[:10])))


# -- reading --------------------------------------------------------------------------------

@BATCHES
@given(st.lists(files(), min_size=BATCH, max_size=BATCH))
def test_listing_and_lookups_match_the_api(oracle, batch):
    check_batch(oracle, batch, queries_for)


@settings(BATCHES, max_examples=3)
@given(st.lists(files(), min_size=BATCH, max_size=BATCH))
def test_lookups_with_blanks_around_names_match_the_api(oracle, batch):
    check_batch(oracle, batch, blank_queries_for)


def _utf16(text):
    return ini.UTF16_BOM + text.encode("utf-16-le", "surrogatepass")


# Facts established against the API, kept as fixed cases so they are checked on every run.
KNOWN_CASES = [
    # blanks are space, \t, \r, \n, \v, \f and Ctrl-Z, nothing else
    b"[S]\r\n\x1a\v\fk\x1a \t=\f v \x1a\v\r\n",
    _utf16("[S]\r\nk\u00a0=v1\r\n\u001ck=v2\r\nk\u0085=v3\r\nk=\u00a0v4\u00a0\r\n"),
    b"[a]b]\r\nk=1\r\n[ Spaced ]\r\nk=2\r\n[S] trailing ; text\r\nk=3\r\n",
    b"[S]\r\na=1\r\n=5\r\nb=2\r\n",  # an empty key name ends the key listing
    b"[S]\r\nk\r\nK=2\r\nother=3\r\n",  # a line without '=' hides later keys of that name
    b"[Caf\xe9]\r\n\xe9=\x80 \xfc\xdf\r\n",  # ANSI is cp1252
    _utf16("[Caf\u00e9]\r\nk=\u0142\u03a9\u4e2d\r\n"),
    b"[S]\r\nk=1\r\nK=2\r\n[s]\r\nk=3\r\nx=4\r\n",  # the first section and the first key win
    b"[S]\r\na=\"\"\r\nb=\"\r\nc='x'\r\nd=\" a \"\r\ne='x\"\r\nf=\"a\" \"b\"\r\n",
    b"[S]\rk=cr\r[T]\nk=lf\n[U]\r\nk=crlf\r\n\r\n\n\r[V]\nk=last",
    b"[abc\r\n[S]\r\n[abc=1\r\n#k=2\r\n# x\r\n;c=3\r\n",
    b"k=before any section\r\n[]\r\nk=empty name\r\n[S]\r\nk=1\r\n",
    b"",
    # bytes cp1252 leaves undefined read as the C1 controls of the same number
    b"[S]\r\nk=" + bytes(range(0x80, 0x100)) + b"\r\n\x81\x8d=\x8f\x90\x9d\r\n",
    # a NUL ends a name or value (after trimming): [ab\0c] is a section named "ab"
    _utf16("[ab\x00c]\r\nk=1\r\n[ab]\r\nk=2\r\n[X\x00Y]\r\nk=1\r\n[X]\r\nk=2\r\n[Y]\r\nk=3\r\n"),
    _utf16("[ab \x00c]\r\nk=1\r\n[ \x00x]\r\nk=2\r\n[S]\r\nk= a \x00b\r\nq=\"a\x00b\"\r\n r \x00 z=5\r\n\x00=6\r\nafter=7\r\n"),
    # characters beyond the BMP have no case: two sections, two keys
    _utf16("[\U00010400]\r\nk=1\r\n[\U00010428]\r\nk=2\r\n[S]\r\n\U00010428=x\r\n\U00010400=y\r\n"),
]


def test_known_cases_read_as_the_api_reads_them(oracle):
    check_batch(oracle, KNOWN_CASES, queries_for)


def test_unpaired_surrogates_are_listed_as_the_api_lists_them_with_replacement_characters(oracle):
    # The API keeps them; the core hands them out as U+FFFD (valid Unicode), so only the
    # listing is compared: a lookup for a U+FFFD name would find nothing in the API.
    data = _utf16("[S\ud800]\r\nk=\udc00x\r\n[T]\r\n\udbff=1\r\nv=\ud83d\r\n")
    check_batch(oracle, [data], lambda doc: [])
    assert ini.parse(data).render() == data


def test_a_utf16_file_without_byte_order_mark_reads_as_nothing_and_is_refused(oracle):
    data = "[Services]\r\nMSEMS=Microsoft Exchange\r\n".encode("utf-16-le")
    assert oracle.run([(data, [("Services", "MSEMS")])])[0] == {"listing": [], "lookups": [MISSING]}
    with pytest.raises(ini.IniError, match="UTF-16 saved without the mark"):
        ini.parse(data)


# Unix locales whose Wine ANSI code page is the one named.
LOCALES = [("cp1250", "pl_PL.UTF-8"), ("cp1251", "ru_RU.UTF-8"), ("cp1253", "el_GR.UTF-8"),
           ("cp1254", "tr_TR.UTF-8"), ("cp1255", "he_IL.UTF-8"), ("cp1256", "ar_SA.UTF-8"),
           ("cp1257", "lt_LT.UTF-8"), ("cp1258", "vi_VN.UTF-8"), ("cp874", "th_TH.UTF-8")]


@pytest.mark.parametrize("codepage, locale", LOCALES)
def test_every_upper_byte_decodes_as_the_api_decodes_it(oracle, codepage, locale):
    data = b"[S]\r\nk=" + bytes(range(0x80, 0x100)) + b"\r\n"
    result = oracle.run([(data, [("S", "k")])], locale=locale)[0]
    assert ini.parse(data, codepage).get("S", "k") == answer(result["lookups"][0])


def test_utf8_bom_is_refused():
    # Wine reads a UTF-8 BOM file, Windows does not (its first line is garbage there), so
    # this is checked without the oracle.
    with pytest.raises(ini.IniError, match="UTF-8 byte order mark"):
        ini.parse(ini.UTF8_BOM + b"[Services]\r\nMSEMS=Microsoft Exchange\r\n")


# -- writing --------------------------------------------------------------------------------

def folded(pair):
    return ini.fold(pair[0]), ini.fold(pair[1])


def write_batch(batch):
    """Apply each declaration to its file: [(original, written, queries, declared)]."""
    cases = []
    for data, args in batch:
        doc = ini.parse(data)
        service = declaration.from_args(args, doc.can_encode)
        apply_or_reject(doc, [service])
        declared = declared_values(service)
        cases.append((data, doc.render(), queries_for(ini.parse(data)) + list(declared), declared))
    return cases


def check_written(oracle, batch, check):
    """Run the oracle on every original and written file; ``check`` lists the problems of one."""
    cases = write_batch(batch)
    results = oracle.run([item for data, rendered, queries, dummy in cases
                          for item in ((data, queries), (rendered, queries))])
    failures = []
    for i, (data, rendered, queries, declared) in enumerate(cases):
        problems = check(rendered, queries, declared, results[2 * i], results[2 * i + 1])
        if problems:
            failures.append((len(data), data, rendered, problems))
    if failures:
        dummy, data, rendered, problems = min(failures, key=lambda failure: failure[0])
        pytest.fail("%d of %d written files read back wrong; the smallest:\nbefore %r\nafter  %r\n%s"
                    % (len(failures), len(cases), data, rendered, "\n".join(problems[:10])))


def lookup_problems(rendered, queries, declared, before, after):
    owned = {folded(pair) for pair in declared}
    problems = []
    for query, old, new in zip(queries, before["lookups"], after["lookups"]):
        if query in declared:
            if not properties.same(query[1], answer(new), declared[query]):
                problems.append("declared %r: API reads %r, declared %r" % (query, answer(new), declared[query]))
        elif folded(query) not in owned and new != old:
            problems.append("undeclared %r changed: %r -> %r" % (query, answer(old), answer(new)))
    if ini.parse(rendered).listing() != normalise(after["listing"]):
        problems.append("the written file reads differently: ours %r, API %r"
                        % (ini.parse(rendered).listing(), normalise(after["listing"])))
    return problems


def listing_problems(rendered, queries, declared, before, after):
    listed = {ini.fold(section): {ini.fold(key) for key, dummy in keys} for section, keys in normalise(after["listing"])}
    return ["declared %r is missing from the API's key listing" % (pair,)
            for pair, want in declared.items()
            if want is not None and ini.fold(pair[1]) not in listed.get(ini.fold(pair[0]), ())]


@BATCHES
@given(st.lists(files_with_declarations(), min_size=BATCH // 2, max_size=BATCH // 2))
def test_written_values_read_back_as_declared_and_others_are_kept(oracle, batch):
    check_written(oracle, batch, lookup_problems)


@settings(BATCHES, max_examples=5)
@given(st.lists(files_with_declarations(), min_size=BATCH // 2, max_size=BATCH // 2))
def test_written_keys_are_listed_by_the_api(oracle, batch):
    check_written(oracle, batch, listing_problems)
