# -*- coding: utf-8 -*-
"""The profile census (plugins/plugin_utils/census.py): who has which Outlook profile, which is
the default, which services it holds, and the one rule that counts it per service."""

from __future__ import annotations

import copy

import pytest

from probe_results import LEGACY_PROFILES, Host

from ansible_collections.mapi.messaging.plugins.plugin_utils import census, probe, profile, windows_paths

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


@pytest.mark.parametrize("field, value", [
    ("sid", "S-1-5-21-" + "7" * 1000000),
    ("reason", ["x" * 1000000]),
    ("default_profile", "Gone" * 250000),
], ids=["sid", "reason", "default_profile"])
def test_counts_name_a_huge_wrong_value_by_its_type_start_and_length(field, value):
    broken = copy.deepcopy(FLEET_HOST)
    broken["users"][0][field] = value
    with pytest.raises(ValueError) as raised:
        census.counts(broken, "CONTOSO")
    message = str(raised.value)
    assert message.startswith("profiles.users[0].%s: " % field) and len(message) < 300
    assert "of length %d)" % len(value) in message


@pytest.mark.parametrize("sid", ["", "  ", "S-1-5-18", "S-1-5-21-1-2-3-1001_Classes", ".DEFAULT", "alice"])
def test_counts_refuse_an_entry_that_is_no_user_account(sid):
    broken = copy.deepcopy(FLEET_HOST)
    broken["users"][1]["sid"] = sid
    with pytest.raises(ValueError, match=r"^profiles\.users\[1\]\.sid: expected a user account's SID"):
        census.counts(broken, "CONTOSO")


def test_counts_refuse_an_inspected_user_with_a_reason_for_not_being_inspected():
    broken = copy.deepcopy(FLEET_HOST)
    broken["users"][0]["reason"] = census.NOT_LOADED
    with pytest.raises(ValueError, match=r"^profiles\.users\[0\]\.reason: user %s was inspected" % ALICE):
        census.counts(broken, "CONTOSO")


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


# -- take: the census from one probe ------------------------------------------------------
def test_loaded_users_are_inspected_and_users_not_logged_on_are_counted_with_the_reason():
    taken = Host().user(ALICE, {"Outlook": ["MSEMS", "CONTOSO"]}, default="Outlook") \
        .user(BOB, {"Outlook": ["MSEMS"]}, default="Outlook").user(ERIN, None) \
        .user(CAROL, {"Outlook": ["CONTOSO"]}, default="Outlook", loaded=False).census()
    assert [entry.sid for entry in taken.users] == sorted([ALICE, BOB, CAROL, ERIN])
    assert taken.user(ALICE) == census.UserProfiles(ALICE, True, None, ("Outlook",), "Outlook", ("MSEMS", "CONTOSO"))
    assert taken.user(ERIN) == census.UserProfiles(ERIN, True)
    assert taken.user(CAROL) == census.UserProfiles(CAROL, False, census.NOT_LOADED)
    assert census.counts(taken.as_dict(), "CONTOSO") == {
        "users": 4, "inspected": 3, "not_inspected": 1, "with_profile": 2, "in_default_profile": 1}


def test_a_default_profile_name_without_such_a_profile_is_no_default():
    taken = Host().user(ALICE, {"Outlook": ["CONTOSO"]}, default="Gone").census()
    assert taken.user(ALICE) == census.UserProfiles(ALICE, True, profiles=("Outlook",))


def test_the_default_profile_is_matched_without_case_and_spelt_as_the_profile_key():
    taken = Host().user(ALICE, {"Outlook": ["CONTOSO"], "Test": []}, default="OUTLOOK").census()
    assert taken.user(ALICE).default_profile == "Outlook"
    assert taken.user(ALICE).default_services == ("CONTOSO",)


def test_the_legacy_location_keeps_its_default_in_the_profiles_key_itself():
    taken = Host().user(ALICE, {"MS Exchange Settings": ["MSEMS"]}, default="MS Exchange Settings",
                        key=LEGACY_PROFILES).census()
    assert taken.user(ALICE).default_services == ("MSEMS",)


def test_a_default_named_in_the_other_location_does_not_count():
    host = Host().user(ALICE, {"Outlook": ["CONTOSO"]}, default="Outlook")
    answer = host.answer()
    for entry in answer["result"]["users"]["profiles"]:
        entry["default"], entry["parent_default"] = entry["parent_default"], entry["default"]
    taken = census.take(probe.read(answer), "16.0")
    assert taken.user(ALICE).default_profile is None and taken.user(ALICE).profiles == ("Outlook",)


def test_a_user_whose_profile_keys_could_not_be_read_is_not_inspected_with_the_probes_error():
    taken = Host().user(ALICE, None, error="Requested registry access is not allowed.").census()
    entry = taken.user(ALICE)
    assert not entry.inspected and "Requested registry access is not allowed." in entry.reason
    assert census.counts(taken.as_dict(), "CONTOSO")["not_inspected"] == 1


def test_a_default_profile_whose_sections_could_not_be_read_is_not_guessed():
    taken = Host().user(ALICE, {"Outlook": ["MSEMS"], "Other": []}, default="Outlook",
                        profile_errors={"Outlook": "section 0a: value '001f3d09' is not REG_BINARY"}).census()
    assert not taken.user(ALICE).inspected and "001f3d09" in taken.user(ALICE).reason
    # Another profile's unreadable section does not matter: only its name is counted.
    other = Host().user(ALICE, {"Outlook": ["MSEMS"], "Other": []}, default="Outlook",
                        profile_errors={"Other": "section 0b: broken"}).census()
    assert other.user(ALICE).default_services == ("MSEMS",)


def test_a_probe_not_asked_for_a_versions_keys_proves_nothing_about_the_user():
    taken = Host().user(ALICE, {"Outlook": ["CONTOSO"]}, default="Outlook").census(["16.0", "15.0"])
    assert not taken.user(ALICE).inspected
    assert "Software\\Microsoft\\Office\\15.0\\Outlook\\Profiles: not read by the probe" in taken.user(ALICE).reason


def test_service_accounts_and_classes_hives_are_not_users_and_entra_users_are():
    taken = Host().user(ERIN, {"Outlook": ["MSEMS"]}, default="Outlook").census()
    assert [entry.sid for entry in taken.users] == [ERIN]


def test_without_profile_list_the_census_says_users_not_logged_on_were_not_counted():
    host = Host().user(ALICE, {"Outlook": []}, default="Outlook")
    answer = host.answer()
    answer["result"]["registry"][0].update(exists=False, error="Access denied", sub_keys=[])
    taken = census.take(probe.read(answer), "16.0")
    assert [entry.sid for entry in taken.users] == [ALICE]
    assert any("were not counted" in error and "Access denied" in error for error in taken.errors)


def test_when_hkey_users_cannot_be_listed_the_probes_error_is_the_reason_not_a_logoff():
    host = Host().user(ALICE, {"Outlook": ["CONTOSO"]}, default="Outlook").user(CAROL, None, loaded=False)
    host.hku_error = "Requested registry access is not allowed."
    taken = host.census()
    for sid in (ALICE, CAROL):
        entry = taken.user(sid)
        assert not entry.inspected and "not logged on" not in entry.reason
        assert "HKEY_USERS could not be listed: Requested registry access is not allowed." in entry.reason
    assert census.counts(taken.as_dict(), "CONTOSO")["not_inspected"] == 2


def test_probe_keys_ask_for_profile_list_and_every_versions_profile_keys_newest_first():
    keys = census.probe_keys("auto")
    assert keys["registry_keys"] == [profile.PROFILE_LIST_KEY]
    expected = list(dict.fromkeys(key for version in windows_paths.OFFICE_VERSIONS
                                  for key in profile.profile_keys(version)
                                  if key != profile.LEGACY_PROFILES_KEY)) + [profile.LEGACY_PROFILES_KEY]
    assert keys["profile_keys"] == expected
    assert census.probe_keys("15.0")["profile_keys"] == list(profile.profile_keys("15.0"))


def test_only_a_user_whose_hive_is_not_loaded_is_logged_off():
    assert census.UserProfiles(sid=CAROL, inspected=False, reason=census.NOT_LOADED).logged_off
    assert not census.UserProfiles(sid=CAROL, inspected=False, reason="access denied").logged_off
    assert not census.UserProfiles(sid=CAROL, inspected=True).logged_off
