# -*- coding: utf-8 -*-
"""The profile census (plugins/plugin_utils/census.py): who has which Outlook profile, which is
the default, which services it holds, and the one rule that counts it per service."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.mapi.messaging.plugins.plugin_utils import census

ALICE = "S-1-5-21-1004336348-1177238915-682003330-1001"
BOB = "S-1-5-21-1004336348-1177238915-682003330-1002"
CAROL = "S-1-5-21-1004336348-1177238915-682003330-1003"
ERIN = "S-1-12-1-3545394826-1177282345-2611744406-2393584102"


def user(sid, profiles=(), default=None, services=(), inspected=True, reason=None):
    return {"sid": sid, "inspected": inspected, "reason": reason, "profiles": list(profiles),
            "default_profile": default, "default_services": list(services)}


FLEET_HOST = {"users": [
    user(ALICE, ["Outlook", "Test"], "Outlook", ["MSEMS", "CONTOSO"]),
    user(BOB, ["Outlook"], "Outlook", ["MSEMS"]),
    user(ERIN),
    user(CAROL, inspected=False, reason=census.NOT_LOADED),
], "errors": []}


def test_counts_users_with_the_service_in_the_default_profile_with_a_profile_and_not_inspected():
    assert census.counts(FLEET_HOST, "CONTOSO") == {
        "users": 4, "inspected": 3, "not_inspected": 1, "with_profile": 2, "in_default_profile": 1}


def test_counts_compare_service_names_as_windows_does():
    assert census.counts(FLEET_HOST, "contoso")["in_default_profile"] == 1
    assert census.counts(FLEET_HOST, "msems")["in_default_profile"] == 2


def test_a_service_only_in_another_profile_is_not_in_the_default_profile():
    host = {"users": [user(ALICE, ["Outlook", "Vendor"], "Outlook", ["MSEMS"])], "errors": []}
    assert census.counts(host, "CONTOSO") == {
        "users": 1, "inspected": 1, "not_inspected": 0, "with_profile": 1, "in_default_profile": 0}


def test_an_empty_census_counts_zero_users():
    assert census.counts({"users": [], "errors": []}, "CONTOSO") == dict.fromkeys(census.COUNT_KEYS, 0)


@pytest.mark.parametrize("change, field", [
    (lambda c: c.pop("users"), "profiles.users: missing"),
    (lambda c: c.update(errors="x"), "profiles.errors"),
    (lambda c: c["users"].append("S-1-5-21-1-2-3-4"), "profiles.users[4]"),
    (lambda c: c["users"][0].pop("default_services"), "profiles.users[0]: default_services missing"),
    (lambda c: c["users"][1].update(inspected="yes"), "profiles.users[1].inspected"),
    (lambda c: c["users"][0].update(profiles="Outlook"), "profiles.users[0].profiles"),
    (lambda c: c["users"][0]["default_services"].append(3), "profiles.users[0].default_services[2]"),
    (lambda c: c["users"][0].update(default_profile="Gone"), "profiles.users[0].default_profile"),
    (lambda c: c["users"][3].update(reason=None), "profiles.users[3]: user %s was not inspected" % CAROL),
    (lambda c: c["users"][3].update(profiles=["Outlook"]), "profiles.users[3]"),
    (lambda c: c["users"].append(user(ALICE.lower())), "profiles.users[4].sid"),
])
def test_counts_refuse_a_malformed_census_naming_the_field(change, field):
    broken = copy.deepcopy(FLEET_HOST)
    change(broken)
    with pytest.raises(ValueError) as raised:
        census.counts(broken, "CONTOSO")
    assert str(raised.value).startswith(field)


def test_counts_name_the_field_as_the_caller_got_it():
    with pytest.raises(ValueError, match=r"^hostvars\['ws1'\]\.profiles: expected the census"):
        census.counts(None, "CONTOSO", where="hostvars['ws1'].profiles")


@pytest.mark.parametrize("service", ["", "  ", None, 3])
def test_counts_refuse_a_missing_service_name(service):
    with pytest.raises(ValueError, match="^service: "):
        census.counts(FLEET_HOST, service)


def test_the_census_finds_a_user_by_sid_without_case_and_gives_the_plain_shape():
    taken = census.Census(users=(census.UserProfiles(sid=ALICE, inspected=True, profiles=("Outlook",),
                                                     default_profile="Outlook", default_services=("MSEMS",)),
                                 census.UserProfiles(sid=CAROL, inspected=False, reason=census.NOT_LOADED)))
    assert taken.user(ALICE.lower()).default_services == ("MSEMS",)
    assert taken.user(BOB) is None
    plain = taken.as_dict()
    assert plain == {"users": [user(ALICE, ["Outlook"], "Outlook", ["MSEMS"]),
                               user(CAROL, inspected=False, reason=census.NOT_LOADED)], "errors": []}
    assert census.counts(plain, "MSEMS")["in_default_profile"] == 1
