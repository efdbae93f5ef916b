# -*- coding: utf-8 -*-
"""The profile census in mapi.messaging.message_service_plan: the same single read-only probe
reads every Office version's profile keys, in both modes, and detect_only returns the census."""

from __future__ import annotations

import pytest

from ansible_collections.mapi.messaging.plugins.plugin_utils import census, profile, windows_paths
from test_probe_contract import make
from test_role_message_service import run_plan_action

USERS = ["alice:with-profile:services=MSEMS+CONTOSO", "bob:with-profile:services=MSEMS:entra",
         "carol:without-profile", "dave:with-profile:unloaded:services=CONTOSO"]


def every_versions_profile_keys():
    """Each version's own profile key, newest first, then the legacy key."""
    return [key for version in windows_paths.OFFICE_VERSIONS for key in profile.profile_keys(version)
            if key != profile.LEGACY_PROFILES_KEY] + [profile.LEGACY_PROFILES_KEY]


@pytest.mark.parametrize("detect_only", [True, False])
def test_the_one_probe_reads_every_office_versions_profile_keys_in_both_modes(tmp_path, detect_only):
    machine = make(tmp_path, office="msi64", users=USERS)
    args = {"detect_only": True} if detect_only else {"name": "CONTOSO", "files": [], "properties": {}}
    dummy, calls = run_plan_action(machine, **args)
    assert len(calls) == 1
    parameters = calls[0][1]["parameters"]
    assert [key.upper() for key in parameters["ProfileKeys"]] == list(dict.fromkeys(
        key.upper() for key in every_versions_profile_keys()))
    assert profile.PROFILE_LIST_KEY.upper() in [key.upper() for key in parameters["RegistryKeys"]]


def test_detect_only_returns_the_census_of_every_user_from_the_same_probe(tmp_path):
    machine = make(tmp_path, office="msi64", users=USERS)
    result, calls = run_plan_action(machine, detect_only=True)
    assert len(calls) == 1 and not result.get("failed")
    sids = [user["sid"] for user in machine["users"]]
    assert [user["sid"] for user in result["profiles"]["users"]] == sorted(sids, key=str.upper)
    assert census.counts(result["profiles"], "CONTOSO") == {
        "users": 4, "inspected": 3, "not_inspected": 1, "with_profile": 2, "in_default_profile": 1}
    assert census.counts(result["profiles"], "MSEMS")["in_default_profile"] == 2
