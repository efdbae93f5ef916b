# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The profile census: which Outlook profiles each user has, which is the default, and which
message services the default profile holds (a pure core, no I/O).

``take`` reads it from the role's single read-only probe (``probe.Probe``): every user
account (``profile.user_sid``) whose hive is loaded is inspected through the probe's
``users.profiles``; every user listed under ProfileList whose hive is not loaded is counted as
not inspected, with the reason. Nothing is guessed: a user whose keys could not be read is not
inspected either, and says why; when HKEY_USERS could not be listed, no one is said to be
logged off. ``probe_keys`` is what the census asks of the probe (every caller asks through it);
``Census.as_dict`` is the plain shape the audit and the report carry; ``counts`` is the one
rule that counts it per service.

Where Outlook keeps the default profile's name: Outlook 2013 and later in the ``DefaultProfile``
value of ``Software\\Microsoft\\Office\\<version>\\Outlook`` (the parent of its Profiles key);
Outlook 2010 and earlier in ``DefaultProfile`` of the Windows Messaging Subsystem Profiles key
itself. A name that matches no profile is no default (Outlook then asks the user).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional, Union

from ansible_collections.mapi.messaging.plugins.plugin_utils import ini, profile
from ansible_collections.mapi.messaging.plugins.plugin_utils.probe import Probe, shown

# Why a user listed under ProfileList is not inspected: the probe reads loaded hives only. The
# audit never loads a user's hive itself, because a hive held open by another process gives
# that user a temporary profile at the next logon.
NOT_LOADED = "hive not loaded (the user is not logged on); the audit never loads a user's hive"

# One Office version, several (newest first), or "auto" (None): profile.office_versions reads it.
Versions = Union[None, str, list[str], tuple[str, ...]]

COUNT_KEYS = ("users", "inspected", "not_inspected", "with_profile", "in_default_profile")


@dataclasses.dataclass(frozen=True)
class UserProfiles:
    """One user account's Outlook profiles, or why they were not inspected."""
    sid: str
    inspected: bool
    reason: Optional[str] = None
    profiles: tuple[str, ...] = ()
    default_profile: Optional[str] = None
    default_services: tuple[str, ...] = ()

    @property
    def logged_off(self) -> bool:
        """The user is known not to be logged on (their hive is not loaded): such users are
        arranged at their next logon (Active Setup), never by a write now."""
        return self.reason == NOT_LOADED

    def as_dict(self) -> dict[str, Any]:
        return {"sid": self.sid, "inspected": self.inspected, "reason": self.reason,
                "profiles": list(self.profiles), "default_profile": self.default_profile,
                "default_services": list(self.default_services)}


@dataclasses.dataclass(frozen=True)
class Census:
    """Every user account of one host, inspected or not, and what kept users from being counted."""
    users: tuple[UserProfiles, ...] = ()
    errors: tuple[str, ...] = ()

    def user(self, sid: str) -> Optional[UserProfiles]:
        """The entry of a SID (compared without case, as registry key names are), or None."""
        for entry in self.users:
            if ini.fold(entry.sid) == ini.fold(sid):
                return entry
        return None

    def as_dict(self) -> dict[str, Any]:
        return {"users": [entry.as_dict() for entry in self.users], "errors": list(self.errors)}


# --- counting the plain dict -------------------------------------------------------------------

def _require(where, value, kinds, what):
    # The census comes from a variable: a wrong value is named by its type and a short start
    # (probe.shown), never echoed whole into the report and its warnings.
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise ValueError("%s: expected %s, got %s %s" % (where, what, type(value).__name__, shown(value)))
    return value


def _strings(where, value):
    _require(where, value, (list, tuple), "a list of strings")
    for index, item in enumerate(value):
        _require("%s[%d]" % (where, index), item, (str,), "a string")
    return value


def _checked_user(where, entry):
    """One user entry of the plain census, checked; a ValueError names the first wrong field."""
    _require(where, entry, (dict,), "a mapping with sid, inspected, reason, profiles, default_profile, "
                                    "default_services")
    missing = [name for name in ("sid", "inspected", "reason", "profiles", "default_profile", "default_services")
               if name not in entry]
    if missing:
        raise ValueError("%s: %s missing; give the census as message_service_plan or mapisvc_info returned it"
                         % (where, ", ".join(missing)))
    sid = _require(where + ".sid", entry["sid"], (str,), "a SID string")
    if not profile.user_sid(sid):
        raise ValueError("%s.sid: expected a user account's SID (S-1-5-21-... or S-1-12-1-...), got %s"
                         % (where, shown(sid)))
    inspected = _require(where + ".inspected", entry["inspected"], (bool,), "true or false")
    if entry["reason"] is not None:
        _require(where + ".reason", entry["reason"], (str,), "a string or null")
    profiles = _strings(where + ".profiles", entry["profiles"])
    default = entry["default_profile"]
    if default is not None:
        _require(where + ".default_profile", default, (str,), "a profile name or null")
    services = _strings(where + ".default_services", entry["default_services"])
    if inspected and entry["reason"] is not None:
        raise ValueError("%s.reason: user %s was inspected, so it has no reason for not being inspected (null)"
                         % (where, sid))
    if not inspected and (entry["reason"] is None or profiles or default is not None or services):
        raise ValueError("%s: user %s was not inspected, so it needs a reason and no profiles, default_profile "
                         "or default_services" % (where, sid))
    if default is not None and ini.fold(default) not in {ini.fold(name) for name in profiles}:
        raise ValueError("%s.default_profile: %s is not one of the user's profiles" % (where, shown(default)))
    if default is None and services:
        raise ValueError("%s.default_services: a user without a default profile has no default services" % where)
    return sid, inspected, profiles, services


def counts(census_dict: object, service: object, where: str = "profiles") -> dict[str, int]:
    """Counts of one plain census (``Census.as_dict()``, as it arrives after Ansible) for a
    message service (its [Services] name, compared with ``ini.fold``):

    ``users`` every user account; ``inspected`` and ``not_inspected`` (hive not loaded or not
    readable); ``with_profile`` inspected users with at least one Outlook profile;
    ``in_default_profile`` inspected users whose default profile holds the service.

    A census of another shape is refused with a ValueError naming the field (``where`` is the
    name the caller got it under), never counted: a wrong count would look like a fact.
    """
    if not isinstance(service, str) or not service.strip():
        raise ValueError("service: expected the service's name (its [Services] key), got %s" % shown(service))
    _require(where, census_dict, (dict,), "the census (a mapping with users and errors) that "
                                          "message_service_plan or mapisvc_info returned")
    for name in ("users", "errors"):
        if name not in census_dict:
            raise ValueError("%s.%s: missing; give the census as message_service_plan or mapisvc_info "
                             "returned it" % (where, name))
    _strings(where + ".errors", census_dict["errors"])
    users = _require(where + ".users", census_dict["users"], (list, tuple), "a list of users")
    wanted = ini.fold(service.strip())
    result = dict.fromkeys(COUNT_KEYS, 0)
    seen = {}
    for index, entry in enumerate(users):
        at = "%s.users[%d]" % (where, index)
        sid, inspected, profiles, services = _checked_user(at, entry)
        if ini.fold(sid) in seen:
            raise ValueError("%s.sid: %s repeats users[%d]; each user is counted once" % (at, sid, seen[ini.fold(sid)]))
        seen[ini.fold(sid)] = index
        result["users"] += 1
        if not inspected:
            result["not_inspected"] += 1
            continue
        result["inspected"] += 1
        if profiles:
            result["with_profile"] += 1
        if any(ini.fold(name) == wanted for name in services):
            result["in_default_profile"] += 1
    return result


# --- taking the census from one probe ---------------------------------------------------------

def _default_of(found: Any) -> Optional[str]:
    """The DefaultProfile that applies to a profile key: the legacy Windows Messaging Subsystem
    key keeps it itself, Outlook 2013 and later keep it in the key's parent."""
    legacy = ini.fold(found.key.strip("\\")) == ini.fold(profile.LEGACY_PROFILES_KEY)
    name = found.default if legacy else found.parent_default
    return name.strip() if isinstance(name, str) and name.strip() else None


def _inspect(sid: str, sets: list) -> UserProfiles:
    """One loaded user from the profile keys read under the hive, newest location first."""
    unread = ["%s: %s" % (key, "not read by the probe" if found is None else found.error)
              for key, found in sets if found is None or found.error]
    if unread:
        return UserProfiles(sid=sid, inspected=False, reason="profile keys could not be read: " + "; ".join(unread))
    names, default, services = [], None, ()
    for dummy, found in sets:
        if not found.exists:
            continue
        names.extend(state.name for state in found.profiles)
        wanted = _default_of(found)
        chosen = [state for state in found.profiles if wanted is not None and ini.fold(state.name) == ini.fold(wanted)]
        if default is None and chosen:
            if chosen[0].error:
                # The default profile's services are what the audit counts: never guessed.
                return UserProfiles(sid=sid, inspected=False, reason="default profile %r could not be read: %s"
                                    % (chosen[0].name, chosen[0].error))
            default, services = chosen[0].name, tuple(ini.unique(chosen[0].services))
    return UserProfiles(sid=sid, inspected=True, profiles=tuple(ini.unique(names)), default_profile=default,
                        default_services=services)


def _profile_keys(office_versions):
    """The keys holding the users' Outlook profiles for ``office_versions``, newest location
    first: every version's own key, then the legacy key Outlook 2010 and earlier used
    (whatever version listed it first)."""
    keys = ini.unique(key for version in profile.office_versions(office_versions)
                      for key in profile.profile_keys(version))
    keys.sort(key=lambda key: ini.fold(key) == ini.fold(profile.LEGACY_PROFILES_KEY))
    return keys


def probe_keys(office_versions: Versions) -> dict[str, list[str]]:
    """What the census needs from the probe, as ``probe.parameters`` takes it: ProfileList
    among the ``registry_keys`` and the ``profile_keys`` of ``office_versions`` (one version,
    several newest first, or ``"auto"``: every version detection may find)."""
    return {"registry_keys": [profile.PROFILE_LIST_KEY], "profile_keys": _profile_keys(office_versions)}


def take(probed: Probe, office_versions: Versions) -> Census:
    """The census of one host from one probe given ``probe_keys(office_versions)`` (one
    version, several newest first, or ``"auto"``).

    One entry per user account (``profile.user_sid``), sorted by SID: users whose hive is
    loaded are inspected; users listed under ProfileList but not loaded are not (reason
    ``NOT_LOADED``, or the probe's error when HKEY_USERS could not be listed: then who is
    logged on is not known); a loaded user whose profile keys could not be read is not
    either, with the probe's error. The default profile is the DefaultProfile that applies to
    the location, only when a profile of that name exists there.
    """
    keys = _profile_keys(office_versions)
    errors = list(probed.errors)
    loaded = profile.user_sids(probed.users.loaded)
    registry = probed.registry
    listed = []
    if registry.error(profile.PROFILE_LIST_KEY):
        errors.append("users who are not logged on were not counted: %s could not be read: %s"
                      % (profile.PROFILE_LIST_KEY, registry.error(profile.PROFILE_LIST_KEY)))
    elif not registry.exists(profile.PROFILE_LIST_KEY):
        errors.append("users who are not logged on were not counted: %s was not read or does not exist"
                      % profile.PROFILE_LIST_KEY)
    else:
        listed = profile.user_sids(registry.sub_keys(profile.PROFILE_LIST_KEY))
    # Without the list of loaded hives, "not logged on" would be a guess: the probe's error is
    # the reason instead.
    absent = NOT_LOADED if probed.users.error is None else (
        "not known whether the user is logged on (%s); the audit never loads a user's hive" % probed.users.error)
    loaded_folded = {ini.fold(sid) for sid in loaded}
    users = [_inspect(sid, [(key, probed.users.profile_set(sid, key)) for key in keys]) for sid in loaded]
    users += [UserProfiles(sid=sid, inspected=False, reason=absent)
              for sid in listed if ini.fold(sid) not in loaded_folded]
    return Census(users=tuple(sorted(users, key=lambda entry: ini.fold(entry.sid))), errors=tuple(errors))
