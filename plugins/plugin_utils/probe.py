# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's probe of one Windows host, read into typed values (no I/O).

The role reads each host once, with one read-only ``ansible.windows.win_powershell`` run of
the probe script. This module builds the script's ``parameters`` and turns its
``$Ansible.Result`` into a ``Probe``: registry keys with their values, the registry values the
role declares (only a SHA-256 of secret ones), the files it would install or delete, every
MAPISVC.INF copy with its bytes, the users' Outlook keys and profiles (the services each
profile holds), and what is in use. A result that is
missing, failed, skipped or shaped differently raises ``ProbeError`` naming what is wrong and
the fix, so the planner never decides from a half-read host.

Every comparison of key, value and path names uses ``ini.fold``, Windows' case rule.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import re
import typing as t

from ansible_collections.mapi.messaging.plugins.plugin_utils import ini, properties
from ansible_collections.mapi.messaging.plugins.plugin_utils.probe_script import PROBE_VERSION
from ansible_collections.mapi.messaging.plugins.plugin_utils.transport import _error_message

# win_powershell serialises $Ansible.Result only to this depth; the probe's deepest answer is
# users.profiles[].profiles[].services[] (seven levels below the result).
PROBE_DEPTH = 8

# The registry value types the probe reports, and the Python form of each one's data.
STRING_TYPES = ("REG_SZ", "REG_EXPAND_SZ")
NUMBER_TYPES = {"REG_DWORD": 32, "REG_QWORD": 64}
BYTES_TYPES = ("REG_BINARY", "REG_NONE")
REG_TYPES = STRING_TYPES + ("REG_MULTI_SZ",) + tuple(NUMBER_TYPES) + BYTES_TYPES

_HEX = re.compile(r"^(?:[0-9a-f]{2})*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")

# What a reader of a failed run is told to do, by the cause.
_CLM_FIX = ("PowerShell on this host runs in Constrained Language Mode (an application control "
            "policy such as WDAC or AppLocker), which blocks the probe's .NET calls; nothing was "
            "changed. Let the Ansible connection run ansible.windows.win_powershell scripts in "
            "FullLanguage mode (a policy exception or signed scripts)")
_MISMATCH_FIX = ("the probe script and the collection on the controller do not match; reinstall "
                 "the mapi.messaging collection so both come from one release")


class ProbeError(ValueError):
    """The probe's result cannot be used: the message says what is wrong and the fix."""


def _fold_path(path):
    return ini.fold(path.rstrip("\\"))


class Registry:
    """Registry readings: key path -> {value name: data}, or None for a missing key.

    Key and value names are compared as Windows compares them (``ini.fold``). Besides the
    data, a reading may carry each value's type, the key's sub key names and the error that
    kept a key from being read."""

    def __init__(self, keys, types=None, sub_keys=None, errors=None):
        self._keys = {}
        for path, values in (keys or {}).items():
            self._keys[_fold_path(path)] = None if values is None else {
                ini.fold(name): value for name, value in values.items()}
        self._types = {(_fold_path(path), ini.fold(name)): kind
                       for (path, name), kind in (types or {}).items()}
        self._sub_keys = {_fold_path(path): tuple(names) for path, names in (sub_keys or {}).items()}
        self._errors = {_fold_path(path): error for path, error in (errors or {}).items() if error}

    def exists(self, path):
        return self._keys.get(_fold_path(path)) is not None

    def value(self, path, name):
        values = self._keys.get(_fold_path(path))
        if values is None:
            return None
        return values.get(ini.fold(name))

    def text(self, path, name):
        value = self.value(path, name)
        if value is None:
            return None
        if isinstance(value, list):
            return value
        return str(value).strip()

    def type(self, path, name):
        """The value's registry type (REG_SZ...), or None when unknown or missing."""
        return self._types.get((_fold_path(path), ini.fold(name)))

    def sub_keys(self, path):
        return self._sub_keys.get(_fold_path(path), ())

    def error(self, path):
        """Why the key could not be read, or None."""
        return self._errors.get(_fold_path(path))


@dataclasses.dataclass(frozen=True)
class ValueState:
    """One registry value the role declares, as the host holds it."""
    key: str
    name: t.Optional[str]
    key_exists: bool
    exists: bool
    type: t.Optional[str]
    data: t.Any            # only for values that are not secret
    sha256: t.Optional[str]  # only for secret values: canonical_sha256 of the data
    error: t.Optional[str]


@dataclasses.dataclass(frozen=True)
class PathState:
    path: str
    expanded: str
    exists: bool
    directory: bool
    size: t.Optional[int]
    sha256: t.Optional[str]
    error: t.Optional[str]


@dataclasses.dataclass(frozen=True)
class MapisvcCopy:
    path: str
    content: bytes
    sha1: str


@dataclasses.dataclass(frozen=True)
class KeyState:
    """A key of one user's hive (``HKU:\\<sid>\\<key>``)."""
    sid: str
    key: str
    exists: bool
    values: Registry
    sub_keys: t.Tuple[str, ...]
    error: t.Optional[str]


@dataclasses.dataclass(frozen=True)
class ProfileState:
    """One Outlook profile: its name and the message services (PR_SERVICE_NAME) its sections
    hold, each once; ``error`` names the sections that could not be read."""
    name: str
    services: t.Tuple[str, ...]
    error: t.Optional[str]


@dataclasses.dataclass(frozen=True)
class ProfileSet:
    """A key of one user's hive that holds Outlook profiles (``HKU:\\<sid>\\<key>``), as read:
    ``default`` is its own DefaultProfile value, ``parent_default`` its parent's (which one
    Outlook uses depends on the location: census.py decides)."""
    sid: str
    key: str
    exists: bool
    default: t.Optional[str]
    parent_default: t.Optional[str]
    profiles: t.Tuple[ProfileState, ...]
    error: t.Optional[str]


# How the script's errors say that HKEY_USERS could not be listed (then ``loaded`` is empty
# because nothing is known, not because no one is logged on).
HKU_UNLISTED = "HKEY_USERS could not be listed: "


@dataclasses.dataclass(frozen=True)
class Users:
    """The loaded hives (logged-on users), the UserKeys and ProfileKeys read under them, and
    ``error``: the probe's error when HKEY_USERS could not be listed, else None."""
    loaded: t.Tuple[str, ...]
    keys: t.Dict[t.Tuple[str, str], KeyState]
    profiles: t.Dict[t.Tuple[str, str], ProfileSet] = dataclasses.field(default_factory=dict)
    error: t.Optional[str] = None

    def key(self, sid, key):
        return self.keys.get((sid, _fold_path(key)))

    def profile_set(self, sid, key) -> t.Optional[ProfileSet]:
        """The profiles read under ``key`` of a user's hive (SID and key compared without
        case), or None when the probe was not asked for that key or the hive is not loaded."""
        return self.profiles.get((ini.fold(sid), _fold_path(key)))


@dataclasses.dataclass(frozen=True)
class OutlookProcess:
    id: int
    session: int


@dataclasses.dataclass(frozen=True)
class LockedFile:
    path: str
    error: str


@dataclasses.dataclass(frozen=True)
class Probe:
    """What one run of the probe read on one host."""
    registry: Registry
    values: t.Dict[t.Tuple[str, t.Optional[str]], ValueState]
    paths: t.Dict[str, PathState]
    copies: t.Tuple[MapisvcCopy, ...]
    msmapi_dlls: t.Tuple[str, ...]
    language_folders: t.Tuple[str, ...]
    missing: t.Tuple[str, ...]
    searched: t.Tuple[str, ...]
    mapisvc_errors: t.Tuple[str, ...]
    users: Users
    outlook: t.Tuple[OutlookProcess, ...]
    locked: t.Tuple[LockedFile, ...]
    errors: t.Tuple[str, ...]

    def value(self, key, name):
        """The state of a declared value (name None: the key itself), or None if not asked."""
        return self.values.get((_fold_path(key), None if name is None else ini.fold(name)))

    def path(self, path):
        """The state of a path given in ``Paths`` (as given or as expanded), or None."""
        return self.paths.get(_fold_path(path))


def parameters(*, registry_keys, values, paths, mapisvc_paths, user_keys, in_use_paths, profile_keys=()) -> dict:
    """The probe script's ``parameters``: every key present, each list without repeats that
    differ only in case. A value asked twice is secret if either asks so, so a secret is
    never returned in clear. ``profile_keys``: keys of each loaded user hive holding Outlook
    profiles (``profile.profile_keys``), read with their profiles' services."""
    asked = {}
    for index, item in enumerate(values or []):
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or \
                not (item.get("name") is None or isinstance(item.get("name"), str)):
            raise ValueError("values[%d]: expected {key: str, name: str or None, secret: bool}" % index)
        name = item.get("name")
        ident = (_fold_path(item["key"]), None if name is None else ini.fold(name))
        secret = item.get("secret") is not False
        if ident in asked:
            asked[ident]["secret"] = asked[ident]["secret"] or secret
        else:
            asked[ident] = {"key": item["key"], "name": name, "secret": secret}
    return {
        "RegistryKeys": ini.unique(list(registry_keys or [])),
        "Values": list(asked.values()),
        "Paths": ini.unique(list(paths or [])),
        "MapisvcPaths": ini.unique(list(mapisvc_paths or [])),
        "UserKeys": ini.unique(list(user_keys or [])),
        "InUsePaths": ini.unique(list(in_use_paths or [])),
        # Repeats compared as the reader compares keys (case and trailing backslashes aside):
        # the answer holds one entry per key, and a repeated entry is refused.
        "ProfileKeys": _unique_keys(profile_keys or []),
    }


def _unique_keys(keys):
    """Key paths without repeats as the reader compares them (``_fold_path``), first kept."""
    seen, result = set(), []
    for key in keys:
        if _fold_path(key) not in seen:
            seen.add(_fold_path(key))
            result.append(key)
    return result


def canonical_sha256(reg_type, data) -> str:
    """SHA-256 (lowercase hex) of a registry value's canonical bytes, the same on both sides:
    UTF-8 of the string (REG_SZ, REG_EXPAND_SZ, not expanded), of the items joined with a line
    feed (REG_MULTI_SZ), of the unsigned decimal number (REG_DWORD, REG_QWORD: a negative
    number is the same bits read as signed, as PowerShell shows a DWORD above 0x7FFFFFFF), of
    the lowercase hex digits (REG_BINARY, REG_NONE). Raises ValueError for data of another form."""
    if reg_type in STRING_TYPES and isinstance(data, str):
        text = data
    elif reg_type == "REG_MULTI_SZ" and isinstance(data, (list, tuple)) and all(isinstance(item, str) for item in data):
        text = "\n".join(data)
    elif reg_type in NUMBER_TYPES and isinstance(data, int) and not isinstance(data, bool):
        bits = NUMBER_TYPES[reg_type]
        if not -(1 << (bits - 1)) <= data < (1 << bits):
            raise ValueError("%r does not fit in a %s (%d bits)" % (data, reg_type, bits))
        text = str(data % (1 << bits))
    elif reg_type in BYTES_TYPES and isinstance(data, (bytes, bytearray)):
        text = bytes(data).hex()
    elif reg_type in BYTES_TYPES and isinstance(data, str) and _HEX.match(data.lower()):
        text = data.lower()
    else:
        forms = _DATA_FORMS.get(reg_type, "one of " + ", ".join(REG_TYPES))
        raise ValueError("%s data must be %s, not %r" % (reg_type, forms, type(data).__name__))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_DATA_FORMS = {"REG_SZ": "a string", "REG_EXPAND_SZ": "a string", "REG_MULTI_SZ": "a list of strings",
               "REG_DWORD": "an integer", "REG_QWORD": "an integer",
               "REG_BINARY": "lowercase hex or bytes", "REG_NONE": "lowercase hex or bytes"}


# --- Reading the result ----------------------------------------------------------------------

def read(result) -> Probe:
    """The registered win_powershell result of the probe -> Probe, or ProbeError."""
    if not isinstance(result, dict):
        raise ProbeError("probe: expected the registered result of the probe's ansible.windows.win_powershell "
                         "task, got %s; register the task's result and pass it as it is" % type(result).__name__)
    if result.get("skipped"):
        raise ProbeError("probe: the probe task was skipped (%s), so nothing is known about this host; the probe "
                         "declares SupportsShouldProcess and runs in check mode too: remove the condition that "
                         "skipped it" % (result.get("skip_reason") or "no reason given"))
    if result.get("failed"):
        said = "; ".join(_error_message(error) for error in result.get("error") or []) or \
            result.get("msg") or "no error message"
        if re.search(r"constrained\s*language|languagemode|language mode", said, re.IGNORECASE):
            raise ProbeError("probe: %s. %s" % (said, _CLM_FIX))
        raise ProbeError("probe: reading the host failed, so nothing was changed: %s. Fix the cause named above "
                         "and run again" % said)
    body = result.get("result")
    if not isinstance(body, dict) or "probe" not in body:
        raise ProbeError("probe: the result has no probe answer (result.result is %s); the task must run the "
                         "probe script with ansible.windows.win_powershell and depth: 8, or %s"
                         % (type(body).__name__, _MISMATCH_FIX))
    if body.get("probe") != PROBE_VERSION:
        raise ProbeError("probe: the script answered in version %r of the probe contract, this collection reads "
                         "version %d; %s" % (body.get("probe"), PROBE_VERSION, _MISMATCH_FIX))
    return _Reader(body).probe()


class _Reader:
    """Checks each part of the result against the contract as it reads it, so a result cut
    short (win_powershell turns objects deeper than its ``depth`` into strings) or shaped by
    another release is refused with the path of the first wrong part."""

    def __init__(self, body):
        self.body = body

    @staticmethod
    def error(where, expected, got):
        return ProbeError("probe: result.%s should be %s, got %s; if the probe task did not pass depth: 8 to "
                          "win_powershell, add it; otherwise %s" % (where, expected, shown(got), _MISMATCH_FIX))

    def get(self, mapping, key, where, kinds, optional=False):
        if not isinstance(mapping, dict) or key not in mapping:
            if optional:
                return None
            raise self.error(where, "present", _Said("nothing (missing)"))
        value = mapping[key]
        if optional and value is None:
            return None
        if not _is(value, kinds):
            raise self.error(where, _KIND_NAMES[kinds], value)
        return value

    def items(self, mapping, key, where, kinds=dict):
        values = self.get(mapping, key, where, list)
        for index, item in enumerate(values):
            if not _is(item, kinds):
                raise self.error("%s[%d]" % (where, index), _KIND_NAMES[kinds], item)
        return values

    def data(self, reg_type, data, where):
        """Value data in its Python form, checked against its type."""
        try:
            canonical_sha256(reg_type, data)
        except ValueError:
            # Only the data's kind is named: a value may be a credential.
            raise self.error(where, _DATA_FORMS.get(reg_type, "data"), _Kind(data)) from None
        if reg_type in BYTES_TYPES:
            return data.lower()
        if reg_type == "REG_MULTI_SZ":
            return list(data)
        return data

    def reg_type(self, item, where, optional=False):
        kind = self.get(item, "type", where, str, optional=optional)
        if kind is not None and kind not in REG_TYPES:
            raise self.error(where, "one of " + ", ".join(REG_TYPES), kind)
        return kind

    def key_values(self, item, where):
        values, types = {}, {}
        for name, value in self.get(item, "values", where, dict).items():
            at = "%s[%r]" % (where, name)
            kind = self.reg_type(value, at + ".type")
            values[name] = self.data(kind, self.get(value, "data", at + ".data", object, optional=True), at + ".data")
            types[name] = kind
        return values, types

    def registry(self):
        keys, types, sub_keys, errors = {}, {}, {}, {}
        for index, item in enumerate(self.items(self.body, "registry", "registry")):
            where = "registry[%d]" % index
            path = self.get(item, "key", where + ".key", str)
            errors[path] = self.get(item, "error", where + ".error", str, optional=True)
            if not self.get(item, "exists", where + ".exists", bool):
                keys[path] = None
                continue
            keys[path], found = self.key_values(item, where + ".values")
            types.update({(path, name): kind for name, kind in found.items()})
            sub_keys[path] = self.items(item, "sub_keys", where + ".sub_keys", str)
        return Registry(keys, types, sub_keys, errors)

    def values(self):
        states = {}
        for index, item in enumerate(self.items(self.body, "values", "values")):
            where = "values[%d]" % index
            key = self.get(item, "key", where + ".key", str)
            name = self.get(item, "name", where + ".name", str, optional=True)
            exists = self.get(item, "exists", where + ".exists", bool)
            kind = self.reg_type(item, where + ".type", optional=True)
            sha256 = self.get(item, "sha256", where + ".sha256", str, optional=True)
            if sha256 is not None and not _SHA256.match(sha256):
                raise self.error(where + ".sha256", "64 lowercase hex digits", sha256)
            data = None
            if exists and name is not None:
                if kind is None:
                    raise self.error(where + ".type", "the type of an existing value", None)
                if sha256 is None:
                    data = self.data(kind, self.get(item, "data", where + ".data", object, optional=True),
                                     where + ".data")
            states[(_fold_path(key), None if name is None else ini.fold(name))] = ValueState(
                key=key, name=name, key_exists=self.get(item, "key_exists", where + ".key_exists", bool),
                exists=exists, type=kind, data=data, sha256=sha256,
                error=self.get(item, "error", where + ".error", str, optional=True))
        return states

    def paths(self):
        states = {}
        for index, item in enumerate(self.items(self.body, "paths", "paths")):
            where = "paths[%d]" % index
            sha256 = self.get(item, "sha256", where + ".sha256", str, optional=True)
            if sha256 is not None and not _SHA256.match(sha256):
                raise self.error(where + ".sha256", "64 lowercase hex digits", sha256)
            state = PathState(
                path=self.get(item, "path", where + ".path", str),
                expanded=self.get(item, "expanded", where + ".expanded", str),
                exists=self.get(item, "exists", where + ".exists", bool),
                directory=self.get(item, "directory", where + ".directory", bool),
                size=self.get(item, "size", where + ".size", int, optional=True),
                sha256=sha256, error=self.get(item, "error", where + ".error", str, optional=True))
            states.setdefault(_fold_path(state.expanded), state)
            states.setdefault(_fold_path(state.path), state)
        return states

    def mapisvc(self):
        where = "mapisvc"
        section = self.get(self.body, "mapisvc", where, dict)
        copies, errors = [], list(self.items(section, "errors", where + ".errors", str))
        for index, item in enumerate(self.items(section, "copies", where + ".copies")):
            at = "%s.copies[%d]" % (where, index)
            path = self.get(item, "path", at + ".path", str)
            encoded = self.get(item, "content", at + ".content", str, optional=True)
            if encoded is None:
                # A copy the probe would not return (larger than a MAPISVC.INF may be): not a
                # copy the planner can edit, and an error that stops it, named once.
                if not any(ini.fold(path) in ini.fold(error) for error in errors):
                    errors.append("%s: its content was not returned" % path)
                continue
            try:
                content = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                raise self.error(at + ".content", "base64", encoded[:40]) from None
            sha1 = self.get(item, "sha1", at + ".sha1", str)
            if sha1 != hashlib.sha1(content).hexdigest():
                # The bytes are what the planner edits; a hash that does not match them means
                # the answer was damaged on the way, and the compare-and-swap would be wrong.
                raise self.error(at + ".sha1", "the SHA-1 of the content (%s)" % hashlib.sha1(content).hexdigest(), sha1)
            copies.append(MapisvcCopy(path=path, content=content, sha1=sha1))
        return (tuple(copies),
                tuple(self.items(section, "msmapi_dlls", where + ".msmapi_dlls", str)),
                tuple(self.items(section, "language_folders", where + ".language_folders", str)),
                tuple(self.items(section, "missing", where + ".missing", str)),
                tuple(self.items(section, "searched", where + ".searched", str)),
                tuple(errors))

    def users(self):
        section = self.get(self.body, "users", "users", dict)
        keys = {}
        for index, item in enumerate(self.items(section, "keys", "users.keys")):
            where = "users.keys[%d]" % index
            sid = self.get(item, "sid", where + ".sid", str)
            key = self.get(item, "key", where + ".key", str)
            exists = self.get(item, "exists", where + ".exists", bool)
            values, types, sub_keys = {}, {}, ()
            if exists:
                values, found = self.key_values(item, where + ".values")
                types = {(key, name): kind for name, kind in found.items()}
                sub_keys = tuple(self.items(item, "sub_keys", where + ".sub_keys", str))
            keys[(sid, _fold_path(key))] = KeyState(
                sid=sid, key=key, exists=exists,
                values=Registry({key: values if exists else None}, types, {key: sub_keys}),
                sub_keys=sub_keys, error=self.get(item, "error", where + ".error", str, optional=True))
        unlisted = [error for error in self.items(self.body, "errors", "errors", str) if error.startswith(HKU_UNLISTED)]
        return Users(loaded=tuple(self.items(section, "loaded", "users.loaded", str)), keys=keys,
                     profiles=self.profile_sets(section), error=unlisted[0] if unlisted else None)

    def profile_sets(self, section):
        """users.profiles by (SID, key). Every answer of this contract version has it (an empty
        list when no ProfileKeys were asked); an answer without it, with a key read twice, or
        with profiles or a DefaultProfile under a key it says does not exist contradicts
        itself, and the census would count from it as if it were a fact: refused."""
        sets, first = {}, {}
        for index, item in enumerate(self.items(section, "profiles", "users.profiles")):
            where = "users.profiles[%d]" % index
            states = []
            for number, entry in enumerate(self.items(item, "profiles", where + ".profiles")):
                at = "%s.profiles[%d]" % (where, number)
                states.append(ProfileState(
                    name=self.get(entry, "name", at + ".name", str),
                    services=tuple(ini.unique(self.items(entry, "services", at + ".services", str))),
                    error=self.get(entry, "error", at + ".error", str, optional=True)))
            found = ProfileSet(
                sid=self.get(item, "sid", where + ".sid", str), key=self.get(item, "key", where + ".key", str),
                exists=self.get(item, "exists", where + ".exists", bool),
                default=self.get(item, "default", where + ".default", str, optional=True),
                parent_default=self.get(item, "parent_default", where + ".parent_default", str, optional=True),
                profiles=tuple(states), error=self.get(item, "error", where + ".error", str, optional=True))
            if not found.exists and found.profiles:
                raise self.error(where + ".profiles", "empty, as exists is false (a key that does not exist holds "
                                 "no profiles)", _Said("%d profiles" % len(found.profiles)))
            if not found.exists and found.default is not None:
                raise self.error(where + ".default", "null, as exists is false (a key that does not exist holds "
                                 "no DefaultProfile value)", found.default)
            ident = (ini.fold(found.sid), _fold_path(found.key))
            if ident in first:
                raise self.error(where, "the only entry of SID %s and key %s" % (shown(found.sid), shown(found.key)),
                                 _Said("a repeat of users.profiles[%d]" % first[ident]))
            first[ident] = index
            sets[ident] = found
        return sets

    def in_use(self):
        section = self.get(self.body, "in_use", "in_use", dict)
        outlook = tuple(OutlookProcess(id=self.get(item, "id", "in_use.outlook[%d].id" % index, int),
                                       session=self.get(item, "session", "in_use.outlook[%d].session" % index, int))
                        for index, item in enumerate(self.items(section, "outlook", "in_use.outlook")))
        locked = tuple(LockedFile(path=self.get(item, "path", "in_use.locked[%d].path" % index, str),
                                  error=self.get(item, "error", "in_use.locked[%d].error" % index, str))
                       for index, item in enumerate(self.items(section, "locked", "in_use.locked")))
        return outlook, locked

    def probe(self):
        copies, dlls, folders, missing, searched, mapisvc_errors = self.mapisvc()
        outlook, locked = self.in_use()
        return Probe(registry=self.registry(), values=self.values(), paths=self.paths(), copies=copies,
                     msmapi_dlls=dlls, language_folders=folders, missing=missing, searched=searched,
                     mapisvc_errors=mapisvc_errors, users=self.users(), outlook=outlook, locked=locked,
                     errors=tuple(self.items(self.body, "errors", "errors", str)))


_KIND_NAMES = {str: "a string", bool: "true or false", int: "an integer", dict: "a mapping", list: "a list",
               object: "any value"}


def _is(value, kind):
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


class _Said:
    """Stands for a value in a message by what is said of it (shown as it is, not quoted)."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


class _Kind(_Said):
    """Stands for a value in a message by its kind alone."""

    def __init__(self, value):
        super().__init__("a value of type %s" % ("null" if value is None else type(value).__name__))


# How much of a value an error message quotes: enough to find it, never the whole of a huge one
# (messages go into results, warnings and reports).
SHOWN_LIMIT = 80


def shown(value: object) -> str:
    """A value quoted for an error message: its repr, or for a longer one the start of it with
    its type and length, so a message stays short whatever it is given. A credential-looking
    string (``properties.looks_secret``) is masked: messages reach results and reports."""
    if isinstance(value, str) and properties.looks_secret("", value):
        return "'%s' (str of length %d)" % (properties.REDACTED, len(value))
    text = repr(value)
    if len(text) <= SHOWN_LIMIT:
        return text
    size = len(value) if isinstance(value, (str, bytes, list, tuple, dict)) else len(text)
    return "%s... (%s of length %d)" % (text[:SHOWN_LIMIT - 30], type(value).__name__, size)
