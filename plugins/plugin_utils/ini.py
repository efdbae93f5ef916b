# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MAPISVC.INF as Windows' profile API (GetPrivateProfileString) reads it, edited in place.

A pure core: bytes in, bytes out, no I/O. Every physical line of the file is kept with its
own text and line ending, so rendering an unedited document gives back the exact bytes and
an edit touches only the lines it must.

Reading rules (Wine's kernel32 profile code, whose tests run on Windows, and checked by our
differential tests in tests/differential/ against that code):
- a line is a section header when, after trimming blanks, it starts with ``[`` and has a
  ``]`` after that; the name runs to the *last* ``]`` and is trimmed; text after it is ignored;
- ``;`` as the first non-blank character makes a comment; ``#`` is an ordinary character;
- any other non-blank line is an entry: name before the first ``=`` (trimmed), value after it
  (trimmed); a line without ``=`` is an entry without a value, which hides later entries
  of the same name from lookups;
- names and values are C strings: a NUL character (possible in a UTF-16 file) ends them,
  after the trimming above, so ``[ab \\0c]`` is a section named ``ab `` (trailing blank kept);
- names match case-insensitively, one UTF-16 code unit at a time: characters beyond the
  Basic Multilingual Plane (surrogate pairs) never match another spelling; the first
  section and the first entry of a name win;
- a value read through the API loses one pair of matching outer quotes (``"`` or ``'``);
- blanks are space, tab, CR, LF, vertical tab, form feed and Ctrl-Z, nothing else.

Decoding (what MultiByteToWideChar does with the file's bytes): a UTF-16LE byte order mark
makes the file Unicode, anything else is the ANSI code page. Every string the core hands
out is valid Unicode (it can be JSON-encoded), and an unedited file renders to its exact
bytes.

Cost: parsing finds only the section headers; a section's lines are split and classified
when the section is first used, and each section keeps an index of its keys, so every
operation is linear in the size of the file.
"""

from __future__ import annotations

import codecs
import functools
import gc
import re
from typing import Iterable, Optional

BLANKS = " \t\r\n\v\f\x1a"

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
# A '[' and the rest of its line; whether it starts a header is decided in _split_sections.
_BRACKET = re.compile(r"\[[^\r\n]*")
_SURROGATE = re.compile("[\ud800-\udfff]")

UTF16_BOM = b"\xff\xfe"
UTF8_BOM = b"\xef\xbb\xbf"
REPLACEMENT = "\ufffd"


class IniError(ValueError):
    """The file cannot be edited safely (encoding problems)."""


# -- code pages --------------------------------------------------------------------------------

# Windows' ANSI code pages (Microsoft's "[MS-UCODEREF] Supported Codepages": the ANSI ones are
# 874, 932, 936, 949, 950 and 1250-1258), by Python's codec name. UTF-8 is one too since
# Windows 10 1903, where "Use Unicode UTF-8 for worldwide language support" sets the ANSI code
# page to 65001 (Microsoft Learn, "Use UTF-8 code pages in Windows apps").
ANSI_CODE_PAGES = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
                   "cp1258", "cp874", "cp932", "cp936", "cp949", "cp950", "utf-8")
_CODEC_OF = {codecs.lookup(name).name: name for name in ANSI_CODE_PAGES}  # cp936 is "gbk"
_SINGLE_BYTE = {"cp874", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256",
                "cp1257", "cp1258"}

# Names people give for a code page that is close to, but not, the ANSI code page Windows uses.
_INSTEAD = {
    "iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252", "iso8859-15": "cp1252",
    "iso8859-2": "cp1250", "iso8859-5": "cp1251", "koi8-r": "cp1251", "iso8859-7": "cp1253",
    "iso8859-9": "cp1254", "iso8859-8": "cp1255", "iso8859-6": "cp1256", "iso8859-13": "cp1257",
    "tis-620": "cp874", "iso8859-11": "cp874", "shift_jis": "cp932", "euc_jp": "cp932",
    "gb2312": "cp936", "gb18030": "cp936", "euc_kr": "cp949", "big5": "cp950",
}

# Bytes a single-byte code page leaves undefined: MultiByteToWideChar maps 0x80-0x9F to the C1
# control of the same number and the others to these characters (private use area, and one
# Hebrew point Python's table lacks). Established with the oracle (tests/differential), which
# decodes all 128 upper bytes in each code page.
_UNDEFINED = {
    "cp874": {0xdb: "\uf8c1", 0xdc: "\uf8c2", 0xdd: "\uf8c3", 0xde: "\uf8c4",
              0xfc: "\uf8c5", 0xfd: "\uf8c6", 0xfe: "\uf8c7", 0xff: "\uf8c8"},
    "cp1253": {0xaa: "\uf8f9", 0xd2: "\uf8fa", 0xff: "\uf8fb"},
    "cp1255": {0xca: "\u05ba", 0xd9: "\uf88d", 0xda: "\uf88e", 0xdb: "\uf88f", 0xdc: "\uf890",
               0xdd: "\uf891", 0xde: "\uf892", 0xdf: "\uf893", 0xfb: "\uf894", 0xfc: "\uf895",
               0xff: "\uf896"},
    "cp1257": {0xa1: "\uf8fc", 0xa5: "\uf8fd"},
}


def check_codepage(name: object) -> Optional[str]:
    """None if ``name`` is an ANSI code page Windows can use (and the core can read and write
    losslessly), else the error message, naming the option and the fix.

    Only text code pages a Windows machine can have as its ANSI code page are accepted:
    Python also knows codecs that are no text encoding at all (rot13, base64, hex), UTF-16
    (which Windows recognises by its byte order mark, never through the code page) and
    others that would read the bytes differently from Windows."""
    fix = ("give the target's ANSI code page: cp1252 (Western European), cp1250 (Central European), "
           "cp1251 (Cyrillic), cp1253 (Greek), cp1254 (Turkish), cp1255 (Hebrew), cp1256 (Arabic), "
           "cp1257 (Baltic), cp1258 (Vietnamese), cp874 (Thai), cp932 (Japanese), cp936 (Simplified "
           "Chinese), cp949 (Korean), cp950 (Traditional Chinese) or utf-8 (Windows set to use UTF-8 "
           "for worldwide language support)")
    if not isinstance(name, str) or not name.strip():
        return "codepage: no code page given; %s" % fix
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return "codepage: %r is not a code page Python knows; %s" % (name, fix)
    if codec in _CODEC_OF:
        return None
    if codec.startswith("utf-16") or codec.startswith("utf-32"):
        return ("codepage: %r is not an ANSI code page: Windows reads a file as Unicode only when it "
                "starts with the UTF-16LE byte order mark, which the module detects by itself; "
                "codepage says how to read files without it, so %s" % (name, fix))
    if codec in _INSTEAD:
        return ("codepage: %r is not the code page Windows uses (it reads some bytes differently); "
                "use %s instead" % (name, _INSTEAD[codec]))
    return "codepage: %r is not an ANSI code page Windows can use for text files; %s" % (name, fix)


def _checked(codepage):
    """The canonical name of an accepted code page, or IniError."""
    problem = check_codepage(codepage)
    if problem:
        raise IniError(problem)
    return _CODEC_OF[codecs.lookup(codepage).name]


@functools.lru_cache(maxsize=None)
def _charmap(codepage):
    """(decoding table, encoding table) of a single-byte code page as Windows maps it: Python's
    table plus the bytes Python leaves undefined, so every byte decodes and encodes back."""
    chars = []
    for byte in range(256):
        try:
            chars.append(bytes((byte,)).decode(codepage))
        except UnicodeDecodeError:
            chars.append(_UNDEFINED.get(codepage, {}).get(byte, chr(byte)))
    table = "".join(chars)
    return table, codecs.charmap_build(table)


def encode_text(text: str, encoding: str, codepage: str) -> bytes:
    """``text`` in the file's encoding; UnicodeEncodeError for characters it cannot hold."""
    if encoding == "utf-16-le":
        # surrogatepass keeps unpaired surrogates of an unedited UTF-16 line as they were.
        return text.encode("utf-16-le", "surrogatepass")
    if codepage in _SINGLE_BYTE:
        return codecs.charmap_encode(text, "strict", _charmap(codepage)[1])[0]
    return text.encode(codepage)


def fold(name: str) -> str:
    """Key for comparing section and key names the way Windows does (ordinal, ignore case).

    Windows uppercases one UTF-16 code unit at a time: a character outside the Basic
    Multilingual Plane is two surrogate code units with no case, so it is left as it is (the
    oracle confirms: [\\U00010400] and [\\U00010428] are two sections). ``str.upper`` can turn
    one character into two (German sharp s); Windows maps each code unit to one, so such
    characters are left as they are too.
    """
    if name.isascii():
        return name.upper()
    return _fold_wide(name)


@functools.lru_cache(maxsize=65536)
def _fold_wide(name):
    upper = name.upper()
    if len(upper) == len(name) and max(upper) < "\U00010000" and max(name) < "\U00010000":
        return upper
    return "".join(_fold_char(c) for c in name)


def _fold_char(char):
    upper = char.upper()
    return upper if len(upper) == 1 and char < "\U00010000" and upper < "\U00010000" else char


def unique(names: Iterable[str]) -> list[str]:
    """The names without repeats that differ only in case, first spelling kept, in order."""
    seen, result = set(), []
    for name in names:
        if fold(name) not in seen:
            seen.add(fold(name))
            result.append(name)
    return result


def strip_quotes(value: str) -> str:
    """What GetPrivateProfileString returns for a stored (already trimmed) value."""
    if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
        return value[1:-1]
    return value


def quote_if_needed(value: str) -> str:
    """Spell ``value`` so that the API reads it back unchanged.

    Outer blanks would be trimmed and one pair of outer quotes stripped, so such values
    are wrapped in a pair of double quotes, which the API removes again.
    """
    if value != value.strip(BLANKS) or strip_quotes(value) != value:
        return '"%s"' % value
    return value


class Line:
    """One physical line: its text (decoded, without line ending) and its line ending.

    ``kind`` is one of ``blank``, ``comment``, ``header``, ``entry``. For a header ``name``
    is the section name; for an entry ``name`` is the key and ``value`` the stored value
    (``None`` for a line without ``=``), found at ``text[value_start:value_end]``.
    """

    __slots__ = ("text", "eol", "kind", "name", "value", "value_start", "value_end")

    def __init__(self, text, eol):
        self.text = text
        self.eol = eol
        self.name = None
        self.value = None
        self.value_start = self.value_end = None
        stripped = text.strip(BLANKS)
        if not stripped:
            self.kind = "blank"
        elif stripped[0] == ";":
            self.kind = "comment"
        elif stripped[0] == "[" and stripped.rfind("]") > 0:
            self.kind = "header"
            self.name = stripped[1:stripped.rfind("]")].strip(BLANKS)
        else:
            self.kind = "entry"
            start = len(text) - len(text.lstrip(BLANKS))
            equals = text.find("=", start)
            if equals < 0:
                self.name = stripped
            else:
                self.name = text[start:equals].rstrip(BLANKS)
                end = len(text.rstrip(BLANKS))
                value_start = equals + 1
                while value_start < end and text[value_start] in BLANKS:
                    value_start += 1
                self.value_start, self.value_end = value_start, end
                self.value = text[value_start:end]


class _WideLine(Line):
    """A line of a UTF-16 file holding NUL characters or unpaired surrogates.

    The API keeps names and values as C strings, so a NUL ends them (after the trimming,
    which works on the whole line). Unpaired surrogates stay in ``text`` so that the line
    renders to its exact bytes, but names and values carry U+FFFD instead: they must be
    valid Unicode for everything downstream (JSON results, reports). A name that really
    holds U+FFFD would then match it; real files do not hold either."""

    __slots__ = ()

    def __init__(self, text, eol):
        Line.__init__(self, text, eol)
        if self.name is not None:
            self.name = _c_string(self.name)
        if self.value is not None:
            self.value = _c_string(self.value)


def _c_string(text):
    return _SURROGATE.sub(REPLACEMENT, text.split("\x00", 1)[0])


class Section:
    """A header line and the lines after it up to the next header.

    The lines before the first header form a section without header (``header is None``),
    which Windows ignores. A section keeps the text of its lines until they are first
    needed; then it keeps Line objects and an index of its keys, which its edits keep
    up to date. Edit through Document, whose methods keep both right.
    """

    __slots__ = ("header", "_raw", "_lines", "_line_class", "_keys", "_insert_at", "_dirty")

    def __init__(self, header, raw="", line_class=Line):
        self.header = header
        self._raw = raw
        self._lines = None if raw else []
        self._line_class = line_class
        self._keys = None  # (fold(name) -> first entry line, {fold(name) the API lists})
        self._insert_at = None
        self._dirty = False

    @property
    def name(self):
        return None if self.header is None else self.header.name

    @property
    def lines(self):
        if self._lines is None:
            make = self._line_class
            lines = []
            # Line objects hold no reference cycles; Python's cyclic garbage collector would
            # only walk the growing heap again and again while they are made, which bent the
            # time of a 30,000-key section upwards.
            collecting = gc.isenabled()
            gc.disable()
            try:
                for match in _LINE.finditer(self._raw):
                    raw = match.group()
                    if not raw:
                        break
                    body = raw.rstrip("\r\n")
                    lines.append(make(body, raw[len(body):]))
            finally:
                if collecting:
                    gc.enable()
            self._lines, self._raw = lines, ""
        return self._lines

    @lines.setter
    def lines(self, lines):
        self._lines, self._raw = lines, ""
        self._edited()

    def _edited(self):
        self._dirty = True
        self._keys = self._insert_at = None

    def text(self) -> str:
        """The section's text as it stands (header included)."""
        head = self.header.text + self.header.eol if self.header is not None else ""
        if self._lines is None:
            return head + self._raw
        return head + "".join([line.text + line.eol for line in self._lines])

    def _index(self):
        if self._keys is None:
            first, listed, ended = {}, set(), False
            for line in self.lines:
                if line.kind != "entry":
                    continue
                if not ended and not line.name and line.value is not None:
                    ended = True  # an empty key name ends the API's key listing
                key = fold(line.name)
                if key not in first:
                    first[key] = line
                    if not ended:
                        listed.add(key)
            self._keys = (first, listed)
        return self._keys

    def entries(self) -> list[Line]:
        return [line for line in self.lines if line.kind == "entry"]

    def first_entry(self, key: str) -> Optional[Line]:
        """The entry Windows finds for ``key`` (possibly one without a value), or None.
        Like the API, blanks around the name asked for do not count."""
        return self._index()[0].get(fold(key.strip(BLANKS)))

    def listing_end(self) -> int:
        """Index in ``lines`` where the API's key listing stops (an entry with an empty
        name and a value), or len(lines)."""
        for i, line in enumerate(self.lines):
            if line.kind == "entry" and not line.name and line.value is not None:
                return i
        return len(self.lines)

    def is_listed(self, key: str) -> bool:
        """Whether ``key`` is found and listed by the API (not behind an empty key name)."""
        return fold(key.strip(BLANKS)) in self._index()[1]

    def get(self, key: str) -> Optional[str]:
        if self._lines is None and self._line_class is Line:
            quick = _quick_get(self._raw, key.strip(BLANKS))
            if quick is not _UNKNOWN:
                return quick
        entry = self.first_entry(key)
        if entry is None or entry.value is None:
            return None
        return strip_quotes(entry.value)

    def keys(self) -> list[str]:
        """Key names as the API lists them (first spelling of each, in file order).

        The API's list is a sequence of NUL-terminated names, so an entry with an empty
        name ends it: later keys can still be looked up but are not listed.
        """
        seen, names = set(), []
        for line in self.lines:
            if line.kind != "entry" or line.value is None:
                continue
            if not line.name:
                break
            key = fold(line.name)
            if key not in seen:
                seen.add(key)
                names.append(line.name)
        return names

    def items(self) -> list[tuple[str, Optional[str]]]:
        """(key, value) pairs as the API reads them; value None where a line without
        ``=`` hides the key."""
        return [(key, self.get(key)) for key in self.keys()]

    # -- edits, called by Document ----------------------------------------------------------
    def _replace(self, entry, text):
        """Give ``entry`` new text with the same name: its place and the index stay."""
        type(entry).__init__(entry, text, entry.eol)
        self._dirty = True

    def _insert(self, line, newline):
        """Add the new entry ``line`` where the API lists it (see ``_insert_position``)."""
        position = self._insert_position(newline)
        self.lines.insert(position, line)
        first, listed = self._index() if self._keys is not None else (None, None)
        if first is not None and fold(line.name) not in first:
            first[fold(line.name)] = line
            listed.add(fold(line.name))
        else:
            self._keys = None
        self._insert_at = position + 1
        self._dirty = True

    def _insert_position(self, newline):
        """After the last entry, or right after the header; the line before gets a line
        ending if it was the file's unterminated last line.

        A key with an empty name (``=x``) ends the API's listing of the section's keys, so a
        new key goes before such a line, where a program enumerating the section sees it."""
        if self._insert_at is None:
            position = 0
            for i, line in enumerate(self.lines):
                if line.kind == "entry":
                    if not line.name and line.value is not None:
                        break
                    position = i + 1
            self._insert_at = position
        position = self._insert_at
        before = self.lines[position - 1] if position else self.header
        if not before.eol:
            before.eol = newline
        return position

    def _remove_keys(self, folded):
        """Remove every entry whose folded name is in ``folded``; how many lines went."""
        lines = self.lines
        kept = [line for line in lines if not (line.kind == "entry" and fold(line.name) in folded)]
        removed = len(lines) - len(kept)
        if removed:
            self.lines = kept
        return removed


_UNKNOWN = object()


_INLINE_BLANKS = " \t\v\f\x1a"


def _quick_get(raw, key):
    """What ``Section.get`` returns, read from the unsplit text of an all-ASCII section by
    searching for the key instead of making a Line per line: reading every service's
    Providers= and Sections= that way keeps a run on a big file close to the cost of
    reading it. ``_UNKNOWN`` where the shortcut does not apply (non-ASCII text, where case
    folding is more than ASCII's, or names no entry line could have)."""
    if not key or not key.isascii() or "=" in key or key[0] in ";[" or not raw.isascii():
        return _UNKNOWN
    # All ASCII here, where fold is the whole of Windows' rule and keeps every offset.
    low, wanted, size = fold(raw), fold(key), len(raw)
    position = low.find(wanted)
    scanned = line_start = 0
    while position >= 0:
        # Start of this line: search back only to where the last search back stopped.
        found = max(low.rfind("\n", scanned, position), low.rfind("\r", scanned, position))
        if found >= 0:
            line_start = found + 1
        scanned = position
        after = position + len(wanted)
        if not low[line_start:position].strip(_INLINE_BLANKS):
            while after < size and low[after] in _INLINE_BLANKS:
                after += 1
            if after == size or low[after] in "\r\n":
                return None  # the first line of that name has no "=": it hides the key
            if low[after] == "=":
                ends = [i for i in (low.find("\r", after), low.find("\n", after)) if i >= 0]
                end = min(ends) if ends else size
                return strip_quotes(raw[after + 1:end].strip(BLANKS))
        position = low.find(wanted, position + 1)
    return None


@functools.lru_cache(maxsize=None)
def _entry_pattern(keys):
    """A line that starts (after blanks) with one of ``keys`` and ``=``, ASCII case ignored
    (for ASCII text and keys, where that is what ``fold`` does)."""
    names = "|".join(re.escape(key) for key in keys)
    return re.compile(r"(?:\A|[\r\n])[ \t\v\f\x1a]*(?:%s)[ \t\v\f\x1a]*=" % names, re.IGNORECASE | re.ASCII)


class Document:
    """A parsed MAPISVC.INF. Edit it with ``set``, ``delete``, ``remove_section``; get the
    bytes back with ``render``."""

    def __init__(self, sections, encoding, codepage, bom, original=None, line_class=Line):
        self.sections = sections
        self.encoding = encoding  # "utf-16-le" or the ANSI code page, as decode names it
        self.codepage = codepage
        self.bom = bom
        # (decoded text, bytes) as parsed: the newline count reads the text, and render()
        # gives back the bytes themselves while nothing was edited.
        self._original = original
        self._line_class = line_class
        self._newline = None
        self._edited = False
        self._index = None

    # -- reading -------------------------------------------------------------------
    @property
    def codec(self) -> str:
        """How Windows decodes the file: ``utf-16-le`` or the ANSI code page (``encoding``)."""
        return self.encoding

    @property
    def newline(self):
        if self._newline is None:
            if self._original is not None:
                self._newline = _dominant_newline(self._original[0])
            else:
                self._newline = _dominant_newline(self._text())
        return self._newline

    def _sections_by_name(self):
        if self._index is None:
            index = {}
            for section in self.sections:
                if section.header is not None:
                    index.setdefault(fold(section.name), []).append(section)
            self._index = index
        return self._index

    def _found(self, name):
        index = self._sections_by_name()
        found = index.get(fold(name.strip(BLANKS)))
        if found is None and name != name.strip(BLANKS):
            # A NUL after a blank leaves a name ending in that blank ("[ab \0]" is "ab "),
            # which no lookup through the API reaches, since the API trims what it is
            # asked for. Asked for by its exact name, as a report of the file asks for the
            # names it lists, the core gives that section rather than nothing.
            found = index.get(fold(name))
        return found or ()

    def section(self, name: str) -> Optional[Section]:
        """The section Windows reads for ``name`` (the first of that name), or None."""
        found = self._found(name)
        return found[0] if found else None

    def copies(self, name: str) -> list[Section]:
        """Every section of that name, the visible one first."""
        return list(self._found(name))

    def sections_with(self, keys: Iterable[str]) -> list[str]:
        """Names of the sections, in any copy, that have an entry line for one of ``keys``
        (first spelling of each name, file order). A generous test, meant for deciding whom a
        section may belong to: an entry counts even where the API would not read it. All-ASCII
        sections not yet split into lines are searched with one regular expression; in other
        text a case-insensitive pattern would match spellings ``fold`` keeps apart (the Kelvin
        sign and ``k``), so those sections are read line by line."""
        keys = tuple(keys)
        pattern = _entry_pattern(keys) if all(key.isascii() for key in keys) else None
        names = []
        for section in self.sections:
            if section.header is None or not section.name:
                continue
            if section._lines is None and pattern is not None and section._raw.isascii():
                found = pattern.search(section._raw) is not None
            else:
                found = any(section.first_entry(key) is not None for key in keys)
            if found:
                names.append(section.name)
        return unique(names)

    def section_names(self) -> list[str]:
        """Section names as the API lists them: file order, duplicates included."""
        return [s.name for s in self.sections if s.header is not None and s.name]

    def get(self, section: str, key: str) -> Optional[str]:
        found = self.section(section)
        return None if found is None else found.get(key)

    def listing(self) -> list[tuple[str, list[tuple[str, Optional[str]]]]]:
        """What a program enumerating the file through the API sees, duplicates resolved:
        [(section, [(key, value)])] with the first spelling of each section name."""
        seen, result = set(), []
        for section in self.sections:
            if section.header is None or not section.name or fold(section.name) in seen:
                continue
            seen.add(fold(section.name))
            if section.name == section.name.strip(BLANKS):
                result.append((section.name, section.items()))
            else:  # listed, but no lookup reaches it (see _found)
                result.append((section.name, [(key, None) for key in section.keys()]))
        return result

    def duplicate_sections(self) -> list[str]:
        """Names of sections that occur more than once (the later copies are invisible)."""
        return [copies[0].name for copies in self._sections_by_name().values()
                if len(copies) > 1 and copies[0].name]

    def can_encode(self, text: str) -> bool:
        try:
            encode_text(text, self.encoding, self.codepage)
        except UnicodeEncodeError:
            return False
        return not _SURROGATE.search(text)

    # -- editing -------------------------------------------------------------------
    def set(self, section: str, key: str, value: str) -> None:
        """Make ``key`` in ``section`` read back as ``value``: edit the first entry in
        place, or add ``key=value`` after the last entry (adding the section at the end
        of the file if needed)."""
        self._edited = True
        target = self.section(section) or self._append_section(section)
        spelled = quote_if_needed(value)
        entry = target.first_entry(key)
        if entry is not None and not target.is_listed(key) and (entry.name or entry.value is None):
            # Behind an empty key name the API would not list it: move it up.
            target.lines = [line for line in target.lines if line is not entry]
            entry = None
        if entry is None:
            target._insert(self._line_class("%s=%s" % (key, spelled), self.newline), self.newline)
            return
        if entry.value is None:
            indent = entry.text[:len(entry.text) - len(entry.text.lstrip(BLANKS))]
            text = "%s%s=%s" % (indent, entry.name, spelled)
        else:
            text = entry.text[:entry.value_start] + spelled + entry.text[entry.value_end:]
        target._replace(entry, text)

    def delete(self, section: str, *keys: str) -> int:
        """Remove every entry of each key from the visible ``section`` (removing only the
        first would make the next one visible), in one pass over its lines. Returns how
        many lines went."""
        target = self.section(section)
        if target is None:
            return 0
        self._edited = True
        return target._remove_keys({fold(key) for key in keys})

    def remove_section(self, name: str) -> int:
        """Remove every section of that name (the visible one and its invisible copies,
        which would otherwise become visible). Comments after the last entry stay: they
        usually introduce the next section. One pass over the sections, however many
        copies there are."""
        copies = self.copies(name)
        if not copies:
            return 0
        self._edited = True
        doomed = {id(section) for section in copies}
        kept = []
        for position, section in enumerate(self.sections):
            if id(section) not in doomed:
                kept.append(section)
                continue
            lines = section.lines
            last_entry = None
            for i, line in enumerate(lines):
                if line.kind == "entry":
                    last_entry = i
            tail = lines[last_entry + 1:] if last_entry is not None else lines
            skip = 0
            while skip < len(tail) and tail[skip].kind == "blank":
                skip += 1
            tail = tail[skip:]
            previous = kept[-1] if kept else None
            if tail and previous is not None:
                previous.lines = previous.lines + tail
            elif tail:
                section.header = None
                section.lines = tail
                kept.append(section)
            elif position == len(self.sections) - 1 and previous is not None:
                _drop_separator(previous)
        self.sections = kept
        self._index = None
        return len(copies)

    def set_section(self, name: str) -> Section:
        """Add an empty section at the end of the file (no check for an existing one)."""
        self._edited = True
        return self._append_section(name)

    def _append_section(self, name):
        last = self._last_line()
        if last is not None:
            if not last.eol:
                last.eol = self.newline
            if last.kind != "blank":
                self.sections[-1].lines.append(self._line_class("", self.newline))
            self.sections[-1]._dirty = True
        section = Section(self._line_class("[%s]" % name, self.newline), line_class=self._line_class)
        section._dirty = True
        self.sections.append(section)
        if self._index is not None:
            self._index.setdefault(fold(name), []).append(section)
        return section

    def _last_line(self):
        for section in reversed(self.sections):
            if section.lines:
                return section.lines[-1]
            if section.header is not None:
                return section.header
        return None

    # -- writing -------------------------------------------------------------------
    def _text(self):
        """The file's text as it stands, unpaired surrogates of a UTF-16 file included."""
        return "".join([section.text() for section in self.sections])

    def text(self) -> str:
        """The file's text as it stands, as valid Unicode (for diffs): an unpaired surrogate
        reads as U+FFFD."""
        text = self._text()
        return _SURROGATE.sub(REPLACEMENT, text) if self._line_class is _WideLine else text

    def render(self) -> bytes:
        if self._original is not None and not self._edited and not any(s._dirty for s in self.sections):
            return self._original[1]
        return self.bom + encode_text(self._text(), self.encoding, self.codepage)


def _drop_separator(section):
    """Drop the one blank line that ``set_section`` puts before a section appended at the
    end, so adding and then removing a service gives back the original bytes."""
    lines = section.lines
    if len(lines) >= 2 and lines[-1].kind == "blank" and lines[-2].kind != "blank":
        section.lines = lines[:-1]
    elif len(lines) == 1 and lines[0].kind == "blank" and section.header is not None:
        section.lines = []


def _dominant_newline(text):
    crlf = text.count("\r\n")
    counts = {"\r\n": crlf, "\n": text.count("\n") - crlf, "\r": text.count("\r") - crlf}
    best = max(counts.values())
    if best == 0 or counts["\r\n"] == best:
        return "\r\n"  # what Windows writes
    return "\n" if counts["\n"] == best else "\r"


def _line_number(data, offset, unit=b"\n"):
    return data.count(unit, 0, offset) + 1


def decode(data: bytes, codepage: str = "cp1252") -> tuple[str, str, bytes]:
    """Bytes to (text, encoding, bom) as Windows decodes them, refusing anything that would
    not round-trip or that Windows would not read as this file's text. ``encoding`` is
    ``utf-16-le`` for a file with the UTF-16LE byte order mark, else the name of the ANSI
    code page it was read in (``cp1252``): the one name every result uses for it."""
    codepage = _checked(codepage)
    if data.startswith(UTF8_BOM):
        raise IniError(
            "the file starts with a UTF-8 byte order mark: Windows reads the first line as "
            "garbage, so its first section is invisible to MAPI. Remove the first three bytes "
            "(EF BB BF) or save the file as ANSI or as Unicode (UTF-16LE)")
    if data.startswith(b"\xfe\xff"):
        raise IniError("the file is UTF-16 big-endian; save it as ANSI or as UTF-16LE with a byte order mark")
    if data.startswith(UTF16_BOM):
        body = data[len(UTF16_BOM):]
        if len(body) % 2:
            raise IniError("the file claims UTF-16LE (byte order mark) but has an odd number of bytes")
        return body.decode("utf-16-le", "surrogatepass"), "utf-16-le", UTF16_BOM
    nul = data.find(b"\x00")
    if nul >= 0:
        # Without a byte order mark Windows reads the bytes as ANSI text, NULs and all: a
        # UTF-16 file saved without its mark reads as no sections at all (the oracle agrees),
        # and text added to it would be ANSI inside UTF-16.
        raise IniError(
            "the file holds NUL bytes (the first at byte %d, line %d) but has no UTF-16 byte order "
            "mark: it looks like UTF-16 saved without the mark, which Windows reads as ANSI text "
            "in which MAPI finds no sections. Save it as Unicode (UTF-16LE, which writes the mark "
            "FF FE) or as ANSI" % (nul, _line_number(data, nul)))
    if codepage in _SINGLE_BYTE:
        # Every byte has a character (see _charmap), so this always round-trips.
        return codecs.charmap_decode(data, "strict", _charmap(codepage)[0])[0], codepage, b""
    try:
        text = data.decode(codepage)
    except UnicodeDecodeError as e:
        raise IniError(
            "byte %d (line %d) is not valid %s text: Windows would read it as a substitute "
            "character, so the file cannot be edited without changing it. Check that codepage is "
            "the target's ANSI code page, or fix the line" % (e.start, _line_number(data, e.start), codepage))
    if text.encode(codepage) != data:
        raise IniError("the file does not decode losslessly in code page %s (some characters have two "
                       "spellings); save it as Unicode (UTF-16LE)" % codepage)
    return text, codepage, b""


def parse(data: bytes, codepage: str = "cp1252") -> Document:
    """Parse MAPISVC.INF bytes into a Document (see the module docstring for the rules)."""
    text, encoding, bom = decode(data, codepage)
    codepage = _checked(codepage)
    wide = encoding == "utf-16-le" and ("\x00" in text or _SURROGATE.search(text))
    line_class = _WideLine if wide else Line
    collecting = gc.isenabled()
    gc.disable()  # one Section per header, no cycles: see Section.lines
    try:
        sections = _split_sections(text, line_class)
    finally:
        if collecting:
            gc.enable()
    return Document(sections, encoding, codepage, bom, (text, data), line_class)


def _split_sections(text, line_class):
    """The file's sections, each with its header line and the unsplit text of its lines.
    Only lines holding a ``[`` are looked at: a header is one whose first non-blank
    character is that ``[``."""
    sections = []
    current = Section(None, line_class=line_class)
    sections.append(current)
    chunk_start = 0
    rfind = text.rfind
    # Each match runs to the end of its line, so every line is scanned once.
    for match in _BRACKET.finditer(text):
        bracket, end = match.span()
        # The line starts after the last line break before the '[', at the earliest where
        # the current section's lines start (searching no further back keeps this linear).
        line_start = max(rfind("\n", chunk_start, bracket), rfind("\r", chunk_start, bracket), chunk_start - 1) + 1
        if (line_start != bracket and text[line_start:bracket].strip(BLANKS)) or "]" not in match.group():
            continue
        eol = text[end:end + 2]
        if eol != "\r\n":
            eol = eol[:1]
        header = line_class(text[line_start:end], eol)
        if header.kind != "header":
            continue
        current._raw = text[chunk_start:line_start]
        current._lines = None if current._raw else []
        current = Section(header, line_class=line_class)
        sections.append(current)
        chunk_start = end + len(eol)
    current._raw = text[chunk_start:]
    current._lines = None if current._raw else []
    return sections
