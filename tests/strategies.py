# -*- coding: utf-8 -*-
"""Hypothesis strategies for messy MAPISVC.INF files and for service declarations.

Files come out as bytes, the way they sit on a Windows disk: ANSI (cp1252) or UTF-16LE with
a byte order mark, any line endings, comments, duplicates, odd blanks and quoting. Names
use one spelling per non-ASCII letter (é but never É): Wine folds only ASCII case while
Windows folds more, so names that differ in non-ASCII case would test Wine, not us.
"""

from __future__ import annotations

import string

from hypothesis import strategies as st

from ansible_collections.mapi.messaging.plugins.plugin_utils import ini, properties

# Blanks that may sit inside a line (CR and LF end it). All are trimmed by the API.
INLINE_BLANKS = " \t\v\f\x1a"

SERVICE_NAMES = ["MSEMS", "MSPST MS", "MSPST AB", "CONTOSO", "EMSDelegate", "MSUPST MS", "INTERSTOR"]
PROVIDER_NAMES = ["EMS_DSA", "EMS_MDB", "EMS_MDB_public", "MSPST MSP", "CONTOSO_AB", "CONTOSO_MS",
                  "MSEMS_MSMail_Section", "MSEMS_Profile"]
GLOBAL_NAMES = ["Services", "Default Services", "Help File Mappings"]
KEY_NAMES = ["PR_DISPLAY_NAME", "PR_PROVIDER_DISPLAY", "PR_SERVICE_DLL_NAME", "PR_SERVICE_ENTRY_NAME",
             "PR_RESOURCE_FLAGS", "PR_SERVICE_SUPPORT_FILES", "PR_PROVIDER_DLL_NAME", "PR_RESOURCE_TYPE",
             "PR_SERVICE_DELETE_FILES", "WIZARD_ENTRY_NAME", "Providers", "Sections", "UID",
             "6600001e", "66040003", "6601001E", "66000003", "MSEMS", "MSPST MS", "CONTOSO"]

# Lowercase-only non-ASCII letters (see the module docstring) and some cp1252 symbols.
NAME_CHARS = string.ascii_letters + string.digits + "_ .-#&()" + "éüßñø€"
PUNCTUATION = "=;[]'\"\\/:,|{}!" + INLINE_BLANKS
VALUE_CHARS = NAME_CHARS + PUNCTUATION + "ÉÜ£§"  # values are not compared by case
UTF16_ONLY_CHARS = "łΩж中"  # values only: they cannot be written to a cp1252 file

ENCODINGS = ("cp1252", "utf-16-le")
NEWLINES = ("\r\n", "\n", "\r")

SECRET = properties.SECRET_NAME


def _ascii_case(name, change):
    return "".join(change(c) if c.isascii() else c for c in name)


BLANK_RUNS = ["", " ", "  ", "\t", "\v", "\f", "\x1a", " \t", "\t \x1a", "\f\v", "\x1a\x1a"]
blanks = st.sampled_from(BLANK_RUNS)
# Blanks before a name, after it, after '=' and after the value: tidy or messy.
paddings = st.one_of(st.just(("", "", "", "")), st.tuples(blanks, blanks, blanks, blanks))


def _is_name(text):
    return bool(text) and text == text.strip(" \t\r\n\v\f\x1a") and text[0] not in ";["


random_names = st.text(alphabet=NAME_CHARS, min_size=1, max_size=12).filter(_is_name)


def names(pool):
    return st.one_of(st.sampled_from(pool), random_names)


def _values(encoding):
    alphabet = VALUE_CHARS + (UTF16_ONLY_CHARS if encoding == "utf-16-le" else "")
    plain = st.text(alphabet=alphabet, max_size=20)
    realistic = st.sampled_from([
        "Microsoft Exchange Server", "emsui.dll", "SERVICE_SINGLE_COPY | SERVICE_PRIMARY_IDENTITY",
        "MAPI_AB_PROVIDER", "EMS_DSA, EMS_MDB_public", "03000000", "13DBB0C8AA05101A9BB000AA002FC45A",
        "C:\\Program Files\\Contoso\\contoso.dll", "Personal Folders (€)", "Café Müller", ""])
    quoted = st.builds(lambda q, inner, b: q + b + inner + b + q, st.sampled_from(["'", '"']), plain, blanks)
    odd_quotes = st.sampled_from(['""', "''", '"', "'", '" spaced "', "'x\"", '"a" "b"', "\"'\"", "\" ' "])
    return st.one_of(plain, realistic, quoted, odd_quotes)


VALUES = {encoding: _values(encoding) for encoding in ENCODINGS}
REST_OF_LINE = st.text(alphabet=NAME_CHARS + PUNCTUATION, max_size=15)  # may become a key
LINE_KINDS = st.sampled_from(["entry"] * 4 + ["bare", "comment", "hash", "blank", "empty key"])
TRAILERS = st.sampled_from(["", "", "", " ; comment", "trailing text", "\t#x", " [not a name"])


def _key(draw, pool):
    if draw(st.integers(0, 4)):
        return _respell(draw, draw(st.sampled_from(pool)))
    return draw(random_names)


def _respell(draw, name):
    """The same name as Windows compares it, in another ASCII case (see the module docstring)."""
    how = draw(st.integers(0, 5))
    change = [None, None, None, str.upper, str.lower, str.swapcase][how]
    return _ascii_case(name, change) if change else name


def _line(draw, encoding, key_pool):
    kind = draw(LINE_KINDS)
    b1, b2, b3, b4 = draw(paddings)
    if kind == "entry":
        return b1 + _key(draw, key_pool) + b2 + "=" + b3 + draw(VALUES[encoding]) + b4
    if kind == "bare":  # no '=': hides later entries of that name
        return b1 + _key(draw, key_pool) + b2
    if kind == "comment":
        return b1 + ";" + draw(REST_OF_LINE)
    if kind == "hash":  # an ordinary entry for Windows
        return b1 + "#" + draw(REST_OF_LINE)
    if kind == "empty key":  # ends the API's key listing of the section
        return b1 + "=" + b3 + draw(VALUES[encoding])
    return b1 + b4


@st.composite
def files(draw, section_pool=(), key_pool=(), favourites=()):
    """A MAPISVC.INF as bytes; ``favourites`` are section names it is likely to hold, more
    than once when they are given more than once."""
    encoding = draw(st.sampled_from(ENCODINGS))
    pool = list(section_pool) + GLOBAL_NAMES + SERVICE_NAMES + PROVIDER_NAMES
    # A small per-file pool makes duplicate sections and keys likely.
    file_sections = list(favourites) + draw(st.lists(names(pool), min_size=1, max_size=4))
    file_keys = draw(st.lists(names(list(key_pool) + KEY_NAMES), min_size=1, max_size=5))
    lines = []
    if not draw(st.integers(0, 3)):  # lines before any header, which Windows ignores
        lines += [_line(draw, encoding, file_keys) for dummy in range(draw(st.integers(1, 3)))]
    for dummy in range(draw(st.integers(0, 5))):
        name = _respell(draw, draw(st.sampled_from(file_sections)))
        b1, b2, b3, b4 = draw(paddings)
        lines.append("%s[%s%s%s]%s%s" % (b1, b2, name, b3, draw(TRAILERS), b4))
        lines += [_line(draw, encoding, file_keys + [name]) for dummy in range(draw(st.integers(0, 6)))]
    mode = draw(st.sampled_from(NEWLINES + ("mixed",)))
    endings = [mode if mode != "mixed" else draw(st.sampled_from(NEWLINES)) for dummy in lines]
    if lines and draw(st.booleans()):
        endings[-1] = ""  # no final newline
    text = "".join(line + eol for line, eol in zip(lines, endings))
    if encoding == "utf-16-le":
        return ini.UTF16_BOM + text.encode("utf-16-le")
    return text.encode("cp1252")


# -- service declarations (module options), valid values only -----------------------------

identifiers = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,14}\Z").filter(
    lambda key: not SECRET.search(key) and key.upper() not in properties.NAMED
    and properties.check_key(key) is None)
hex_tags = st.from_regex(r"\A[0-9A-F]{4}(001E|001F|0003|0102|101E)\Z", fullmatch=True).filter(
    lambda tag: properties.kind_of(tag) not in (properties.DLL, properties.FLAGS, properties.FORBIDDEN))
text_values = st.text(alphabet=VALUE_CHARS, max_size=24).filter(
    lambda text: not properties.SECRET_VALUE.search(text))
flag_names = st.lists(st.sampled_from(["SERVICE_SINGLE_COPY", "SERVICE_NO_PRIMARY_IDENTITY",
                                       "SERVICE_PRIMARY_IDENTITY", "SERVICE_CREATE_WITH_STORE",
                                       "STATUS_PRIMARY_STORE", "STATUS_DEFAULT_STORE"]),
                      min_size=1, max_size=3, unique=True).filter(
    # The module refuses flags that claim and disclaim the primary identity at once.
    lambda flags: not set(properties.IDENTITY_FLAGS) <= set(flags))
dll_names = st.sampled_from(["contoso.dll", "C:\\Program Files\\Contoso\\contoso.dll", "emsui.dll",
                             "%windir%\\system\\mspst.dll", "C:\\MAPI Providers\\ab_prov.dll"])
file_lists = st.lists(st.sampled_from(["contoso.dll", "contosoui.dll", "readme.txt", "emsabp.dll"]),
                      min_size=1, max_size=3)
hex_values = st.from_regex(r"\A([0-9A-Fa-f]{2}){0,16}\Z")


def _value_for(tag):
    kind = properties.kind_of(tag)
    if kind is properties.LONG:
        return st.one_of(st.integers(-(2 ** 31), 2 ** 32 - 1), st.from_regex(r"\A[0-9A-F]{8}\Z"))
    if kind is properties.HEX:
        return hex_values
    if kind is properties.LIST:
        return file_lists
    return text_values


service_properties = st.fixed_dictionaries({}, optional={
    "PR_SERVICE_DLL_NAME": dll_names,
    "PR_SERVICE_ENTRY_NAME": st.sampled_from(["ServiceEntry", "EMSCfg", "PSTServiceEntry"]),
    "PR_RESOURCE_FLAGS": flag_names,
    "PR_SERVICE_SUPPORT_FILES": file_lists,
    "PR_SERVICE_INSTALL_ID": st.uuids().map(lambda u: "{%s}" % str(u).upper()),
    "PR_DISPLAY_NAME": text_values,
    "66040003": st.integers(0, 2 ** 31 - 1),
    "6600001e": text_values,
})

# PR_PROVIDER_DLL_NAME always: mapisvc refuses a provider without it
# (properties.missing_provider_entries), and a declaration generated here must be accepted.
provider_properties = st.fixed_dictionaries({"PR_PROVIDER_DLL_NAME": dll_names}, optional={
    "PR_RESOURCE_TYPE": st.sampled_from([["MAPI_AB_PROVIDER"], ["MAPI_STORE_PROVIDER"], ["MAPI_TRANSPORT_PROVIDER"]]),
    "PR_PROVIDER_DISPLAY": text_values,
    "PR_RESOURCE_FLAGS": flag_names,
})


@st.composite
def extra_properties(draw):
    """Nonstandard entries: identifiers and hex tags, each with a value of its kind."""
    keys = draw(st.lists(st.one_of(identifiers, hex_tags), max_size=3, unique_by=str.upper))
    return {key: draw(_value_for(key)) for key in keys}


def _merged(base, extra):
    merged = dict(base)
    taken = {key.upper() for key in merged}
    merged.update({key: value for key, value in extra.items() if key.upper() not in taken})
    return merged


@st.composite
def declarations(draw):
    """Module options for one service with valid values (declaration.from_args accepts them)."""
    chosen = draw(st.lists(names(SERVICE_NAMES + PROVIDER_NAMES), min_size=1, max_size=5,
                           unique_by=lambda n: n.upper()))
    chosen = [name for name in chosen if name.upper() not in [g.upper() for g in GLOBAL_NAMES]]
    service, linked = (chosen or ["CONTOSO"])[0], chosen[1:]
    n_providers = draw(st.integers(0, len(linked)))
    args = dict(
        service=service,
        display_name=draw(st.one_of(st.sampled_from(["Contoso Connector", "Microsoft Exchange Server",
                                                     "Personal Folders", " spaced ", '"quoted"']),
                                    text_values)),
        default_service=draw(st.sampled_from([True, False, None])),
        properties=_merged(draw(service_properties), draw(extra_properties())),
        state="present",
        purge=False,
    )
    # providers: omitted (Providers= left alone) or at least one, as the module requires.
    if n_providers:
        args["providers"] = [{"name": name, "properties": _merged(draw(provider_properties), draw(extra_properties()))}
                             for name in linked[:n_providers]]
    if linked[n_providers:]:
        args["sections"] = [{"name": name, "properties": {"UID": draw(hex_values)}}
                            for name in linked[n_providers:]]
    return args


def declared_names(args):
    return [args["service"]] + [item["name"] for item in args.get("providers") or []] + \
           [item["name"] for item in args.get("sections") or []]


@st.composite
def files_with_declarations(draw):
    """(file bytes, module options): the file often already has the declared sections and
    keys, in other case and possibly more than once."""
    args = draw(declarations())
    keys = list(args["properties"])
    for item in (args.get("providers") or []) + (args.get("sections") or []):
        keys += list(item["properties"])
    declared = declared_names(args)
    favourites = draw(st.lists(st.sampled_from(declared), max_size=4))
    return draw(files(section_pool=declared, key_pool=keys + [args["service"]], favourites=favourites)), args


# -- other services sharing sections, and a declaration reaching into them ----------------

GLOBAL_FOLDED = {ini.fold(name) for name in GLOBAL_NAMES}
LIST_SEPARATORS = [",", ", ", " , ", ",\t", " ,"]


def _entry(draw, key, value):
    """``key=value`` with messy blanks around both."""
    b1, b2, b3, b4 = draw(paddings)
    return b1 + _respell(draw, key) + b2 + "=" + b3 + value + b4


def _list_entry(draw, key, items):
    """A Providers= or Sections= entry naming ``items`` in any case and spacing."""
    separator = draw(st.sampled_from(LIST_SEPARATORS))
    return _entry(draw, key, separator.join(_respell(draw, item) for item in items))


def _noise(draw, encoding, key_pool, most=2):
    return [_line(draw, encoding, key_pool) for dummy in range(draw(st.integers(0, most)))]


def _header(draw, name):
    b1, b2, b3, b4 = draw(paddings)
    return "%s[%s%s%s]%s%s" % (b1, b2, _respell(draw, name), b3, draw(TRAILERS), b4)


def _linked_items(draw, candidates):
    """providers/sections option items for ``candidates``; some retired (state: absent)."""
    items = []
    for name in candidates:
        item = {"name": _respell(draw, name), "properties": {}}
        if draw(st.integers(0, 3)) == 0:
            item["state"] = "absent"
        items.append(item)
    return items


@st.composite
def shared_files_with_declarations(draw):
    """(file bytes, module options) for the "no harm" invariant.

    The file holds other services in [Services] whose Providers=/Sections= lists share
    sections with each other and possibly name the declared service's section; provider
    sections carry keys the declaration declares; sections come in any case, more than once,
    with comments and noise lines, in either encoding. The declaration (state present or
    absent, purge or not) names its providers and linked sections from every pool: fresh
    names, sections other services list, other services' own sections and MAPI's global
    sections, some retired with ``state: absent``.
    """
    encoding = draw(st.sampled_from(ENCODINGS))
    pool = [name for name in draw(st.lists(names(SERVICE_NAMES + PROVIDER_NAMES), min_size=3, max_size=9,
                                           unique_by=ini.fold))
            if ini.fold(name) not in GLOBAL_FOLDED]
    pool += ["ZZ_FILL_%d" % i for i in range(3 - len(pool))]
    service = pool[0]
    n_others = draw(st.integers(1, min(3, len(pool) - 2)))
    others, providers = pool[1:1 + n_others], pool[1 + n_others:]
    installed = draw(st.booleans())  # the declared service is already in the file
    owners = others + ([service] if installed else [])

    # -- the declaration
    state = draw(st.sampled_from(["present", "present", "absent"]))
    candidates = providers + others + GLOBAL_NAMES + [draw(random_names)]
    chosen = [name for name in draw(st.lists(st.sampled_from(candidates), max_size=4, unique_by=ini.fold))
              if ini.fold(name) != ini.fold(service)]
    n_providers = draw(st.integers(0, len(chosen)))
    args = dict(service=_respell(draw, service), state=state, purge=draw(st.booleans()),
                default_service=draw(st.sampled_from([True, False, None])),
                properties=_merged(draw(service_properties), draw(extra_properties())))
    if state == "present" or draw(st.booleans()):
        args["display_name"] = draw(st.one_of(st.sampled_from(["Contoso Connector", " spaced "]), text_values))
    if draw(st.integers(0, 3)) == 0:
        args["help_file"] = draw(st.sampled_from(["contoso.hlp", "C:\\Help\\contoso.chm"]))
    if n_providers:
        args["providers"] = _linked_items(draw, chosen[:n_providers])
        for item in args["providers"]:
            if item.get("state") != "absent":
                item["properties"] = _merged(draw(provider_properties), draw(extra_properties()))
        if state == "present" and all(item.get("state") == "absent" for item in args["providers"]):
            # The module needs one provider to keep, and a kept provider names its DLL.
            del args["providers"][0]["state"]
            args["providers"][0]["properties"] = draw(provider_properties)
    if chosen[n_providers:]:
        args["sections"] = _linked_items(draw, chosen[n_providers:])
        for item in args["sections"]:
            if item.get("state") != "absent":
                item["properties"] = {"UID": draw(hex_values)}

    # -- the file
    declared_keys = list(args["properties"])
    for item in (args.get("providers") or []) + (args.get("sections") or []):
        declared_keys += list(item["properties"])
    key_pool = declared_keys + KEY_NAMES[:6]
    values = VALUES[encoding]
    sections = []  # (name, [lines])

    def section(name, lines):
        sections.append((name, lines + _noise(draw, encoding, key_pool)))

    section("Services", [_entry(draw, owner, draw(values)) for owner in owners])
    if draw(st.booleans()):
        section("Default Services", [_entry(draw, owner, draw(values))
                                     for owner in draw(st.lists(st.sampled_from(owners), max_size=3))])
    if draw(st.booleans()):
        section("Help File Mappings", [_entry(draw, owner, "%s.hlp" % owner)
                                       for owner in draw(st.lists(st.sampled_from(owners), max_size=2))])
    # Other services list shared providers, the declared items (which the declared service may
    # list too) and now and then the declared service's own section.
    listable = st.sampled_from(providers + chosen + [service])
    for owner in owners:
        lines = [_entry(draw, "PR_SERVICE_DLL_NAME", "%s.dll" % owner)]
        # An installed declared service mostly lists what it declares again (a re-run).
        mine = st.sampled_from(chosen) if owner is service and chosen and draw(st.booleans()) else listable
        for list_key in ("Providers", "Sections"):
            if draw(st.integers(0, 3)):
                lines.append(_list_entry(draw, list_key,
                                         draw(st.lists(mine, min_size=1, max_size=3, unique_by=ini.fold))))
        lines += [_entry(draw, key, draw(values))
                  for key in draw(st.lists(st.sampled_from(key_pool), max_size=3))]
        section(owner, lines)
    for name in providers + chosen:  # sections named like the declaration's items
        if draw(st.integers(0, 2)):
            section(name, [_entry(draw, key, draw(values))
                           for key in draw(st.lists(st.sampled_from(key_pool), max_size=4))])
    # Later copies, which Windows does not read but which are the file's bytes all the same.
    for dummy in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(sections))[0]
        section(name, [_entry(draw, key, draw(values))
                       for key in draw(st.lists(st.sampled_from(key_pool), max_size=2))])
    order = draw(st.permutations(sections))
    lines = _noise(draw, encoding, key_pool) if not draw(st.integers(0, 3)) else []
    for name, body in order:
        lines.append(_header(draw, name))
        lines += body
    mode = draw(st.sampled_from(NEWLINES + ("mixed",)))
    endings = [mode if mode != "mixed" else draw(st.sampled_from(NEWLINES)) for dummy in lines]
    if draw(st.booleans()):
        endings[-1] = ""  # no final newline
    text = "".join(line + eol for line, eol in zip(lines, endings))
    data = ini.UTF16_BOM + text.encode("utf-16-le") if encoding == "utf-16-le" else text.encode("cp1252")
    return data, args
