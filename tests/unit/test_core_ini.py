# -*- coding: utf-8 -*-
"""The INI core's reading, decoding and cost rules (plugins/plugin_utils/ini.py).

The facts about Windows used here were established with the Wine oracle; the differential
tests (tests/differential/) check them against it on every run.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.mapi.messaging.plugins.plugin_utils import declaration, ini, plan
from expected import apply_or_reject
from strategies import files, files_with_declarations

SINGLE_BYTE = ["cp874", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258"]


def utf16(text):
    return ini.UTF16_BOM + text.encode("utf-16-le", "surrogatepass")


def everything_read(doc):
    """Every string the core hands out for a document, for the JSON check."""
    return {"listing": doc.listing(), "names": doc.section_names(), "text": doc.text(),
            "entries": [(line.name, line.value) for section in doc.sections for line in section.entries()]}


# -- code pages ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ini.ANSI_CODE_PAGES + ("windows-1252", "CP1252", "utf8", "cp65001"))
def test_ansi_code_pages_are_accepted(name):
    assert ini.check_codepage(name) is None
    ini.parse(b"[S]\r\nk=v\r\n", name)


@pytest.mark.parametrize("name, says", [
    ("rot13", "not an ANSI code page Windows can use"),
    ("base64", "not an ANSI code page Windows can use"),
    ("hex", "not an ANSI code page Windows can use"),
    ("idna", "not an ANSI code page Windows can use"),
    ("utf-8-sig", "not an ANSI code page Windows can use"),
    ("utf-16-le", "byte order mark"),
    ("utf-16", "byte order mark"),
    ("latin-1", "use cp1252 instead"),
    ("shift_jis", "use cp932 instead"),
    ("cp99999", "not a code page Python knows"),
    ("", "no code page given"),
])
def test_other_codecs_are_refused_naming_the_option_and_the_fix(name, says):
    problem = ini.check_codepage(name)
    assert problem.startswith("codepage: ") and says in problem
    with pytest.raises(ini.IniError, match="codepage"):
        ini.parse(b"[S]\r\nk=v\r\n", name)


@pytest.mark.parametrize("codepage", SINGLE_BYTE)
def test_every_byte_of_a_single_byte_code_page_decodes_to_unicode_and_back(codepage):
    data = b"; " + bytes(range(1, 0x100)).replace(b"\r", b"").replace(b"\n", b"") + b"\r\n[S]\r\nk=" + bytes(range(0x80, 0x100)) + b"\r\n"
    doc = ini.parse(data, codepage)
    json.dumps(everything_read(doc))
    assert doc.render() == data
    doc.set("S", "new", "x")
    assert doc.render() == data + b"new=x\r\n"


def test_undefined_cp1252_bytes_read_as_c1_controls_like_windows():
    doc = ini.parse(b"[S]\r\nk=\x81\x8d\x8f\x90\x9d\r\n")
    assert doc.get("S", "k") == "\x81\x8d\x8f\x90\x9d"
    assert doc.can_encode("\x81") and not doc.can_encode("\u0142")


def test_edited_file_keeps_undefined_bytes_of_other_lines():
    data = b"; \x81 comment\r\n[S]\r\nk=\x8d\r\n"
    doc = ini.parse(data)
    doc.set("S", "other", "1")
    assert doc.render() == b"; \x81 comment\r\n[S]\r\nk=\x8d\r\nother=1\r\n"


def test_invalid_multibyte_text_is_refused_with_its_line():
    with pytest.raises(ini.IniError, match=r"line 2\) is not valid utf-8"):
        ini.parse(b"[S]\r\nk=\xff\r\n", "utf-8")


# -- what Windows reads ------------------------------------------------------------------------

def test_nul_bytes_without_byte_order_mark_are_refused_as_utf16_without_mark():
    for data in ("[S]\r\nk=1\r\n".encode("utf-16-le"), b"[S]\r\nk=a\x00b\r\n"):
        with pytest.raises(ini.IniError, match="NUL bytes .* UTF-16 saved without the mark"):
            ini.parse(data)


def test_nul_in_a_utf16_header_ends_the_name_so_the_later_section_is_a_hidden_copy():
    doc = ini.parse(utf16("[ab\x00c]\r\nk=1\r\n[ab]\r\nk=2\r\n"))
    assert doc.section_names() == ["ab", "ab"]
    assert doc.get("ab", "k") == "1"
    assert doc.duplicate_sections() == ["ab"]


def test_nul_ends_names_and_values_after_trimming():
    doc = ini.parse(utf16("[ab \x00c]\r\nk=1\r\n[S]\r\nk= a \x00b\r\nq=\"a\x00b\"\r\n r \x00 z=5\r\n\x00=6\r\nafter=7\r\n"))
    assert doc.section_names() == ["ab ", "S"]
    assert doc.get("ab", "k") is None  # the name keeps its blank; lookups trim theirs
    assert doc.listing()[0] == ("ab ", [("k", None)])
    assert doc.section("S").items() == [("k", "a "), ("q", '"a'), ("r ", None)]
    assert doc.get("S", "after") == "7"


def test_characters_beyond_the_bmp_have_no_case():
    doc = ini.parse(utf16("[\U00010400]\r\nk=1\r\n[\U00010428]\r\nk=2\r\n"))
    assert doc.get("\U00010400", "k") == "1" and doc.get("\U00010428", "k") == "2"
    doc.set("\U00010428", "k", "3")
    assert doc.get("\U00010400", "k") == "1"
    assert ini.fold("é\U00010428") == "É\U00010428"


def test_searching_unsplit_sections_folds_case_as_windows_does():
    # U+212A KELVIN SIGN has no other case in Windows' table, so it is not "k"; "\u017f"
    # (long s) uppercases to "S", so it is "s". A case-insensitive regular expression would
    # match both; the search must agree with reading the section line by line.
    for text, keys, found in [("[A]\r\n\u212aEY=1\r\n", ["KEY"], []),
                              ("[A]\r\nSECRET=1\r\n", ["\u017fECRET"], ["A"]),
                              ("[A]\r\nkey=1\r\n", ["KEY"], ["A"])]:
        assert ini.parse(text.encode("utf-8"), "utf-8").sections_with(keys) == found, (text, keys)
        split = ini.parse(text.encode("utf-8"), "utf-8")
        assert isinstance(split.section("A").lines, list)  # splits it
        assert split.sections_with(keys) == found, (text, keys)


@pytest.mark.parametrize("data, codepage, encoding", [
    (b"[S]\r\nk=1\r\n", "cp1252", "cp1252"), (b"[S]\r\nk=\xe9\r\n", "cp1251", "cp1251"),
    (b"[S]\r\n", "utf-8", "utf-8"), (b"[S]\r\n", "windows-1252", "cp1252"),
    (ini.UTF16_BOM + "[S]\r\n".encode("utf-16-le"), "cp1252", "utf-16-le"),
])
def test_the_encoding_of_a_file_is_named_by_its_code_page_or_utf16(data, codepage, encoding):
    # One name for one thing: what mapisvc and mapisvc_info return as the file's encoding.
    doc = ini.parse(data, codepage)
    assert doc.encoding == doc.codec == encoding
    assert ini.decode(data, codepage)[1] == encoding


def test_unpaired_surrogates_read_as_replacement_characters_and_render_unchanged():
    data = utf16("; \udc00 note\r\n[S\ud800]\r\nk=\udc00x\r\n[T]\r\nk=1\r\n")
    doc = ini.parse(data)
    json.dumps(everything_read(doc))
    assert doc.section_names() == ["S\ufffd", "T"] and doc.get("S\ufffd", "k") == "\ufffdx"
    assert doc.render() == data
    doc.set("T", "k", "2")
    assert doc.render() == data.replace("k=1".encode("utf-16-le"), "k=2".encode("utf-16-le"))
    assert "\ufffd note" in doc.text()
    assert not doc.can_encode("\ud800")


# -- lazily split sections read and render as the whole file does ---------------------------

def eager_sections(data):
    """The sections a line-by-line reading finds: (name, text) of each."""
    text = ini.decode(data)[0]
    result = [[None, ""]]
    for raw in re.findall(r"[^\r\n]*(?:\r\n|\r|\n|$)", text):  # Windows ends lines only so
        body = raw.rstrip("\r\n")
        line = ini.Line(body, raw[len(body):])
        if line.kind == "header":
            result.append([line.name, raw])
        else:
            result[-1][1] += raw
    return [tuple(item) for item in result]


@settings(max_examples=150, deadline=None)
@given(files())
def test_sections_are_found_where_a_line_by_line_reading_finds_them(data):
    doc = ini.parse(data)
    assert doc.render() == data
    assert [(s.name, s.text()) for s in doc.sections] == eager_sections(data)
    unsplit = ini.parse(data).listing()
    for section in doc.sections:
        assert section.lines is not None
    assert doc.listing() == unsplit and doc.render() == data


@settings(max_examples=200, deadline=None)
@given(files(key_pool=("Providers", "Sections", "PR_SERVICE_DLL_NAME")))
def test_reading_a_key_from_an_unsplit_section_gives_what_its_lines_give(data):
    doc = ini.parse(data)
    asked = ["Providers", "sections", "PR_SERVICE_DLL_NAME", "NoSuchKey", " Providers "]
    for section in ini.parse(data).sections:
        asked += [line.name for line in section.entries() if line.name]
    for section in doc.sections:
        unsplit = [section.get(key) for key in asked]
        assert isinstance(section.lines, list)  # splits it
        assert unsplit == [section.get(key) for key in asked]


@pytest.mark.parametrize("text, value", [
    ("ProvidersX=1\r\n; Providers=2\r\nx Providers=3\r\n \x1aPROVIDERS\t= 'a b' \r\nProviders=4", "a b"),
    ("Providers\rProviders=1\n", None),
    ("k=Providers=1\nProviders =\n", ""),
    ("Providers=\"x\"", "x"),
    ("Provider=1\r\n", None),
])
def test_reading_a_key_from_an_unsplit_section_handles_lookalike_lines(text, value):
    section = ini.parse(("[S]\r\n" + text).encode()).section("S")
    assert section.get("Providers") == value
    assert isinstance(section.lines, list)  # splits it
    assert section.get("Providers") == value


@settings(max_examples=60, deadline=None)
@given(files_with_declarations(), st.booleans())
def test_applying_keeps_every_key_index_right(case, purge):
    """After the edits, what the indexes say equals what a fresh parse of the bytes says."""
    data, args = case
    doc = ini.parse(data)
    apply_or_reject(doc, [declaration.from_args(args, doc.can_encode)], purge=purge)
    fresh = ini.parse(doc.render())
    assert doc.listing() == fresh.listing()
    for section in fresh.sections:
        if section.name:
            for line in section.entries():
                assert doc.get(section.name, line.name) == fresh.get(section.name, line.name)
                assert doc.section(section.name).is_listed(line.name) == fresh.section(section.name).is_listed(line.name)


# -- cost --------------------------------------------------------------------------------------

def big_section(keys):
    return ("[Services]\r\n" + "".join("KEY%06d=value %d\r\n" % (i, i) for i in range(keys))).encode("cp1252")


def test_a_section_with_30000_keys_is_read_and_purged_in_linear_time():
    # Once six minutes (a linear search per key); seconds now even on a loaded machine.
    data = big_section(30000)
    start = time.perf_counter()
    doc = ini.parse(data)
    items = doc.section("Services").items()
    work = plan.Plan(doc)
    work._entries("Services", {"KEY000001": "value 1"}, purge=True)
    elapsed = time.perf_counter() - start
    assert len(items) == 30000 and len(work.changes) == 29999
    assert doc.render() == b"[Services]\r\nKEY000001=value 1\r\n"
    assert elapsed < 30, elapsed


def test_removing_a_section_present_30000_times_is_linear():
    data = ("".join("[Dup]\r\nk=%d\r\n" % i for i in range(30000)) + "[Keep]\r\nk=1\r\n").encode("cp1252")
    doc = ini.parse(data)
    start = time.perf_counter()
    assert doc.remove_section("dup") == 30000
    assert time.perf_counter() - start < 30
    assert doc.render() == b"[Keep]\r\nk=1\r\n"


def test_an_unedited_document_renders_the_bytes_it_was_parsed_from_without_encoding():
    data = big_section(10)
    doc = ini.parse(data)
    doc.section("Services").items()
    assert doc.render() is data
