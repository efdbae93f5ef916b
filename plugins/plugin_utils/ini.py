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
- names match case-insensitively; the first section and the first entry of a name win;
- a value read through the API loses one pair of matching outer quotes (``"`` or ``'``);
- blanks are space, tab, CR, LF, vertical tab, form feed and Ctrl-Z, nothing else.
"""

from __future__ import annotations

import gc
import re

BLANKS = " \t\r\n\v\f\x1a"

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")

UTF16_BOM = b"\xff\xfe"
UTF8_BOM = b"\xef\xbb\xbf"


class IniError(ValueError):
    """The file cannot be edited safely (encoding problems)."""


def fold(name):
    """Key for comparing section and key names the way Windows does (ordinal, ignore case).

    ``str.upper`` can turn one character into two (German sharp s); Windows maps each
    character to one character, so such characters are left as they are.
    """
    upper = name.upper()
    if len(upper) == len(name):
        return upper
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in name)


def unique(names):
    """The names without repeats that differ only in case, first spelling kept, in order."""
    seen, result = set(), []
    for name in names:
        if fold(name) not in seen:
            seen.add(fold(name))
            result.append(name)
    return result


def strip_quotes(value):
    """What GetPrivateProfileString returns for a stored (already trimmed) value."""
    if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
        return value[1:-1]
    return value


def quote_if_needed(value):
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


class Section:
    """A header line and the lines after it up to the next header.

    The lines before the first header form a section without header (``header is None``),
    which Windows ignores.
    """

    __slots__ = ("header", "lines")

    def __init__(self, header):
        self.header = header
        self.lines = []

    @property
    def name(self):
        return None if self.header is None else self.header.name

    def entries(self):
        return [line for line in self.lines if line.kind == "entry"]

    def first_entry(self, key):
        """The entry Windows finds for ``key`` (possibly one without a value), or None.
        Like the API, blanks around the name asked for do not count."""
        wanted = fold(key.strip(BLANKS))
        for line in self.lines:
            if line.kind == "entry" and fold(line.name) == wanted:
                return line
        return None

    def listing_end(self):
        """Index in ``lines`` where the API's key listing stops (an entry with an empty
        name and a value), or len(lines)."""
        for i, line in enumerate(self.lines):
            if line.kind == "entry" and not line.name and line.value is not None:
                return i
        return len(self.lines)

    def is_listed(self, key):
        """Whether ``key`` is found and listed by the API (not behind an empty key name)."""
        entry = self.first_entry(key)
        return entry is not None and self.lines.index(entry) < self.listing_end()

    def get(self, key):
        entry = self.first_entry(key)
        if entry is None or entry.value is None:
            return None
        return strip_quotes(entry.value)

    def keys(self):
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
            if fold(line.name) not in seen:
                seen.add(fold(line.name))
                names.append(line.name)
        return names

    def items(self):
        """(key, value) pairs as the API reads them; value None where a line without
        ``=`` hides the key."""
        return [(key, self.get(key)) for key in self.keys()]


class Document:
    """A parsed MAPISVC.INF. Edit it with ``set``, ``delete``, ``remove_section``; get the
    bytes back with ``render``."""

    def __init__(self, sections, encoding, codepage, bom):
        self.sections = sections
        self.encoding = encoding  # "ansi" or "utf-16-le"
        self.codepage = codepage
        self.bom = bom
        self.newline = _dominant_newline(sections)
        self._index = None

    # -- reading -------------------------------------------------------------------
    @property
    def codec(self):
        return "utf-16-le" if self.encoding == "utf-16-le" else self.codepage

    def _sections_by_name(self):
        if self._index is None:
            index = {}
            for section in self.sections:
                if section.header is not None:
                    index.setdefault(fold(section.name), []).append(section)
            self._index = index
        return self._index

    def section(self, name):
        """The section Windows reads for ``name`` (the first of that name), or None."""
        found = self._sections_by_name().get(fold(name.strip(BLANKS)))
        return found[0] if found else None

    def copies(self, name):
        """Every section of that name, the visible one first."""
        return list(self._sections_by_name().get(fold(name.strip(BLANKS)), ()))

    def section_names(self):
        """Section names as the API lists them: file order, duplicates included."""
        return [s.name for s in self.sections if s.header is not None and s.name]

    def get(self, section, key):
        found = self.section(section)
        return None if found is None else found.get(key)

    def listing(self):
        """What a program enumerating the file through the API sees, duplicates resolved:
        [(section, [(key, value)])] with the first spelling of each section name."""
        seen, result = set(), []
        for name in self.section_names():
            if fold(name) in seen:
                continue
            seen.add(fold(name))
            result.append((name, self.section(name).items()))
        return result

    def duplicate_sections(self):
        """Names of sections that occur more than once (the later copies are invisible)."""
        return [copies[0].name for copies in self._sections_by_name().values()
                if len(copies) > 1 and copies[0].name]

    def can_encode(self, text):
        try:
            text.encode(self.codec)
        except UnicodeEncodeError:
            return False
        return True

    # -- editing -------------------------------------------------------------------
    def set(self, section, key, value):
        """Make ``key`` in ``section`` read back as ``value``: edit the first entry in
        place, or add ``key=value`` after the last entry (adding the section at the end
        of the file if needed)."""
        target = self.section(section) or self._append_section(section)
        spelled = quote_if_needed(value)
        entry = target.first_entry(key)
        if entry is not None and target.lines.index(entry) > target.listing_end():
            # Behind an empty key name the API would not list it: move it up.
            target.lines.remove(entry)
            entry = None
        if entry is None:
            target.lines.insert(self._insert_position(target), Line("%s=%s" % (key, spelled), self.newline))
            return
        if entry.value is None:
            indent = entry.text[:len(entry.text) - len(entry.text.lstrip(BLANKS))]
            text = "%s%s=%s" % (indent, entry.name, spelled)
        else:
            text = entry.text[:entry.value_start] + spelled + entry.text[entry.value_end:]
        target.lines[target.lines.index(entry)] = Line(text, entry.eol)

    def delete(self, section, key):
        """Remove every entry of ``key`` from the visible ``section`` (removing only the
        first would make the next one visible). Returns how many lines went."""
        target = self.section(section)
        if target is None:
            return 0
        wanted = fold(key)
        kept = [line for line in target.lines if not (line.kind == "entry" and fold(line.name) == wanted)]
        removed = len(target.lines) - len(kept)
        target.lines = kept
        return removed

    def remove_section(self, name):
        """Remove every section of that name (the visible one and its invisible copies,
        which would otherwise become visible). Comments after the last entry stay: they
        usually introduce the next section."""
        copies = self.copies(name)
        for section in copies:
            position = self.sections.index(section)
            entries = [i for i, line in enumerate(section.lines) if line.kind == "entry"]
            tail = section.lines[entries[-1] + 1:] if entries else section.lines
            while tail and tail[0].kind == "blank":
                tail = tail[1:]
            previous = self.sections[position - 1] if position else None
            if tail and previous is not None:
                previous.lines.extend(tail)
                del self.sections[position]
            elif tail:
                section.header = None
                section.lines = tail
            else:
                del self.sections[position]
                if position == len(self.sections) and previous is not None:
                    _drop_separator(previous)
        self._index = None
        return len(copies)

    def set_section(self, name):
        """Add an empty section at the end of the file (no check for an existing one)."""
        return self._append_section(name)

    def _append_section(self, name):
        last = self._last_line()
        if last is not None:
            if not last.eol:
                last.eol = self.newline
            if last.kind != "blank":
                self.sections[-1].lines.append(Line("", self.newline))
        section = Section(Line("[%s]" % name, self.newline))
        self.sections.append(section)
        if self._index is not None:
            self._index.setdefault(fold(name), []).append(section)
        return section

    def _insert_position(self, section):
        """After the last entry, or right after the header; the line before gets a line
        ending if it was the file's unterminated last line.

        A key with an empty name (``=x``) ends the API's listing of the section's keys, so a
        new key goes before such a line, where a program enumerating the section sees it."""
        position = 0
        for i, line in enumerate(section.lines[:section.listing_end()]):
            if line.kind == "entry":
                position = i + 1
        before = section.lines[position - 1] if position else section.header
        if not before.eol:
            before.eol = self.newline
        return position

    def _last_line(self):
        for section in reversed(self.sections):
            if section.lines:
                return section.lines[-1]
            if section.header is not None:
                return section.header
        return None

    # -- writing -------------------------------------------------------------------
    def text(self):
        parts = []
        for section in self.sections:
            if section.header is not None:
                parts.append(section.header.text + section.header.eol)
            parts.extend(line.text + line.eol for line in section.lines)
        return "".join(parts)

    def render(self):
        errors = "surrogatepass" if self.encoding == "utf-16-le" else "surrogateescape"
        return self.bom + self.text().encode(self.codec, errors)


def _drop_separator(section):
    """Drop the one blank line that ``set_section`` puts before a section appended at the
    end, so adding and then removing a service gives back the original bytes."""
    lines = section.lines
    if len(lines) >= 2 and lines[-1].kind == "blank" and lines[-2].kind != "blank":
        lines.pop()
    elif len(lines) == 1 and lines[0].kind == "blank" and section.header is not None:
        lines.pop()


def _dominant_newline(sections):
    counts = {"\r\n": 0, "\n": 0, "\r": 0}
    for section in sections:
        for line in ([section.header] if section.header else []) + section.lines:
            if line.eol:
                counts[line.eol] += 1
    best = max(counts.values())
    if best == 0 or counts["\r\n"] == best:
        return "\r\n"  # what Windows writes
    return "\n" if counts["\n"] == best else "\r"


def decode(data, codepage="cp1252"):
    """Bytes to (text, encoding, bom), refusing anything that would not round-trip."""
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
    text = data.decode(codepage, "surrogateescape")
    if text.encode(codepage, "surrogateescape") != data:
        raise IniError("the file does not decode losslessly in code page %s; set codepage to the "
                       "target's ANSI code page" % codepage)
    return text, "ansi", b""


def parse(data, codepage="cp1252"):
    """Parse MAPISVC.INF bytes into a Document (see the module docstring for the rules)."""
    text, encoding, bom = decode(data, codepage)
    # One object per line and no reference cycles: Python's cyclic garbage collector would
    # only walk them again and again, which on a 10 MB file doubled the parse time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse_lines(text, encoding, codepage, bom)
    finally:
        if collecting:
            gc.enable()


def _parse_lines(text, encoding, codepage, bom):
    sections = [Section(None)]
    current = sections[0]
    for match in _LINE.finditer(text):
        raw = match.group()
        if not raw:
            break
        body = raw.rstrip("\r\n")
        line = Line(body, raw[len(body):])
        if line.kind == "header":
            current = Section(line)
            sections.append(current)
        else:
            current.lines.append(line)
    return Document(sections, encoding, codepage, bom)
