# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make a parsed MAPISVC.INF say what the declared services say, and record each change.

Values are compared by meaning (``properties.same``), so a file that already says the same
thing in another spelling gets no edit at all; when nothing changes, the document renders
to the exact bytes it was parsed from.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, Callable, Iterable, Optional

from ansible_collections.mapi.messaging.plugins.plugin_utils import declaration, ini, properties
from ansible_collections.mapi.messaging.plugins.plugin_utils.declaration import (
    DEFAULT_SERVICES, GLOBAL_SECTIONS, HELP_FILE_MAPPINGS, LIST_KEYS, SERVICES, DeclarationError)
from ansible_collections.mapi.messaging.plugins.plugin_utils.ini import fold


GLOBAL_FOLDED = frozenset(fold(name) for name in GLOBAL_SECTIONS)


def _ascii_fold(name):
    """Case folded for ASCII letters only, as Wine's profile API compares names."""
    return "".join(char.upper() if char < "\x80" else char for char in name)


class Change:
    """One edit, for the audit trail. ``key`` is None when a whole section was added or
    removed; ``before``/``after`` then hold that section's entries as a dict."""

    __slots__ = ("section", "key", "before", "after")

    def __init__(self, section, key, before, after):
        self.section, self.key, self.before, self.after = section, key, before, after

    def as_dict(self) -> dict[str, Any]:
        """The change as results show it: credential-looking values masked."""
        return {"section": self.section, "key": self.key,
                "before": _shown(self.key, self.before), "after": _shown(self.key, self.after)}

    def __repr__(self):
        return "Change(%r, %r, %r, %r)" % (self.section, self.key, self.before, self.after)


def _shown(key, value):
    if isinstance(value, dict):
        return {name: properties.redact(name, text) for name, text in value.items()}
    return properties.redact(key, value)


class Plan:
    """Applies services to a Document, collecting changes and warnings."""

    def __init__(self, doc):
        self.doc = doc
        self.changes = []
        self.warnings = []
        self._warned = set()
        self._others = {}

    # -- primitives ----------------------------------------------------------------
    def set(self, section: str, key: str, text: str) -> None:
        before = self.doc.get(section, key)
        if properties.same(key, before, text) and self.doc.section(section).is_listed(key):
            return
        self._warn_duplicates(section)
        self.ensure_section(section)
        self.doc.set(section, key, text)
        self.changes.append(Change(section, key, before, text))

    def delete(self, section: str, *keys: str) -> None:
        """Remove the keys from the section, each recorded as a change; one pass over the
        section's lines however many keys go (a purge may remove thousands)."""
        found = self.doc.section(section)
        if found is None:
            return
        present = [key for key in keys if found.first_entry(key) is not None]
        if not present:
            return
        befores = [found.get(key) for key in present]
        self.doc.delete(section, *present)
        self.changes.extend(Change(section, key, before, None) for key, before in zip(present, befores))

    def ensure_section(self, name: str) -> None:
        if self.doc.section(name) is None:
            self.doc.set_section(name)
            self.changes.append(Change(name, None, None, {}))

    def remove_section(self, name: str) -> None:
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
    def listed(self, service: str, list_key: str) -> list[str]:
        """Section names in a service section's Providers= or Sections= entry."""
        text = self.doc.get(service, list_key)
        return properties.SECTION_LIST.names(text) if text else []

    def referenced_by_others(self, service: str) -> dict[str, str]:
        """fold(section) -> another service that uses the section (or "MAPI itself")."""
        return {folded: owner for folded, (owner, dummy) in self.others([service]).items()}

    def services_in_file(self) -> list[str]:
        """Every name the file may hold a service under, first spelling kept: each key of every
        [Services] copy, also one the API's listing hides (a line without ``=``, a line after an
        empty key, a later copy), since MAPI still finds the service's section by name; and each
        section with Providers= or Sections=, a service whose [Services] line is gone."""
        names = [line.name for section in self.doc.copies(SERVICES) for line in section.entries() if line.name]
        names += [name for name in self.doc.sections_with(LIST_KEYS) if fold(name) not in GLOBAL_FOLDED]
        return ini.unique(names)

    def others(self, declared: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Who else owns what, as the file says before any edit: fold(section) -> (owner, how),
        ``how`` being ``global`` (MAPI's own sections), ``service`` (another service's own
        section, see ``services_in_file``) or ``listed`` (another service's Providers= or
        Sections= names it). ``declared``: the names of the services of this run, which may
        share sections among themselves."""
        mine = frozenset(fold(name) for name in declared)
        # Reading every service's lists is the costliest read of a run; the answer holds until
        # the next edit (an unchanged file is asked twice: before applying and while removing).
        cached = self._others.get(mine)
        if cached is not None and cached[0] == len(self.changes):
            return cached[1]
        others = [name for name in self.services_in_file() if fold(name) not in mine]
        owners = {}
        for other in others:
            for list_key in LIST_KEYS:
                for item in self.listed(other, list_key):
                    owners.setdefault(fold(item), (other, "listed"))
        for other in others:
            owners[fold(other)] = (other, "service")
        for name in GLOBAL_SECTIONS:
            owners[fold(name)] = ("MAPI itself", "global")
        self._others[mine] = (len(self.changes), owners)
        return owners

    def check_ownership(self, services: list[declaration.Service], state: str = "present") -> None:
        """Refuse, before any edit, a declaration that names a section it does not own.

        A service owns its own section, its entries in the global sections, and its provider
        and linked sections, unless such a section is MAPI's own, another service's own
        section, or listed by another service and not (yet) by this one. A section both list
        is shared: the other service reads it too, so a declaration may keep it as it is but
        never change it (nor purge or remove it)."""
        declared = [service.name for service in services]
        owners = self.others(declared)
        problems = self._ambiguous_case(services)
        for service in services:
            ours = {fold(item) for list_key in LIST_KEYS for item in self.listed(service.name, list_key)}
            wanted = {fold(linked.name): linked.entries for linked in service.linked()} if state == "present" else {}
            names = [(service.name, "the service section")] + [
                (name, "the provider or linked section") for name in
                [linked.name for linked in service.linked()] + list(service.retired)]
            for name, what in names:
                owner, how = owners.get(fold(name), (None, None))
                if owner is None:
                    continue
                if how == "listed" and fold(name) in ours and name != service.name:
                    change = self._change_to(name, wanted.get(fold(name)))
                    if change:
                        problems.append(
                            "%s: %s [%s] is shared with service %s (both list it), and %s would change what %s "
                            "reads too; declare the values the file already has, or give this service a "
                            "section of its own (nothing was changed)" % (service.name, what, name, owner, change, owner))
                    continue
                said = {"global": "one of MAPISVC.INF's own sections",
                        "service": "the section of service %s" % owner,
                        "listed": "listed by service %s" % owner}[how]
                problems.append("%s: %s [%s] is %s, which this service does not own; give it a name "
                                "of its own (nothing was changed)" % (service.name, what, name, said))
        if problems:
            raise DeclarationError(problems)

    def _ambiguous_case(self, services_declared):
        """Problems for declared names that equal a name in the file only when letters beyond
        ASCII are folded (``contoso_ımap`` and ``CONTOSO_IMAP``): Wine's profile API, our
        oracle, folds ASCII letters only, and what Windows does is unverified, so whether the
        two are one section is not certain; such a name is refused rather than guessed."""
        services = [(fold(line.name), line.name) for section in self.doc.copies(SERVICES)
                    for line in section.entries() if line.name]
        problems = []
        for service in services_declared:
            for name in [service.name] + [linked.name for linked in service.linked()] + list(service.retired):
                # Sections of the same folded name come from the document's index, not a scan.
                folded = fold(name)
                spelled = [section.name for section in self.doc.copies(name)] + [
                    other for key, other in services if key == folded]
                for other in dict.fromkeys(spelled):
                    if _ascii_fold(other) != _ascii_fold(name):
                        problems.append("%s: [%s] differs from [%s] in the file only in the case of letters "
                                        "beyond ASCII, which Windows may or may not read as the same section; "
                                        "spell it as the file does, or give it a name of its own (nothing was "
                                        "changed)" % (service.name, name, other))
                        break
        return problems

    def _change_to(self, name, entries):
        """What applying ``entries`` to section ``name`` would change ("creating it", "setting
        KEY", ...), or None if the section already says exactly that (None entries: nothing is
        written there)."""
        if entries is None:
            return None
        found = self.doc.section(name)
        if found is None:
            return "creating it"
        spelled = {}
        for line in found.entries():
            if line.name and line.value is not None:
                spelled.setdefault(properties.identity(line.name), set()).add(fold(line.name))
        for key, text in entries.items():
            if not properties.same(key, found.get(key), text) or not found.is_listed(key):
                return "setting %s" % key
            if spelled.get(properties.identity(key), set()) - {fold(key)}:
                return "respelling %s" % key
        return None

    def shared_with(self, section: str, service: str) -> Optional[str]:
        """Another service that lists ``section`` (a section this service shares), or None."""
        owner = self.others([service]).get(fold(section))
        return owner[0] if owner else None

    def remove_unless_shared(self, names: Iterable[str], service: str) -> None:
        refs = self.referenced_by_others(service)
        for name in names:
            if fold(name) in refs:
                if self.doc.section(name) is not None:
                    self.warnings.append("[%s] was kept: service %s also references it"
                                         % (name, refs[fold(name)]))
                continue
            self.remove_section(name)

    # -- services ------------------------------------------------------------------
    def present(self, service: declaration.Service, purge: bool = False) -> None:
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
            other = self.shared_with(linked.name, name) if purge else None
            if other is not None:
                # Purging would delete keys the other service may rely on.
                self.warnings.append("[%s] is also listed by service %s, so purge left its undeclared "
                                     "keys in place" % (linked.name, other))
            self._entries(linked.name, linked.entries, purge and other is None)
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
        # A property spelled otherwise in the file (PR_SERVICE_DLL_NAME as 3D0A001E) goes, so
        # that only the declared spelling remains for MAPI to read. One pass over the section.
        spelled = {}
        for line in self.doc.section(section).entries():
            if line.name and line.value is not None:
                spelled.setdefault(properties.identity(line.name), []).append(line.name)
        for key in entries:
            for other in ini.unique(spelled.get(properties.identity(key), ())):
                if fold(other) != fold(key):
                    self.delete(section, other)
        for key, text in entries.items():
            self.set(section, key, text)
        if purge:
            declared = {fold(key) for key in entries} | {fold(key) for key in keep}
            # Every key line, not the API's listing, which an empty key name cuts short.
            present = [line.name for line in self.doc.section(section).entries()
                       if line.name and line.value is not None]
            self.delete(section, *[key for key in ini.unique(present) if fold(key) not in declared])

    def absent(self, service: declaration.Service) -> None:
        name = service.name
        linked = []
        for list_key in LIST_KEYS:
            linked += self.listed(name, list_key)
        linked += [s.name for s in service.linked()] + service.retired
        for section in (SERVICES, DEFAULT_SERVICES, HELP_FILE_MAPPINGS):
            self.delete(section, name)
        self.remove_unless_shared([name] + ini.unique(linked), name)


def apply(doc: ini.Document, services: list[declaration.Service], state: str = "present", purge: bool = False) -> Plan:
    """Edit ``doc`` so that it says what ``services`` declare; return the Plan (its
    ``changes`` and ``warnings``). A declaration that names sections it does not own raises
    DeclarationError before any edit."""
    plan = Plan(doc)
    plan.check_ownership(services, state)
    for service in services:
        if state == "present":
            plan.present(service, purge)
        else:
            plan.absent(service)
    return plan


@dataclasses.dataclass(frozen=True)
class Edit:
    """What declaring services does to one copy of MAPISVC.INF, decided without writing it.

    ``doc``: the edited document; ``applied``: the Plan (its ``changes`` and ``warnings``);
    ``rendered``: the bytes the file would hold; ``changed``: whether writing is needed;
    ``before``: the text before the edit when asked for (a diff), else None."""

    doc: ini.Document
    applied: Plan
    rendered: bytes
    changed: bool
    before: str | None = None


def edit(original: Optional[bytes], declare: Callable[[Callable[[str], bool]], list[declaration.Service]], state: str = "present",
         purge: bool = False, codepage: str = "cp1252", diff: bool = False) -> Edit:
    """Apply the services ``declare(can_encode)`` returns to a copy of MAPISVC.INF.

    ``original``: the copy's bytes, or None when it does not exist (a copy to create; with
    ``state: absent`` nothing is removed from it). ``declare`` builds the services once the
    file's encoding is known, so a value the file cannot hold is refused. One function for
    the ``mapisvc`` action (which writes ``rendered`` when ``changed``) and the role's plan
    (which runs the action only on copies that would change), so both decide alike.
    Raises ini.IniError for a file that cannot be edited safely and DeclarationError for a
    refused declaration; neither leaves anything changed."""
    doc = ini.parse(original if original is not None else b"", codepage)
    before = doc.text() if diff else None
    applied = apply(doc, declare(doc.can_encode), state, purge)
    rendered = doc.render()
    # A missing file is created even when the declaration renders no bytes of its own.
    changed = rendered != (original or b"") or (original is None and bool(applied.changes))
    return Edit(doc=doc, applied=applied, rendered=rendered, changed=changed, before=before)


def from_options(options: dict[str, Any]) -> Callable[[Callable[[str], bool]], list[declaration.Service]]:
    """The ``declare`` of ``edit`` for the module's options (``service``, ``display_name``,
    ``properties``, ...): one Service, checked against the file's encoding."""
    return functools.partial(declared_by_options, options)


def declared_by_options(options: dict[str, Any], can_encode: Callable[[str], bool]) -> list[declaration.Service]:
    """The services the module's options declare (one), checked against ``can_encode``."""
    return [declaration.from_args(options, can_encode)]
