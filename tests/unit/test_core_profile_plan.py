# -*- coding: utf-8 -*-
"""The default-profile plan from the role's single read (profile.probe_needs, profile.plan_profile).

Each probe here is the result the probe script returns (the shape of docs' probe contract),
read through ``probe.read`` as the action plugin reads it, so a test proves what the plan
decides from what a host answers, not from our own spelling of the typed reading.
"""

from __future__ import annotations

import hashlib
import pathlib

import pytest

from ansible_collections.mapi.messaging.plugins.plugin_utils import ini, probe, profile

ROOT = pathlib.Path(__file__).resolve().parents[2]
TARGET = {"install_dir": "C:\\Program Files\\Contoso", "office_version": "16.0"}
ALICE = "S-1-5-21-1004336348-1177238915-682003330-1001"
BOB = "S-1-5-21-1004336348-1177238915-682003330-1002"
CAROL = "S-1-5-21-1004336348-1177238915-682003330-1003"
# An Entra ID (Azure AD) account: S-1-12-1 and four numbers made from the object id.
ERIN = "S-1-12-1-3545394826-1177282345-2611744406-2393584102"
OTHER_PRF = "\\\\server\\share\\other.prf"

SETTINGS = profile.settings({}, "CONTOSO", display_name="Contoso Connector", target=TARGET)
PRF = SETTINGS["prf_path"]
SCRIPT = SETTINGS["script_path"]
FOLDER = "C:\\Program Files\\Contoso"
PRF_SHA = profile.rendered_prf_sha256(SETTINGS)
SCRIPT_SHA = hashlib.sha256((ROOT / "roles/message_service/files" / profile.SCRIPT_NAME).read_bytes()).hexdigest()
PROFILES = SETTINGS["profile_keys"][0]
LEGACY = SETTINGS["profile_keys"][1]
SETUP = SETTINGS["setup_key"]
MARK = SETTINGS["user_active_setup_key"]
# The same service with both modes on: the PRF for existing profiles lies beside the first.
BOTH = profile.settings({"existing_profiles": "add", "new_profiles": "create"}, "CONTOSO",
                        display_name="Contoso Connector", target=TARGET)
APPEND_PRF = BOTH["prf_append_path"]
APPEND_SHA = profile.rendered_prf_sha256(BOTH, "prf_append")

REGEDIT_TO_REG = {"string": "REG_SZ", "expandstring": "REG_EXPAND_SZ", "dword": "REG_DWORD"}


# --- a host's answer, in the shape the probe script returns ----------------------------------

def key(path, exists=True, values=None, sub_keys=(), error=None):
    return {"key": path, "exists": exists and error is None, "values": values or {},
            "sub_keys": list(sub_keys), "error": error}


def sz(data, reg_type="REG_SZ"):
    return {"type": reg_type, "data": data}


def component_as_written():
    """The Active Setup component key exactly as the role writes it."""
    return {item["name"]: {"type": REGEDIT_TO_REG[item["type"]], "data": item["data"]}
            for item in profile.active_setup_values(SETTINGS)}


def path_state(path, exists=True, directory=False, sha256=None, error=None):
    return {"path": path, "expanded": path, "exists": exists, "directory": directory,
            "size": None if directory or not exists else 100, "sha256": sha256, "error": error}


def user(sid, profiles=None, legacy=None, setup=None, mark=False, errors=None, default=None, services=None):
    """A loaded user's keys: ``profiles``/``legacy`` are the profile names under each
    location (None: the key is missing), ``default`` the DefaultProfile where Outlook keeps it
    for the location that has profiles (Office 16.0: the parent key; pre-2013: the key itself),
    ``services`` {profile name: [service names its sections hold]}, ``setup`` the Setup key's
    values (None: missing), ``mark`` whether the per-user Active Setup key exists; ``errors``
    maps a relative key to the error the probe met reading it."""
    errors = errors or {}
    services = services or {}

    def one(relative, exists, values=None):
        return dict(key(relative, exists, values, (), errors.get(relative)), sid=sid)

    def profile_set(relative, names, legacy_key):
        error = errors.get(relative)
        found = names is not None and error is None
        return {"sid": sid, "key": relative, "exists": found,
                "default": default if legacy_key and found else None,
                "parent_default": default if not legacy_key and found else None,
                "profiles": [{"name": name, "services": list(services.get(name, ())), "error": None}
                             for name in (names or ()) if found],
                "error": error}

    return {"sid": sid, "keys": [one(SETUP, setup is not None, values=setup), one(MARK, mark)],
            "profiles": [profile_set(PROFILES, profiles, False), profile_set(LEGACY, legacy, True)]}


def host(users=(), loaded=None, profile_list=None, component="written", prf="ours", script="ours",
         folder=True, append=None, errors=()):
    """A host answer. Defaults: the role ran and nothing changed since (PRF and script as
    written, the component key as written); every user in ``users`` is logged on. ``append``:
    the PRF for existing profiles (None: missing, "ours": as rendered for APPEND, a SHA-256,
    or "folder")."""
    users = list(users)
    sids = [entry["sid"] for entry in users]
    if component == "written":
        component_key = key(SETTINGS["active_setup_key"], values=component_as_written())
    elif component is None:
        component_key = key(SETTINGS["active_setup_key"], exists=False)
    else:
        component_key = key(SETTINGS["active_setup_key"], values=component)
    files = {"ours": {PRF: PRF_SHA, SCRIPT: SCRIPT_SHA, APPEND_PRF: APPEND_SHA}}
    paths = []
    for path, state in ((PRF, prf), (SCRIPT, script), (APPEND_PRF, append)):
        if state is None:
            paths.append(path_state(path, exists=False))
        elif state == "folder":
            paths.append(path_state(path, directory=True))
        else:
            paths.append(path_state(path, sha256=files["ours"][path] if state == "ours" else state))
    paths.append(path_state(FOLDER, exists=folder, directory=folder))
    return probe.read({
        "changed": False,
        "output": [],
        "error": [],
        "result": {
            "probe": probe.PROBE_VERSION,
            "registry": [component_key,
                         key(profile.PROFILE_LIST_KEY,
                             sub_keys=profile_list if profile_list is not None
                             else ["S-1-5-18", "S-1-5-19", "S-1-5-20"] + sids)],
            "values": [],
            "paths": paths,
            "mapisvc": {"searched": [], "copies": [], "missing": [], "msmapi_dlls": [], "language_folders": [],
                        "errors": []},
            "users": {"loaded": loaded if loaded is not None else [".DEFAULT", "S-1-5-18"] + sids
                      + [sid + "_Classes" for sid in sids],
                      "keys": [entry for each in users for entry in each["keys"]],
                      "profiles": [entry for each in users for entry in each["profiles"]]},
            "in_use": {"outlook": [], "locked": []},
            "errors": list(errors),
        },
    })


def plan(probed, state="present", prf_sha=PRF_SHA, script_sha=SCRIPT_SHA, settings=None):
    return profile.plan_profile(settings or SETTINGS, probed, prf_sha, script_sha, state)


ARRANGED = {"ImportPRF": sz(PRF)}


# --- one definition of a user SID ------------------------------------------------------------

def test_user_sid_accepts_local_domain_and_entra_accounts_only():
    assert profile.user_sid(ALICE) and profile.user_sid(ERIN)
    assert profile.user_sid(ALICE.lower())  # registry key names compare without case
    for name in (".DEFAULT", "S-1-5-18", "S-1-5-19", "S-1-5-20", ALICE + "_Classes", ERIN + "_Classes",
                 "S-1-5-21-x", "S-1-5-21", "S-1-12-1", "S-1-12-2-1-2-3-4", ALICE + "\n", "S-1-5-21-\u0661", None, 7,
                 # A domain account has three numbers for the domain and a RID; Entra ID four numbers.
                 "S-1-5-21-1-1001", "S-1-5-21-1-2-3", ALICE + "-1", "S-1-12-1-1-2-3", ERIN + "-5", "S-1-5-21-01-2-3-4"):
        assert not profile.user_sid(name), name


# --- what the probe must read ----------------------------------------------------------------

def test_probe_needs_the_component_key_profile_list_both_prfs_script_folder_and_every_versions_user_keys():
    needs = profile.probe_needs(SETTINGS, "auto")
    assert needs["registry_keys"] == [SETTINGS["active_setup_key"], profile.PROFILE_LIST_KEY]
    # The PRF for existing profiles is read with "leave" too: a removal must find it.
    assert needs["paths"] == [PRF, APPEND_PRF, SCRIPT, FOLDER]
    folded = [ini.fold(item) for item in needs["user_keys"]]
    for version in ("16.0", "15.0"):
        assert ini.fold(profile.SETUP_KEY.format(version=version)) in folded
    assert ini.fold(MARK) in folded
    assert len(folded) == len(set(folded))


def test_probe_needs_only_the_detected_versions_keys_once_it_is_known():
    needs = profile.probe_needs(SETTINGS, "16.0")
    assert needs["user_keys"] == [SETUP, MARK]


# --- install: the files and Active Setup ------------------------------------------------------

ALICE_WITHOUT = dict(profiles=["Outlook"], default="Outlook", services={"Outlook": ["MSEMS"]})
ALICE_WITH = dict(profiles=["Outlook"], default="Outlook", services={"Outlook": ["MSEMS", "contoso"]})
FIRST_RUN = {"FirstRun": {"type": "REG_DWORD", "data": 1}}


def test_nothing_to_write_when_the_probe_shows_everything_in_place():
    result = plan(host([user(ALICE, **ALICE_WITHOUT), user(BOB, setup=FIRST_RUN, mark=True)]))
    assert result.problems == ()
    assert result.changes == 0
    assert result.as_dict()["changes"] == 0
    assert result.keep == (ALICE,) and result.without_profile == (BOB,)


def test_a_different_prf_is_the_only_write():
    result = plan(host([user(ALICE, **ALICE_WITHOUT)], prf="0" * 64))
    assert result.write_prf is True
    assert result.changes == 1


def test_a_fresh_host_gets_folder_files_and_component_and_with_create_the_logged_on_user_arranged():
    fresh = host([user(BOB, setup={"FirstRun": {"type": "REG_DWORD", "data": 1}})],
                 component=None, prf=None, script=None, folder=False)
    result = plan(fresh, settings=BOTH)
    assert result.folders == (FOLDER,)
    assert result.write_prf and result.write_prf_append and result.write_script
    assert [item["name"] for item in result.active_setup] == ["", "ComponentID", "StubPath", "Version", "IsInstalled"]
    assert result.import_prf == ({"sid": BOB, "prf": PRF},)
    assert result.remove_first_run == ((BOB, "FirstRun"),)
    left = plan(fresh)
    assert left.import_prf == () and left.remove_first_run == () and left.without_profile == (BOB,)
    assert left.write_prf_append is False


def test_the_folder_is_not_created_again_when_a_file_in_it_exists():
    result = plan(host(folder=False, script=None))
    assert result.folders == ()
    assert result.write_script is True


def test_only_the_active_setup_values_that_differ_are_written():
    component = component_as_written()
    component["Version"] = sz("0")
    component["StubPath"] = sz(SETTINGS["stub_path"])  # right text, REG_SZ instead of REG_EXPAND_SZ
    component["isinstalled"] = {"type": "REG_DWORD", "data": 1}  # value names compare without case
    del component["IsInstalled"]
    result = plan(host(component=component))
    assert [(item["name"], item["type"]) for item in result.active_setup] == [
        ("StubPath", "expandstring"), ("Version", "string")]


def test_changing_a_mode_rewrites_the_stub_path_so_active_setup_decides_alike():
    result = plan(host(append="ours"), settings=BOTH)
    assert [item["name"] for item in result.active_setup] == ["StubPath"]
    assert "-ExistingProfiles add -NewProfiles create" in result.active_setup[0]["data"]


# --- install: who gets which PRF, from the census of each logged-on user --------------------

def test_leave_reports_users_with_a_profile_and_users_without_one_and_changes_nothing():
    result = plan(host([user(ALICE, setup=FIRST_RUN, **ALICE_WITHOUT), user(CAROL, legacy=["MAPI"]),
                        user(BOB, setup=FIRST_RUN)]))
    assert result.keep == (ALICE,)
    assert result.no_default_profile == (CAROL,)   # a pre-2013 profile without DefaultProfile
    assert result.without_profile == (BOB,)
    assert result.import_prf == () and result.remove_first_run == () and result.changes == 0


def test_a_default_in_the_pre_2013_location_counts():
    result = plan(host([user(CAROL, legacy=["MAPI"], default="MAPI", services={"MAPI": ["MSEMS"]})], append="ours"),
                  settings=BOTH)
    assert result.import_prf == ({"sid": CAROL, "prf": APPEND_PRF},)


def test_an_empty_profiles_key_is_no_profile():
    result = plan(host([user(BOB, profiles=[], setup=None)], append="ours"), settings=BOTH)
    assert result.import_prf == ({"sid": BOB, "prf": PRF},)


def test_an_entra_id_user_without_a_profile_gets_import_prf_with_create():
    result = plan(host([user(ERIN, setup={"First-Run": sz("x"), "FirstRun": {"type": "REG_DWORD", "data": 1}})],
                       append="ours"), settings=BOTH)
    assert result.loaded == (ERIN,)
    assert result.import_prf == ({"sid": ERIN, "prf": PRF},)
    assert set(result.remove_first_run) == {(ERIN, "FirstRun"), (ERIN, "First-Run")}
    assert result.as_dict()["remove_first_run"] == [[ERIN, "FirstRun"], [ERIN, "First-Run"]]


@pytest.mark.parametrize("value", [sz([PRF], "REG_MULTI_SZ"), sz(0, "REG_DWORD"), sz("", "REG_BINARY"),
                                   sz("%ProgramFiles%\\Contoso\\CONTOSO.prf", "REG_EXPAND_SZ")],
                         ids=["REG_MULTI_SZ", "REG_DWORD", "empty REG_BINARY", "REG_EXPAND_SZ with a variable"])
def test_removal_never_withdraws_an_import_prf_that_is_not_a_string_naming_our_prf(value):
    # The install's decision for each type is in the table of profile_cases.py.
    result = plan(host([user(BOB, setup={"ImportPRF": value})], append="ours"), state="absent")
    assert result.withdraw_import_prf == ()


def test_a_mode_back_at_leave_withdraws_our_import_prf_and_says_so():
    result = plan(host([user(BOB, setup={"ImportPRF": sz(PRF)}), user(ALICE, setup={"ImportPRF": sz(APPEND_PRF)},
                                                                      **ALICE_WITHOUT)]))
    assert result.without_profile == (BOB,) and result.keep == (ALICE,)
    assert result.withdraw_import_prf == (ALICE, BOB) and result.changes == 2


def test_an_unreadable_user_is_listed_not_guessed():
    result = plan(host([user(ALICE, **ALICE_WITHOUT),
                        user(BOB, errors={PROFILES: "Requested registry access is not allowed."}),
                        user(CAROL, setup=None, errors={SETUP: "Requested registry access is not allowed."})],
                       append="ours"), settings=BOTH)
    assert result.unread == (BOB, CAROL)
    assert result.import_prf == ({"sid": ALICE, "prf": APPEND_PRF},) and result.remove_first_run == ()
    assert any(BOB in note and "not allowed" in note for note in result.notes)
    assert any(CAROL in note and "not allowed" in note for note in result.notes)


def test_a_user_left_alone_whose_setup_key_could_not_be_read_keeps_it_and_the_notes_say_why():
    result = plan(host([user(BOB, setup=None, errors={SETUP: "Requested registry access is not allowed."})]))
    assert result.without_profile == (BOB,) and result.withdraw_import_prf == () and result.unread == ()
    assert any(BOB in note and "ImportPRF" in note and "not allowed" in note for note in result.notes)


def test_a_user_whose_other_profile_location_could_not_be_read_is_not_decided():
    # The census never guesses: one unreadable location leaves the default profile unknown.
    result = plan(host([user(ALICE, errors={LEGACY: "access denied"}, **ALICE_WITHOUT)], append="ours"), settings=BOTH)
    assert result.unread == (ALICE,) and result.import_prf == ()


def test_a_loaded_hive_the_probe_returned_no_keys_for_is_unread():
    result = plan(host([user(ALICE, **ALICE_WITHOUT)], loaded=[ALICE, BOB]))
    assert result.unread == (BOB,) and result.import_prf == ()


def test_users_not_logged_on_are_left_to_active_setup_and_service_accounts_ignored():
    result = plan(host([user(ALICE, **ALICE_WITHOUT)],
                       profile_list=["S-1-5-18", ALICE, CAROL, ERIN, "S-1-5-80-1"]))
    assert result.active_setup_users == tuple(sorted([CAROL, ERIN]))


def test_when_no_one_knows_who_is_logged_on_the_users_are_not_decided_and_not_left_to_active_setup():
    # The users come from the census: without the list of loaded hives, "not logged on" would
    # be a guess, so they are listed as not decided with the census's reason.
    result = plan(host(loaded=[], profile_list=[ALICE, BOB], errors=[probe.HKU_UNLISTED + "Access is denied."]),
                  settings=BOTH)
    assert result.unread == (ALICE, BOB) and result.active_setup_users == ()
    assert result.import_prf == () and result.withdraw_import_prf == ()
    assert any(ALICE in note and "not known whether the user is logged on" in note for note in result.notes)


def test_a_prf_path_that_is_a_folder_on_the_host_is_a_problem_naming_the_option():
    result = plan(host(prf="folder"))
    assert any(problem.startswith("message_service_profile.prf_path:") for problem in result.problems)


def test_unknown_script_checksum_means_the_script_is_written():
    assert plan(host(), script_sha=None).write_script is True


def test_a_state_other_than_present_or_absent_is_refused():
    with pytest.raises(profile.ProfileError, match="message_service_state"):
        plan(host(), state="latest")


# --- removal --------------------------------------------------------------------------------

def test_removal_on_a_clean_host_writes_nothing():
    result = plan(host([user(ALICE, profiles=["Outlook"])], component=None, prf=None, script=None, folder=False),
                  state="absent")
    assert result.changes == 0
    assert result.remove_active_setup is False and result.remove_files == ()


def test_removal_never_deletes_a_folder_at_the_prf_path():
    result = plan(host(prf="folder"), state="absent")
    assert result.remove_files == (SCRIPT,)


def test_removal_withdraws_what_the_role_arranged_with_either_prf():
    result = plan(host([user(BOB, setup=ARRANGED, mark=True),
                        user(ERIN, setup={"ImportPRF": sz(APPEND_PRF)}, mark=True, **ALICE_WITHOUT)],
                       append="ours"), state="absent")
    assert result.remove_active_setup is True
    assert result.withdraw_import_prf == result.remove_user_marks == tuple(sorted([BOB, ERIN]))
    assert result.remove_files == (PRF, APPEND_PRF, SCRIPT)


def test_removal_leaves_an_append_prf_the_role_cannot_have_written():
    # Another service named CONTOSO-append in the same folder would have its PRF there.
    result = plan(host([user(BOB, setup=ARRANGED)], append="0" * 64), state="absent")
    assert result.remove_files == (PRF, SCRIPT)
    assert any(APPEND_PRF in note and "left as it is" in note for note in result.notes)
    ours = plan(host(append="ours"), state="absent")
    assert ours.remove_files == (PRF, APPEND_PRF, SCRIPT)


def test_removal_never_deletes_a_folder_at_the_append_prf_path():
    result = plan(host(append="folder"), state="absent")
    assert result.remove_files == (PRF, SCRIPT)
    assert any(APPEND_PRF in note for note in result.notes)


def test_removal_withdraws_our_import_prf_however_its_path_is_spelled():
    spelled = {"ImportPRF": sz('"%s"' % PRF.upper().replace("\\", "/"))}
    result = plan(host([user(BOB, setup=spelled)]), state="absent")
    assert result.withdraw_import_prf == (BOB,)


def test_removal_leaves_another_prfs_import_prf():
    result = plan(host([user(ALICE, setup={"ImportPRF": sz(OTHER_PRF)}), user(BOB, setup=ARRANGED)]),
                  state="absent")
    assert result.withdraw_import_prf == (BOB,)


def test_removal_lists_unreadable_users_and_does_not_guess_their_import_prf():
    result = plan(host([user(BOB, setup=ARRANGED, mark=True, errors={SETUP: "access denied"})]), state="absent")
    assert result.unread == (BOB,)
    assert result.withdraw_import_prf == ()
    assert result.remove_user_marks == (BOB,)  # that key was read: the mark is proven there
