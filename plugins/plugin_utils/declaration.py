# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A declared message service, checked and turned into file text before anything is edited.

``from_args`` reads the module's options, ``from_fragment`` a vendor's MAPISVC.INF fragment
(the ``src`` option, what ``mergeini -m`` merged). Both give ``Service`` objects whose values
are already the exact text to write. Every problem is collected, named by its field and
said with its fix, and reported together in one ``DeclarationError``, so that a playbook
author sees all of them at once and the file is never touched.
"""

from __future__ import annotations

from typing import Callable, Optional

from ansible_collections.mapi.messaging.plugins.plugin_utils import ini, properties
from ansible_collections.mapi.messaging.plugins.plugin_utils.ini import BLANKS, fold
from ansible_collections.mapi.messaging.plugins.plugin_utils.properties import shown

SERVICES = "Services"
DEFAULT_SERVICES = "Default Services"
HELP_FILE_MAPPINGS = "Help File Mappings"
GLOBAL_SECTIONS = (SERVICES, DEFAULT_SERVICES, HELP_FILE_MAPPINGS)
LIST_KEYS = ("Providers", "Sections")


class DeclarationError(ValueError):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class Entries:
    """A section the module owns: its name and the entries declared for it, in order
    (key -> file text)."""

    def __init__(self, name, entries):
        self.name = name
        self.entries = entries


class Service:
    """Everything one service puts in MAPISVC.INF.

    ``default_service`` and ``help_file`` are None when not declared (left as they are);
    ``providers``/``sections`` are None when not declared (the ``Providers=``/``Sections=``
    entries are then left as they are). ``retired``: provider and linked sections declared
    with ``state: absent``, which the service no longer uses and which go from the file
    (unless another service references them), whenever the run happens.
    """

    def __init__(self, name, display_name=None, default_service=None, help_file=None,
                 properties=None, providers=None, sections=None, retired=None):
        self.name = name
        self.display_name = display_name
        self.default_service = default_service
        self.help_file = help_file
        self.properties = properties or {}
        self.providers = providers
        self.sections = sections
        self.retired = list(retired or [])

    def linked(self) -> list[Entries]:
        """Provider and linked sections, in declaration order."""
        return list(self.providers or []) + list(self.sections or [])

    def section_entries(self) -> dict[str, str]:
        """The service section's entries, with the list entries derived from the
        declared providers and sections."""
        entries = dict(self.properties)
        if self.providers is not None:
            entries["Providers"] = properties.SECTION_LIST.separator.join(p.name for p in self.providers)
        if self.sections is not None:
            entries["Sections"] = properties.SECTION_LIST.separator.join(s.name for s in self.sections)
        return entries


class _Checker:
    """Collects problems; each names its field."""

    def __init__(self, allow_secrets, can_encode, partial=False):
        self.problems = []
        self.allow_secrets = allow_secrets
        self.can_encode = can_encode
        self.partial = partial

    def add(self, field: str, message: str) -> None:
        self.problems.append("%s: %s" % (field, message))

    def name(self, field: str, value: object, what: str) -> Optional[str]:
        """Section, provider and service names end up in ``[...]`` headers, as keys and in
        comma lists, so the characters those syntaxes use are refused."""
        if not isinstance(value, str) or not value:
            self.add(field, "%s must be a non-empty string" % what)
            return None
        for bad, said in (("]", "']'"), (",", "','"), ("=", "'='"), ("\r", "a line break"),
                          ("\n", "a line break"), ("\0", "NUL")):
            if bad in value:
                self.add(field, "%s %s contains %s, which MAPISVC.INF cannot hold in a section "
                                "name, key or list; choose another name" % (what, shown(value), said))
                return None
        if value != value.strip(BLANKS):
            self.add(field, "%s %s has blanks at its start or end, which Windows trims; remove "
                            "them" % (what, shown(value)))
            return None
        if value[0] in ";[":
            self.add(field, "%s %s starts with '%s', which Windows reads as a comment or section "
                            "header; choose another name" % (what, shown(value), value[0]))
            return None
        if not self.text(field, value):
            return None
        if fold(value) in [fold(s) for s in GLOBAL_SECTIONS]:
            self.add(field, "%s is one of MAPISVC.INF's own sections ([%s]), which belongs to MAPI and every "
                            "service; choose a name of the service's own" % (shown(value), value))
            return None
        return value

    def text(self, field: str, text: str, key: str = "") -> bool:
        """Whether ``text`` can be a value in the file; a problem quotes it only if it does not
        look like a credential (for entry ``key``)."""
        for bad, said in (("\r", "a carriage return"), ("\n", "a line feed"), ("\0", "a NUL")):
            if bad in text:
                self.add(field, "the value contains %s; a MAPISVC.INF value is one line" % said)
                return False
        if not self.can_encode(text):
            self.add(field, "%s has characters the file's encoding cannot hold; use the "
                            "target's ANSI code page (option codepage) or a UTF-16LE file"
                     % shown(properties.redact(key, text)))
            return False
        return True

    def entries(self, field: str, declared: object, owner: Optional[str]) -> dict[str, str]:
        """Check and render a properties dict: key -> file text."""
        rendered = {}
        if declared is None:
            return rendered
        if not isinstance(declared, dict):
            self.add(field, "expected a dictionary of property name: value")
            return rendered
        seen = {}
        for key, value in declared.items():
            where = "%s.%s" % (field, key)
            problem = properties.check_key(key)
            if problem:
                self.add(where, problem + "; fix the property name")
                continue
            if properties.identity(key) in seen:
                self.add(where, "given twice (also as %s; names are case-insensitive and a property's "
                                "name and its tag are the same property); keep one" % seen[properties.identity(key)])
                continue
            seen[properties.identity(key)] = key
            if fold(key) in ("PROVIDERS", "SECTIONS"):
                self.add(where, "%s= is written from the %s option; declare the %s there"
                         % (key, key.lower(), key.lower()))
                continue
            try:
                text = properties.render(key, value)
            except properties.PropertyError as e:
                message = str(e)
                if properties.looks_secret(key, repr(value)):
                    # The message may quote the value: say what is wrong without it.
                    message = ("the value (not shown: it looks like a credential) cannot be written for %s"
                               % key)
                self.add(where, message)
                continue
            if not self.text(where, text, key):
                continue
            if not self.allow_secrets and properties.looks_secret(key, text):
                self.add(where, "looks like a password or other credential, which never belongs in "
                                "MAPISVC.INF (every user can read it); keep it in the profile as a "
                                "secure property, or set allow_secrets: true if this is not a secret")
                continue
            rendered[key] = text
        return rendered

    def provider(self, field: str, declared: object) -> None:
        """A provider section MAPI can load: the entries properties.PROVIDER_ENTRIES requires
        (the rule mapisvc_info reports by). Checked on the declaration, not the file, so a
        run with purge cannot leave the section without them either. Not for a partial
        declaration, which only describes (the fleet report's desired state)."""
        if self.partial:
            return
        names = [key for key in declared or {} if isinstance(key, str)] if isinstance(declared, dict) else []
        for entry, required in properties.missing_provider_entries(names):
            if required:
                self.add(field, "has no %s, the DLL MAPI loads the provider from, so no profile could "
                                "hold the service; add %s: <the provider's DLL name or full path, without "
                                "the 32 MAPI adds>" % (entry, entry))

    def raise_if_any(self) -> None:
        if self.problems:
            raise DeclarationError(self.problems)


def _linked(checker, field, declared, taken, retired=None, providers=False):
    """Provider or linked sections: list of {name, properties, state}. The names of items
    with ``state: absent`` (module options only, never a fragment) go to ``retired`` instead
    of the result. Provider sections (``providers``) must be complete (``_Checker.provider``)."""
    if declared is None:
        return None
    result = []
    for i, item in enumerate(declared):
        where = "%s[%d]" % (field, i)
        if not isinstance(item, dict):
            checker.add(where, "expected a dictionary with name and properties")
            continue
        name = checker.name(where + ".name", item.get("name"), "the section name")
        if name is None:
            continue
        if fold(name) in taken:
            checker.add(where + ".name", "%s is already used by %s (section names are "
                                         "case-insensitive); give each section its own name"
                        % (shown(name), taken[fold(name)]))
            continue
        taken[fold(name)] = where
        if item.get("state", "present") == "absent":
            if item.get("properties"):
                checker.add(where + ".properties", "not used with state: absent (the section is removed); "
                                                   "remove the properties or set state: present")
            retired.append(name)
            continue
        if providers:
            checker.provider(where + ".properties", item.get("properties"))
        result.append(Entries(name, checker.entries(where + ".properties", item.get("properties"), name)))
    return result


def from_args(args: dict, can_encode: Callable[[str], bool] = lambda text: True,
              partial: bool = False) -> Service:
    """A Service from the module options (already type-checked by Ansible's argument spec).
    ``partial``: the declaration only describes what to compare (the fleet report's desired
    state), so provider sections need not be complete."""
    checker = _Checker(args.get("allow_secrets", False), can_encode, partial)
    name = checker.name("service", args.get("service"), "the service name")
    display_name = args.get("display_name")
    present = args.get("state", "present") == "present"
    if display_name is not None:
        checker.text("display_name", display_name)
    elif present:
        checker.add("display_name", "required with state: present (it is the [Services] entry "
                                    "that makes the service visible to MAPI)")
    help_file = args.get("help_file")
    if help_file is not None:
        checker.text("help_file", help_file)
    taken = {fold(name): "the service"} if name else {}
    retired = []
    service = Service(
        name=name,
        display_name=display_name,
        default_service=args.get("default_service"),
        help_file=help_file,
        properties=checker.entries("properties", args.get("properties"), name),
        # A removal names the providers it removes; only what is written must be complete.
        providers=_linked(checker, "providers", args.get("providers"), taken, retired, providers=present),
        sections=_linked(checker, "sections", args.get("sections"), taken, retired),
        retired=retired,
    )
    if present and service.providers == []:
        checker.add("providers", "a service needs at least one provider section (MAPI loads "
                                 "the providers named by Providers=); omit the option to leave "
                                 "Providers= as it is")
    checker.raise_if_any()
    return service


def _values(section):
    """A fragment section's entries as the API reads them (hidden keys left out)."""
    return {key: value for key, value in section.items() if value is not None}


def from_fragment(fragment: ini.Document, allow_secrets: bool = False,
                  can_encode: Callable[[str], bool] = lambda text: True, origin: str = "src") -> list[Service]:
    """Services from a vendor's MAPISVC.INF fragment (a parsed Document): every service
    its [Services] lists, with its provider and linked sections."""
    checker = _Checker(allow_secrets, can_encode)
    listed = fragment.section(SERVICES)
    if listed is None or not listed.keys():
        raise DeclarationError(["%s: the fragment has no [Services] entries, so it declares no "
                                "service; give a MAPISVC.INF fragment with a [Services] section" % origin])
    defaults = fragment.section(DEFAULT_SERVICES)
    helps = fragment.section(HELP_FILE_MAPPINGS)
    services = []
    for name, display_name in listed.items():
        where = "%s [%s]" % (origin, name)
        if checker.name("%s [Services] %s" % (origin, name), name, "the service name") is None:
            continue
        if display_name is None:
            checker.add(where, "the [Services] line for %s has no '=', so it declares no display name "
                               "(Windows reads no value); write %s=<display name> in the fragment" % (name, name))
            continue
        body = fragment.section(name)
        if body is None:
            checker.add(where, "[Services] names %s but the fragment has no [%s] section; add it "
                               "to the fragment" % (name, name))
            continue
        own = {key: value for key, value in _values(body).items() if fold(key) not in ("PROVIDERS", "SECTIONS")}
        taken = {fold(name): "the service"}
        lists = {}
        for list_key in LIST_KEYS:
            text = body.get(list_key)
            if text is None:
                lists[list_key] = None
                continue
            declared = []
            for item in properties.SECTION_LIST.names(text):
                if fold(item) in [fold(other) for other in listed.keys()]:
                    checker.add("%s %s=" % (where, list_key), "names [%s], the section of another service of "
                                "the fragment; give the section its own name" % item)
                    continue
                section = fragment.section(item)
                if section is None:
                    checker.add("%s %s=" % (where, list_key), "names [%s], which the fragment "
                                "lacks; add that section to the fragment" % item)
                    continue
                declared.append({"name": item, "properties": _values(section)})
            lists[list_key] = _linked(checker, "%s %s" % (where, list_key), declared, taken,
                                      providers=list_key == "Providers")
        service = Service(
            name=name,
            display_name=display_name,
            default_service=True if defaults is not None and defaults.get(name) is not None else None,
            help_file=helps.get(name) if helps is not None else None,
            properties=checker.entries(where, own, name),
            providers=lists["Providers"],
            sections=lists["Sections"],
        )
        services.append(service)
    checker.raise_if_any()
    return services
