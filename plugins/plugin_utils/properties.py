# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What MAPISVC.INF entries mean: property tags, how their values are spelled and compared.

One table of knowledge instead of branches: each known entry name maps to a *kind*, and a
kind knows how to turn a playbook value into file text (``render``) and how to compare two
spellings by meaning (``same``). Nonstandard 8-hex-digit tags get their kind from the
property type in their low 16 bits. Sources: MAPI reference ("Property Entries in MapiSvc.inf
Message Service Sections"), MAPIStubLibrary headers (tag numbers), Microsoft's sample files.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

from ansible_collections.mapi.messaging.plugins.plugin_utils.ini import BLANKS, fold

# \Z, not $: "$" also matches before a final line feed, which let "PR_X\n" pass as a name.
HEX_TAG = re.compile(r"^[0-9A-Fa-f]{8}\Z")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
HEX_DIGITS = re.compile(r"^[0-9A-Fa-f]*\Z")
GUID = re.compile(r"^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?\Z")

PT_LONG = 0x0003
PT_STRING8 = 0x001E
PT_UNICODE = 0x001F
PT_BINARY = 0x0102
PT_MV_STRING8 = 0x101E


def shown(value: object) -> str:
    """A value quoted for an error message: Windows paths keep single backslashes, line
    breaks and NUL are made visible."""
    if not isinstance(value, str):
        return repr(value)
    for char, escape in (("\r", "\\r"), ("\n", "\\n"), ("\0", "\\0")):
        value = value.replace(char, escape)
    return "'%s'" % value


class PropertyError(ValueError):
    """A value that cannot be written for this entry; the message says what to do."""


def _items(text, separator):
    return [item.strip(BLANKS) for item in text.split(separator)]


def _ensure_text(value, hint):
    if isinstance(value, bool) or not isinstance(value, str):
        raise PropertyError("expected a string, got %s %s; %s" % (type(value).__name__, shown(value), hint))
    return value


def _ensure_list(value, hint):
    """A YAML list or a string; each list item must be a string."""
    if isinstance(value, (list, tuple)):
        for item in value:
            _ensure_text(item, hint)
        return list(value)
    return _ensure_text(value, hint)


class Kind:
    """Plain text (PT_STRING8): compared exactly as the API reads it."""

    name = "string"
    hint = "quote the value in YAML"

    def render(self, value):
        return _ensure_text(value, self.hint)

    def canonical(self, text):
        return text

    def same(self, a, b):
        return a is not None and b is not None and self.canonical(a) == self.canonical(b)


# Service flags that contradict each other (PR_RESOURCE_FLAGS of a service).
IDENTITY_FLAGS = ("SERVICE_PRIMARY_IDENTITY", "SERVICE_NO_PRIMARY_IDENTITY")


class FlagsKind(Kind):
    """Symbolic names joined by ``|`` (PR_RESOURCE_FLAGS, PR_RESOURCE_TYPE): a set."""

    name = "flags"
    hint = "give the flag names as a list, e.g. [SERVICE_SINGLE_COPY, SERVICE_NO_PRIMARY_IDENTITY]"

    def render(self, value):
        value = _ensure_list(value, self.hint)
        items = value if isinstance(value, list) else _items(value, "|")
        for item in items:
            if not IDENTIFIER.match(item.strip(BLANKS)):
                raise PropertyError("%s is not a flag name; %s" % (shown(item), self.hint))
        text = " | ".join(item.strip(BLANKS) for item in items)
        if self.contradicts(text):
            raise PropertyError("sets both %s and %s, which exclude each other; keep %s only if "
                                "the service supplies the profile's identity, else keep %s"
                                % (IDENTITY_FLAGS + IDENTITY_FLAGS))
        return text

    def contradicts(self, text):
        """Whether the flags claim and disclaim the profile's primary identity at once."""
        flags = {fold(flag) for flag in self.canonical(text)}
        return all(flag in flags for flag in IDENTITY_FLAGS)

    def canonical(self, text):
        return frozenset(item for item in _items(text, "|") if item)


class ListKind(Kind):
    """A comma list (PR_SERVICE_SUPPORT_FILES, multi-valued strings): compared item by
    item after trimming, order kept."""

    name = "list"
    hint = "give the items as a list of strings"
    separator = ", "

    def render(self, value):
        value = _ensure_list(value, self.hint)
        items = value if isinstance(value, list) else _items(value, ",")
        for item in items:
            if "," in item:
                raise PropertyError("list item %s contains a comma, which MAPI reads as a separator" % shown(item))
        return self.separator.join(item.strip(BLANKS) for item in items)

    def canonical(self, text):
        return tuple(_items(text, ","))


class SectionListKind(ListKind):
    """``Providers=`` and ``Sections=``: names of sections, so compared case-insensitively."""

    name = "section list"

    def names(self, text):
        """The section names the entry lists, as written (empty items dropped)."""
        return [item for item in _items(text, ",") if item]

    def canonical(self, text):
        return tuple(fold(item) for item in _items(text, ","))


class HexKind(Kind):
    """Hex digits (PT_BINARY, UID, GUIDs): compared case-insensitively."""

    name = "binary"
    hint = "give hex digits as a string, e.g. '13DBB0C8AA05101A9BB000AA002FC45A'"

    def render(self, value):
        text = _ensure_text(value, self.hint)
        if not HEX_DIGITS.match(text) or len(text) % 2:
            raise PropertyError("%s is not an even number of hex digits; %s" % (shown(text), self.hint))
        return text

    def canonical(self, text):
        return fold(text)


class GuidKind(HexKind):
    name = "guid"
    hint = "give a GUID such as '{6485D262-C2AC-11D1-AD3E-10A0C911C9C0}'"

    def render(self, value):
        text = _ensure_text(value, self.hint)
        if not GUID.match(text):
            raise PropertyError("%s is not a GUID; %s" % (shown(text), self.hint))
        return text


class LongKind(Kind):
    """PT_LONG written as its 4 bytes little-endian in hex: 12 is ``0C000000``."""

    name = "long"
    hint = "give an integer (written little-endian, 3 becomes 03000000) or 8 hex digits"

    def render(self, value):
        if isinstance(value, bool):
            raise PropertyError("expected an integer, got a boolean; %s" % self.hint)
        if isinstance(value, int):
            if not -(2 ** 31) <= value < 2 ** 32:
                raise PropertyError("%d does not fit in 32 bits (PT_LONG)" % value)
            return (value & 0xFFFFFFFF).to_bytes(4, "little").hex().upper()
        text = _ensure_text(value, self.hint)
        if not HEX_TAG.match(text):
            raise PropertyError("%s is not 8 hex digits; %s" % (shown(text), self.hint))
        return text

    def canonical(self, text):
        return fold(text)


def dll_problem(text: str) -> Optional[tuple[str, str]]:
    """Why MAPI cannot load the DLL ``text`` names: ("period" or "suffix", message), or None.

    MAPI inserts ``32`` before the first period of the name (``contoso.dll`` loads
    ``contoso32.dll``), so the name must not carry the suffix and a full path must have no
    other period."""
    leaf = re.split(r"[\\/]", text)[-1]
    folder = text[:len(text) - len(leaf)]
    if text.count(".") != 1 or "." not in leaf:
        return ("period", "%s: MAPI inserts '32' before the first period, so the name needs exactly one "
                          "period, in the file name (install to a folder without periods)" % shown(text))
    stem, extension = leaf.split(".")
    if stem.endswith("32"):
        return ("suffix", "%s already ends in '32', and MAPI adds '32' itself (it would load %s32.%s); write %s"
                          % (shown(text), stem, extension, shown(folder + stem[:-2] + "." + extension)))
    return None


class DllKind(Kind):
    """A provider or service DLL, named without the ``32`` MAPI adds (see ``dll_problem``)."""

    name = "dll"

    def render(self, value):
        text = _ensure_text(value, "give the DLL name or full path without the 32 suffix")
        problem = dll_problem(text)
        if problem:
            raise PropertyError(problem[1])
        return text


class ForbiddenKind(Kind):
    name = "forbidden"

    def render(self, value):
        raise PropertyError("MAPI computes PR_SERVICE_UID when the service is added to a profile; "
                            "it must not appear in MAPISVC.INF. Remove it")


STRING, FLAGS, LIST, SECTION_LIST, HEX, GUID_KIND, LONG, DLL, FORBIDDEN = (
    Kind(), FlagsKind(), ListKind(), SectionListKind(), HexKind(), GuidKind(), LongKind(), DllKind(), ForbiddenKind())

# name: (property tag or None for list entries, kind)
NAMED = {
    "PR_DISPLAY_NAME": (0x3001001E, STRING),
    "PR_PROVIDER_DISPLAY": (0x3006001E, STRING),
    "PR_RESOURCE_FLAGS": (0x30090003, FLAGS),
    "PR_PROVIDER_DLL_NAME": (0x300A001E, DLL),
    "PR_MDB_PROVIDER": (0x34140102, HEX),
    "PR_AB_PROVIDER_ID": (0x36150102, HEX),
    "PR_SERVICE_NAME": (0x3D09001E, STRING),
    "PR_SERVICE_DLL_NAME": (0x3D0A001E, DLL),
    "PR_SERVICE_ENTRY_NAME": (0x3D0B001E, STRING),
    "PR_SERVICE_UID": (0x3D0C0102, FORBIDDEN),
    "PR_SERVICE_SUPPORT_FILES": (0x3D0F101E, LIST),
    "PR_SERVICE_DELETE_FILES": (0x3D10101E, LIST),
    "PR_SERVICE_INSTALL_ID": (0x3D13001E, GUID_KIND),
    "PR_RESOURCE_TYPE": (0x3E030003, FLAGS),
    "WIZARD_ENTRY_NAME": (None, STRING),
    "UID": (None, HEX),
    "PROVIDERS": (None, SECTION_LIST),
    "SECTIONS": (None, SECTION_LIST),
}

BY_TYPE = {PT_LONG: LONG, PT_STRING8: STRING, PT_UNICODE: STRING, PT_BINARY: HEX, PT_MV_STRING8: LIST}

# Hex spellings of named tags whose kind is not what the type alone says.
_TAG_KINDS = {tag: kind for tag, kind in NAMED.values() if tag is not None}


def kind_of(key: str) -> Kind:
    """The Kind for an entry name (named property, hex tag or other key)."""
    named = NAMED.get(fold(key))
    if named:
        return named[1]
    if HEX_TAG.match(key):
        tag = int(key, 16)
        if tag in (0x3D0C0102,):
            return FORBIDDEN
        if tag in _TAG_KINDS and _TAG_KINDS[tag] in (DLL, FLAGS):
            # PR_RESOURCE_FLAGS is PT_LONG, but MAPISVC.INF spells it with symbols.
            return _TAG_KINDS[tag]
        return BY_TYPE.get(tag & 0xFFFF, STRING)
    return STRING


def identity(key: str) -> int | str:
    """What an entry name stands for: a named property and its 8-hex-digit tag are the same
    property (``PR_SERVICE_DLL_NAME`` is ``3D0A001E``), so both spellings give the same
    identity; other names are compared case-insensitively."""
    named = NAMED.get(fold(key))
    if named and named[0] is not None:
        return named[0]
    if HEX_TAG.match(key):
        return int(key, 16)
    return fold(key)


def spellings(keys: Iterable[str], key: str) -> list[str]:
    """The names among ``keys`` that stand for the same property as ``key``, in order."""
    wanted = identity(key)
    return [name for name in keys if identity(name) == wanted]


def find(entries: Iterable[tuple[str, Optional[str]]], key: str) -> Optional[str]:
    """The value of property ``key`` among ``entries`` ((name, value) pairs in file order,
    value None where a line without ``=`` hides the name), spelled by name or by tag: the
    first spelling that has a value, or None."""
    wanted = identity(key)
    for name, value in entries:
        if value is not None and identity(name) == wanted:
            return value
    return None


# What a provider section needs. PR_PROVIDER_DLL_NAME tells MAPI where to find the provider's
# DLL (Microsoft Learn, "Registering Services and Service Providers in MapiSvc.inf"), so without
# it the provider cannot load: required. PR_RESOURCE_TYPE says which kind of provider it is; the
# MAPI reference ("MAPISVC.INF Service Provider Sections") lists it among the entries a typical
# provider section has: expected, a warning when missing.
PROVIDER_ENTRIES = (("PR_PROVIDER_DLL_NAME", True), ("PR_RESOURCE_TYPE", False))


def missing_provider_entries(names: Iterable[str]) -> list[tuple[str, bool]]:
    """What a provider section whose entries are ``names`` (spelled by name or tag) lacks:
    (entry, required) in PROVIDER_ENTRIES order; empty when the section is complete.
    mapisvc refuses a declared provider that lacks a required entry, mapisvc_info reports
    each missing entry, so the two agree on what a complete provider section is."""
    present = {identity(name) for name in names}
    return [(entry, required) for entry, required in PROVIDER_ENTRIES if identity(entry) not in present]


def check_key(key: object) -> Optional[str]:
    """Why ``key`` cannot be an entry name, or None. Keys are identifiers (PR_... names)
    or 8-hex-digit tags; all-hex names of another length are typos of a tag."""
    if not isinstance(key, str) or not key:
        return "a property name must be a non-empty string"
    if HEX_DIGITS.match(key) and any(c.isdigit() for c in key) and len(key) != 8:
        return ("%s looks like a property tag but has %d hex digits; a tag has 8 (property id "
                "and type, e.g. 66040003)" % (shown(key), len(key)))
    if HEX_TAG.match(key) or IDENTIFIER.match(key):
        return None
    return ("%s is neither a property name (letters, digits, underscore) nor an 8-hex-digit "
            "property tag" % shown(key))


def render(key: str, value: object) -> str:
    """File text for ``key`` = playbook ``value``; PropertyError says what is wrong."""
    kind = kind_of(key)
    if isinstance(value, int) and not isinstance(value, bool) and kind is not LONG:
        raise PropertyError("an integer is only written for PT_LONG tags (type 0003, e.g. "
                            "66040003); for %s %s" % (key, kind.hint))
    text = kind.render(value)
    for bad, what in (("\r", "carriage return"), ("\n", "line feed"), ("\0", "NUL")):
        if bad in text:
            raise PropertyError("the value contains a %s; an INI value is one line" % what)
    return text


def same(key: str, a: Optional[str], b: Optional[str]) -> bool:
    """Whether two spellings of ``key``'s value mean the same (None = missing)."""
    if a is None or b is None:
        return a is b
    return kind_of(key).same(a, b)


# Credentials never belong in MAPISVC.INF (MAPI reference, "File format of MapiSvc.inf").
SECRET_NAME = re.compile(r"(?i)(passw(or)?d|pwd|secret|token|credential|api_?key|private_?key)")
# A value is one when it names a credential (password=..., Bearer ...) or is a URL carrying
# one (scheme://user:password@host, RFC 3986 userinfo).
SECRET_VALUE = re.compile(r"(?i)(\b(passw(or)?d|pwd|secret|token|api_?key)\s*[=:]|\bbearer\s+\S"
                          r"|\b[a-z][a-z0-9+.-]*://[^/?#\s@:]*:[^/?#\s@]*@)")


def looks_secret(key: str, text: str) -> bool:
    return bool(SECRET_NAME.search(key) or SECRET_VALUE.search(text))


# What results, diffs, warnings and reports show instead of a credential-looking value.
REDACTED = "********"


def redact(key: str, text: object) -> object:
    """``text`` as it may be shown for entry ``key``: credential-looking values are masked."""
    if isinstance(text, str) and looks_secret(key or "", text):
        return REDACTED
    return text


def redact_text(text: str) -> str:
    """INI text (e.g. a diff) with the value of every credential-looking entry masked, line by
    line; comments and headers are kept (the rule for an entry line is ini.Line's: name before
    the first ``=``)."""
    lines = text.splitlines(True)
    for i, line in enumerate(lines):
        stripped = line.strip(BLANKS)
        if not stripped or stripped[0] in ";[" or "=" not in line:
            continue
        body = line.rstrip("\r\n")
        name, value = body.split("=", 1)
        if looks_secret(name.strip(BLANKS), value.strip(BLANKS)):
            lines[i] = "%s=%s%s" % (name, REDACTED, line[len(body):])
    return "".join(lines)
