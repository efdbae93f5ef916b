# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make a parsed MAPISVC.INF say what the declared services say, and record each change.

Values are compared by meaning (``properties.same``), so a file that already says the same
thing in another spelling gets no edit at all; when nothing changes, the document renders
to the exact bytes it was parsed from.
"""

from __future__ import annotations

from ansible_collections.mapi.messaging.plugins.plugin_utils import ini, properties
from ansible_collections.mapi.messaging.plugins.plugin_utils.declaration import (
    DEFAULT_SERVICES, GLOBAL_SECTIONS, HELP_FILE_MAPPINGS, LIST_KEYS, SERVICES)
from ansible_collections.mapi.messaging.plugins.plugin_utils.ini import fold


class Change:
    """One edit, for the audit trail. ``key`` is None when a whole section was added or
    removed; ``before``/``after`` then hold that section's entries as a dict."""

    __slots__ = ("section", "key", "before", "after")

    def __init__(self, section, key, before, after):
        self.section, self.key, self.before, self.after = section, key, before, after

    def as_dict(self):
        return {"section": self.section, "key": self.key, "before": self.before, "after": self.after}

    def __repr__(self):
        return "Change(%r, %r, %r, %r)" % (self.section, self.key, self.before, self.after)


class Plan:
    """Applies services to a Document, collecting changes and warnings."""

    def __init__(self, doc):
        self.doc = doc
        self.changes = []
        self.warnings = []
        self._warned = set()

    # -- primitives ----------------------------------------------------------------
    def set(self, section, key, text):
        before = self.doc.get(section, key)
        if properties.same(key, before, text) and self.doc.section(section).is_listed(key):
            return
        self._warn_duplicates(section)
        self.ensure_section(section)
        self.doc.set(section, key, text)
        self.changes.append(Change(section, key, before, text))

    def delete(self, section, key):
        before = self.doc.get(section, key)
        found = self.doc.section(section)
        if found is None or found.first_entry(key) is None:
            return
        self.doc.delete(section, key)
        self.changes.append(Change(section, key, before, None))

    def ensure_section(self, name):
        if self.doc.section(name) is None:
            self.doc.set_section(name)
            self.changes.append(Change(name, None, None, {}))

    def remove_section(self, name):
        found = self.doc.section(name)
        if found is None:
            return
        before = dict(found.items())
        self.doc.remove_section(name)
        self.changes.append(Change(found.name, None, before, None))

    def _warn_duplicates(self, section):
        copies = self.doc.copies(section)
        if len(copies) > 1 and fold(section) not in self._warned:
            self._warned.add(fold(section))
            self.warnings.append(
                "[%s] occurs %d times; Windows reads only the first, so only the first was "
                "edited. Remove the later copies" % (copies[0].name, len(copies)))

    # -- reading the file's links --------------------------------------------------
    def listed(self, service, list_key):
        """Section names in a service section's Providers= or Sections= entry."""
        text = self.doc.get(service, list_key)
        return properties.SECTION_LIST.names(text) if text else []

    def referenced_by_others(self, service):
        """fold(section) -> name of another service that uses the section."""
        refs = {}
        listed = self.doc.section(SERVICES)
        for other in (listed.keys() if listed else []):
            if fold(other) == fold(service):
                continue
            refs.setdefault(fold(other), other)
            for list_key in LIST_KEYS:
                for item in self.listed(other, list_key):
                    refs.setdefault(fold(item), other)
        for name in GLOBAL_SECTIONS:
            refs[fold(name)] = "MAPI itself"
        return refs

    def remove_unless_shared(self, names, service):
        refs = self.referenced_by_others(service)
        for name in names:
            if fold(name) in refs:
                if self.doc.section(name) is not None:
                    self.warnings.append("[%s] was kept: service %s also references it"
                                         % (name, refs[fold(name)]))
                continue
            self.remove_section(name)

    # -- services ------------------------------------------------------------------
    def present(self, service, purge=False):
        name = service.name
        before_lists = {key: self.listed(name, key) for key in LIST_KEYS}
        self.set(SERVICES, name, service.display_name)
        if service.default_service is True:
            self.set(DEFAULT_SERVICES, name, service.display_name)
        elif service.default_service is False:
            self.delete(DEFAULT_SERVICES, name)
        if service.help_file is not None:
            self.set(HELP_FILE_MAPPINGS, name, service.help_file)
        self._entries(name, service.section_entries(), purge,
                      keep=[key for key, declared in zip(LIST_KEYS, (service.providers, service.sections))
                            if declared is None])
        for linked in service.linked():
            self._entries(linked.name, linked.entries, purge)
        # Dropped: listed before, declared neither present nor retired (retired ones go below).
        accounted = {fold(linked.name) for linked in service.linked()} | {fold(item) for item in service.retired}
        dropped = []
        for list_key, declared in zip(LIST_KEYS, (service.providers, service.sections)):
            if declared is not None:
                dropped += [item for item in before_lists[list_key] if fold(item) not in accounted]
        if purge:
            self.remove_unless_shared(dropped, name)
        else:
            for item in dropped:
                if self.doc.section(item) is not None:
                    # Only this run knows the section was the service's: say how to remove it
                    # later too (state: absent works in any run; purge only in this one).
                    self.warnings.append("[%s] is no longer listed by %s and was left in place; declare it "
                                         "with state: absent (or run with purge: true while dropping it) "
                                         "to remove it" % (item, name))
        # Retired sections go whenever the run happens, also after an earlier run dropped them.
        self.remove_unless_shared(service.retired, name)

    def _entries(self, section, entries, purge, keep=()):
        self.ensure_section(section)
        for key, text in entries.items():
            self.set(section, key, text)
        if purge:
            declared = {fold(key) for key in entries} | {fold(key) for key in keep}
            # Every key line, not the API's listing, which an empty key name cuts short.
            present = [line.name for line in self.doc.section(section).entries()
                       if line.name and line.value is not None]
            for key in ini.unique(present):
                if fold(key) not in declared:
                    self.delete(section, key)

    def absent(self, service):
        name = service.name
        linked = []
        for list_key in LIST_KEYS:
            linked += self.listed(name, list_key)
        linked += [s.name for s in service.linked()] + service.retired
        for section in (SERVICES, DEFAULT_SERVICES, HELP_FILE_MAPPINGS):
            self.delete(section, name)
        self.remove_unless_shared([name] + ini.unique(linked), name)


def apply(doc, services, state="present", purge=False):
    """Edit ``doc`` so that it says what ``services`` declare; return the Plan (its
    ``changes`` and ``warnings``)."""
    plan = Plan(doc)
    for service in services:
        if state == "present":
            plan.present(service, purge)
        else:
            plan.absent(service)
    return plan
