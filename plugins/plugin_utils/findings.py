# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What MAPI really sees in a MAPISVC.INF, and what is wrong with it.

A pure core: bytes in, a report out, no I/O. The file is read with the same parser as
``mapisvc`` (``ini``), so a service is reported exactly as Windows' profile API reads it:
the first section and the first key of a name win, keys hidden by a line without ``=`` read
as missing, and a key list ends at an entry with an empty name. ``report`` gives the
services and a list of *findings*, each with a severity, the place (service, section, key,
line), a one-line message and a one-line fix. The guide is docs/mapisvc_info.md.

A *service section* is a section with at least one trait only a service section has:
``PR_SERVICE_DLL_NAME``, ``PR_SERVICE_ENTRY_NAME`` or ``Providers=`` (by name or tag).
Sections that any ``Providers=``/``Sections=`` entry names are provider or linked sections,
even with such a trait (a single-provider service may keep its service data there).
"""

from __future__ import annotations

from typing import Optional

from ansible_collections.mapi.messaging.plugins.plugin_utils import ini, properties
from ansible_collections.mapi.messaging.plugins.plugin_utils.declaration import (
    DEFAULT_SERVICES, GLOBAL_SECTIONS, LIST_KEYS, SERVICES)
from ansible_collections.mapi.messaging.plugins.plugin_utils.ini import fold
from ansible_collections.mapi.messaging.plugins.plugin_utils.properties import shown

ERROR = "error"
WARNING = "warning"

# Entries that make a section a service section (see the module docstring).
SERVICE_TRAITS = ("PR_SERVICE_DLL_NAME", "PR_SERVICE_ENTRY_NAME", "Providers")

_GLOBAL = {fold(name) for name in GLOBAL_SECTIONS}


class Finding:
    """One thing wrong with the file, where it is, and how to fix it."""

    __slots__ = ("severity", "code", "service", "section", "key", "line", "message", "fix")

    def __init__(self, severity, code, message, fix, service=None, section=None, key=None, line=None):
        self.severity, self.code, self.message, self.fix = severity, code, message, fix
        self.service, self.section, self.key, self.line = service, section, key, line

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}

    def __repr__(self):
        return "Finding(%s, %s, %r)" % (self.severity, self.code, self.message)


def _found(section):
    """The names a lookup in ``section`` finds a value for, first spelling of each, in file
    order. Unlike ``_values`` this includes keys after an empty key name (the API does not
    list them but finds them by name); a key hidden by a line without ``=`` is left out.
    A property counts whether the file spells it by name or by tag (properties.spellings)."""
    if section is None:
        return []
    names = ini.unique(line.name for line in section.entries() if line.name)
    return [name for name in names if section.get(name) is not None]


def _values(section):
    """A section's entries as the API lists and reads them; keys hidden by a line without
    ``=`` are left out (MAPI reads them as missing)."""
    if section is None:
        return {}
    return {key: value for key, value in section.items() if value is not None}


def _shown_values(section):
    """``_values`` as results show them: the file is readable by every user, but results end
    up in logs and reports, so credential-looking values are masked (the credential finding
    names the key)."""
    return {key: properties.redact(key, value) for key, value in _values(section).items()}


def _parse(data, codepage):
    """(Document as Windows reads it, name of the section a UTF-8 BOM hides or "" if it
    hides none, or None without a BOM).

    Windows decodes a UTF-8 byte order mark as three ANSI characters glued to the first
    line, so a ``[Services]`` there is no longer a header and its entries fall into the
    ignored part before the first section. ``ini.decode`` refuses the mark; one ordinary
    non-blank byte in its place parses the same way.
    """
    if not data.startswith(ini.UTF8_BOM):
        return ini.parse(data, codepage), None
    doc = ini.parse(b"?" + data[len(ini.UTF8_BOM):], codepage)
    garbled = doc.sections[0].lines[0]
    first = ini.Line(garbled.text[1:], "")
    return doc, (first.name if first.kind == "header" else "")


class _Reader:
    """Builds the report of one parsed file."""

    def __init__(self, doc):
        self.doc = doc
        self.findings = []
        self.numbers = {}
        number = 0
        for section in doc.sections:
            for line in ([section.header] if section.header is not None else []) + section.lines:
                number += 1
                self.numbers[id(line)] = number
        listed = doc.section(SERVICES)
        self.service_names = listed.keys() if listed is not None else []
        # fold(section) -> the service it belongs to (its own section, providers, links).
        self.owner = {}
        for name in self.service_names:
            self.owner.setdefault(fold(name), name)
        for name in self.service_names:
            for list_key in LIST_KEYS:
                for item in self.linked(doc.section(name), list_key):
                    self.owner.setdefault(fold(item), name)

    def add(self, severity, code, message, fix, service=None, section=None, key=None, line=None):
        number = self.numbers.get(id(line)) if line is not None else None
        self.findings.append(Finding(severity, code, message, fix, service, section, key, number))

    @staticmethod
    def linked(section, list_key):
        text = section.get(list_key) if section is not None else None
        return properties.SECTION_LIST.names(text) if text else []

    def visible_sections(self):
        """The first copy of every section name, in file order."""
        return [self.doc.section(name) for name in ini.unique(self.doc.section_names())]

    # -- services --------------------------------------------------------------------
    def services(self):
        defaults = self.doc.section(DEFAULT_SERVICES)
        default_names = {fold(key) for key in defaults.keys()} if defaults is not None else set()
        listed = self.doc.section(SERVICES)
        result = []
        for name in self.service_names:
            section = self.doc.section(name)
            result.append({
                "name": name,
                "display_name": properties.redact("", listed.get(name)),
                "default": fold(name) in default_names,
                "section_exists": section is not None,
                "properties": _shown_values(section),
                "providers": self._linked_sections(section, "Providers"),
                "sections": self._linked_sections(section, "Sections"),
            })
        return result

    def _linked_sections(self, section, list_key):
        items = []
        for item in self.linked(section, list_key):
            found = self.doc.section(item)
            items.append({"name": item, "exists": found is not None, "properties": _shown_values(found)})
        return items

    # -- findings ----------------------------------------------------------------------
    def check(self):
        self.check_duplicate_sections()
        self.check_duplicate_keys()
        self.check_links()
        self.check_unlisted_service_sections()
        self.check_provider_entries()
        self.check_entries()
        self.check_credentials()

    def check_duplicate_sections(self):
        for name in self.doc.duplicate_sections():
            copies = self.doc.copies(name)
            lines = ", ".join(str(self.numbers[id(copy.header)]) for copy in copies)
            self.add(WARNING, "duplicate-section",
                     "[%s] occurs %d times (lines %s); Windows reads only the first, so MAPI never "
                     "sees the entries of the later copies" % (name, len(copies), lines),
                     "merge the entries that are needed into the first [%s] and delete the later copies"
                     % name, service=self.owner.get(fold(name)), section=name, line=copies[1].header)

    def check_duplicate_keys(self):
        for section in self.visible_sections():
            groups = {}
            for line in section.entries():
                if line.name:
                    groups.setdefault(fold(line.name), []).append(line)
            for lines in groups.values():
                if len(lines) < 2:
                    continue
                first, later = lines[0], lines[1]
                service = self.owner.get(fold(section.name))
                if fold(section.name) in _GLOBAL:
                    service = first.name  # the keys of the global sections are service names
                where = "lines %s" % ", ".join(str(self.numbers[id(line)]) for line in lines)
                if first.value is None:
                    message = ("%s in [%s] first occurs without '=' (%s), which hides the later %s= "
                               "lines: MAPI reads %s as missing" % (first.name, section.name, where,
                                                                    first.name, first.name))
                    fix = "delete the line without '=' (line %d), or give it the value" % self.numbers[id(first)]
                else:
                    message = ("%s occurs %d times in [%s] (%s); Windows reads only the first, %s"
                               % (first.name, len(lines), section.name, where,
                                  shown(properties.redact("" if fold(section.name) in _GLOBAL else first.name,
                                                          first.value))))
                    fix = "keep one %s line in [%s] with the value MAPI should read" % (first.name, section.name)
                self.add(WARNING, "duplicate-key", message, fix, service=service, section=section.name,
                         key=first.name, line=later)

    def check_links(self):
        for name in self.service_names:
            section = self.doc.section(name)
            if section is None:
                self.add(ERROR, "service-without-section",
                         "[Services] lists %s but the file has no [%s] section, so MAPI cannot add the "
                         "service to a profile" % (name, name),
                         "add the [%s] section (reinstall the service), or remove %s from [Services]"
                         % (name, name),
                         service=name, section=SERVICES, key=name,
                         line=self.doc.section(SERVICES).first_entry(name))
                continue
            for list_key in LIST_KEYS:
                for item in self.linked(section, list_key):
                    if self.doc.section(item) is None:
                        self.add(ERROR, "missing-section",
                                 "%s= of [%s] names [%s], which the file lacks, so MAPI cannot add the "
                                 "service to a profile" % (list_key, name, item),
                                 "add the [%s] section, or remove %s from %s=" % (item, item, list_key),
                                 service=name, section=section.name, key=list_key,
                                 line=section.first_entry(list_key))

    def check_unlisted_service_sections(self):
        referenced = set(self.owner)
        for section in self.visible_sections():
            for list_key in LIST_KEYS:
                referenced.update(fold(item) for item in self.linked(section, list_key))
        for section in self.visible_sections():
            name = section.name
            if fold(name) in referenced or fold(name) in _GLOBAL:
                continue
            found = _found(section)
            traits = [trait for trait in SERVICE_TRAITS if properties.spellings(found, trait)]
            provider_traits = [entry for entry, dummy in properties.PROVIDER_ENTRIES
                               if properties.spellings(found, entry)]
            if traits:
                self.add(WARNING, "section-without-service",
                         "[%s] looks like a service section (it has %s) but [Services] does not list "
                         "it, so MAPI never offers the service" % (name, ", ".join(traits)),
                         "add %s=<display name> to [Services], or delete [%s] and its provider "
                         "sections if the service was uninstalled" % (name, name),
                         section=name, line=section.header)
            elif provider_traits:
                # Typically a provider an upgrade dropped from Providers= but left in the file.
                self.add(WARNING, "provider-without-service",
                         "[%s] looks like a provider section (it has %s) but no service lists it in "
                         "Providers=, so MAPI never loads it" % (name, ", ".join(provider_traits)),
                         "if a service still needs it, add it to that service's Providers=; if not, "
                         "delete [%s] (mapi.messaging.mapisvc: list it in providers with state: absent)"
                         % name, section=name, line=section.header)

    def check_provider_entries(self):
        seen = set()
        for name in self.service_names:
            for item in self.linked(self.doc.section(name), "Providers"):
                provider = self.doc.section(item)
                if provider is None or fold(item) in seen:
                    continue
                seen.add(fold(item))
                # The rule mapisvc refuses a declared provider by (properties.PROVIDER_ENTRIES).
                for entry, required in properties.missing_provider_entries(_found(provider)):
                    self.add(ERROR if required else WARNING, "provider-missing-entry",
                             "provider section [%s] of %s has no %s, which MAPI needs to load "
                             "the provider" % (provider.name, name, entry),
                             "add %s=... to [%s] (see the service's installation notes)"
                             % (entry, provider.name),
                             service=name, section=provider.name, key=entry, line=provider.header)

    def check_entries(self):
        """DLL names, PR_SERVICE_UID and contradicting flags, as MAPI reads them."""
        for section in self.visible_sections():
            if fold(section.name) in _GLOBAL:
                continue  # their keys are service names, not properties
            service = self.owner.get(fold(section.name))
            for key, value in _values(section).items():
                kind = properties.kind_of(key)
                line = section.first_entry(key)
                where = dict(service=service, section=section.name, key=key, line=line)
                if kind is properties.DLL:
                    self._check_dll(key, value, where)
                elif kind is properties.FORBIDDEN:
                    self.add(ERROR, "service-uid",
                             "[%s] has %s, which MAPI computes itself when the service is added to a "
                             "profile" % (section.name, key),
                             "delete the %s line from [%s]" % (key, section.name), **where)
                elif kind is properties.FLAGS:
                    if properties.FLAGS.contradicts(value):
                        self.add(ERROR, "primary-identity-conflict",
                                 "%s of [%s] sets both SERVICE_PRIMARY_IDENTITY and "
                                 "SERVICE_NO_PRIMARY_IDENTITY, which exclude each other"
                                 % (key, section.name),
                                 "keep SERVICE_PRIMARY_IDENTITY only if the service supplies the "
                                 "profile's identity, else keep SERVICE_NO_PRIMARY_IDENTITY", **where)

    def _check_dll(self, key, value, where):
        problem = properties.dll_problem(value)
        if problem is None:
            return
        code, message = problem
        if code == "suffix":
            self.add(ERROR, "dll-32-suffix", "%s: %s" % (key, message),
                     "write the name without the 32 (MAPI adds it) and keep the DLL's file name "
                     "with it", **where)
        else:
            self.add(ERROR, "dll-path-period", "%s: %s" % (key, message),
                     "install the DLL in a folder without periods and write its full path with one "
                     "period, before the extension", **where)

    def check_credentials(self):
        """Every line, also in copies MAPI never reads: the file is readable by every user."""
        for section in self.doc.sections:
            in_global = section.name is not None and fold(section.name) in _GLOBAL
            for line in section.entries():
                if line.value is None:
                    continue
                # In the global sections the keys are service names, not property names.
                if properties.looks_secret("" if in_global else line.name, line.value):
                    self.add(ERROR, "credential",
                             "%s in [%s] looks like a password or other credential, and every user "
                             "can read MAPISVC.INF" % (line.name, section.name or "(before any section)"),
                             "delete it and rotate the credential; keep credentials in the profile as "
                             "secure properties",
                             service=self.owner.get(fold(section.name)) if section.name else None,
                             section=section.name, key=line.name, line=line)


def _bom_finding(reader, hidden):
    if hidden:
        reader.add(ERROR, "utf8-bom",
                   "the file starts with a UTF-8 byte order mark, which Windows reads as three "
                   "characters glued to the first line, so MAPI does not see the section [%s] "
                   "that starts there" % hidden,
                   "remove the first three bytes (EF BB BF): save the file as ANSI, or as Unicode "
                   "(UTF-16LE)", section=hidden, line=reader.doc.sections[0].lines[0])
    else:
        reader.add(WARNING, "utf8-bom",
                   "the file starts with a UTF-8 byte order mark, which Windows reads as three "
                   "characters glued to the first line; harmless while that line is no section "
                   "header, but a section placed there would be invisible to MAPI",
                   "remove the first three bytes (EF BB BF): save the file as ANSI, or as Unicode "
                   "(UTF-16LE)", line=reader.doc.sections[0].lines[0])


def report(path: str, data: Optional[bytes], codepage: str = "cp1252") -> dict:
    """The report for one path: ``data`` is the file's bytes, or None if it does not exist."""
    result = {"path": path, "exists": data is not None, "encoding": None, "services": [], "findings": []}
    if data is None:
        return result
    try:
        doc, hidden = _parse(data, codepage)
    except ini.IniError as e:
        result["findings"] = [Finding(
            ERROR, "unreadable", "Windows cannot read this file the way MAPI expects: %s" % e,
            "save it as ANSI in the target's code page (option codepage) or as Unicode (UTF-16LE "
            "with byte order mark)").as_dict()]
        return result
    reader = _Reader(doc)
    if hidden is not None:
        _bom_finding(reader, hidden)
    reader.check()
    result["encoding"] = doc.codec
    result["services"] = reader.services()
    findings = sorted(reader.findings, key=lambda f: (f.line is None, f.line or 0))
    result["findings"] = [finding.as_dict() for finding in findings]
    return result


def summary(files: list[dict]) -> dict:
    """The task's totals: every service name (first spelling, sorted) and findings by
    severity."""
    names = {}
    counts = {ERROR: 0, WARNING: 0}
    for item in files:
        for service in item["services"]:
            names.setdefault(fold(service["name"]), service["name"])
        for finding in item["findings"]:
            counts[finding["severity"]] += 1
    return {"services": [names[key] for key in sorted(names)], "findings_count": counts}
