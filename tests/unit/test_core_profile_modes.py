# -*- coding: utf-8 -*-
"""What ``message_service_profile.existing_profiles`` and ``.new_profiles`` change in the
default-profile core (plugins/plugin_utils/profile.py): nothing at all when they are not
given, a second PRF that adds the service to a user's existing default profile with
``existing_profiles: add``, and a refusal naming the field for anything else.

PRFs are read back with the collection's Windows INI reader (ini.py), as Outlook would read them.
"""

from __future__ import annotations

import pytest

from ansible_collections.mapi.messaging.plugins.plugin_utils import census, ini, profile
from profile_cases import CASES, outcome_of

TARGET = {"install_dir": "C:\\Program Files\\CONTOSO", "office_version": "16.0"}
SAMPLE = {
    "properties": [
        {"name": "Server", "tag": "0x6700", "value": "mail.contoso.com"},
        {"name": "Port", "type": "PT_LONG", "tag": "0x6701", "value": 443},
    ],
}

# The PRF for users without a profile as the role wrote it before the two options existed,
# byte for byte, for SAMPLE: the options must not change a byte of it when they are not given.
SAMPLE_PRF = (
    b"; Outlook profile for the CONTOSO message service, written by mapi.messaging.message_service.\r\n"
    b"; Outlook imports it once for a user who has no profile yet; edits here are replaced on the next run.\r\n"
    b"\r\n"
    b"[General]\r\n"
    b"Custom=1\r\n"
    b"ProfileName=Outlook\r\n"
    b"DefaultProfile=Yes\r\n"
    b"OverwriteProfile=No\r\n"
    b"ModifyDefaultProfileIfPresent=FALSE\r\n"
    b"BackupProfile=No\r\n"
    b"\r\n"
    b"[Service List]\r\n"
    b"Service1=Contoso Connector\r\n"
    b"\r\n"
    b"[Service1]\r\n"
    b"UniqueService=Yes\r\n"
    b"Server=mail.contoso.com\r\n"
    b"Port=443\r\n"
    b"\r\n"
    b"[Contoso Connector]\r\n"
    b"ServiceName=CONTOSO\r\n"
    b"Server=PT_STRING8,0x6700\r\n"
    b"Port=PT_LONG,0x6701\r\n"
)


def resolve(**options):
    return profile.settings(dict(SAMPLE, **options), "CONTOSO", "Contoso Connector", TARGET)


def problems_of(**options):
    with pytest.raises(profile.ProfileError) as caught:
        resolve(**options)
    return caught.value.problems


def read(text):
    return ini.parse(text.encode("ascii"))


# --- without the options: today's settings -------------------------------------------------

def test_without_the_options_the_new_profile_prf_and_its_path_are_unchanged():
    resolved = resolve()
    assert resolved["prf"].encode("ascii") == SAMPLE_PRF
    assert resolved["prf_path"] == "C:\\Program Files\\CONTOSO\\CONTOSO.prf"


def test_without_the_options_existing_profiles_are_left_and_no_append_prf_is_rendered():
    resolved = resolve()
    assert resolved["existing_profiles"] == "leave"
    assert resolved["prf_append"] is None


def test_the_options_never_change_the_new_profile_prf():
    for existing in profile.EXISTING_PROFILES:
        for new in profile.NEW_PROFILES:
            resolved = resolve(existing_profiles=existing, new_profiles=new)
            assert resolved["prf"].encode("ascii") == SAMPLE_PRF, (existing, new)


# --- existing_profiles: add -------------------------------------------------------------------

def test_add_renders_a_prf_that_appends_to_the_existing_default_profile():
    doc = read(resolve(existing_profiles="add")["prf_append"])
    assert doc.get("General", "Custom") == "1"
    assert doc.get("General", "OverwriteProfile") == "Append"
    assert doc.get("General", "ModifyDefaultProfileIfPresent") == "TRUE"
    assert doc.get("General", "DefaultProfile") == "Yes"


def test_the_append_prf_makes_no_backup_profiles_and_no_second_copy_of_the_service():
    doc = read(resolve(existing_profiles="add")["prf_append"])
    assert doc.get("General", "BackupProfile") == "No"
    assert doc.get("Service1", "UniqueService") == "Yes"


def test_the_append_prf_carries_the_same_service_and_values_as_the_new_profile_prf():
    resolved = resolve(existing_profiles="add")
    appended, created = read(resolved["prf_append"]), read(resolved["prf"])
    for section, key in (("Service List", "Service1"), ("Service1", "Server"), ("Service1", "Port"),
                         ("Contoso Connector", "ServiceName"), ("Contoso Connector", "Server"),
                         ("Contoso Connector", "Port")):
        assert appended.get(section, key) == created.get(section, key), (section, key)
    assert appended.get("Contoso Connector", "ServiceName") == "CONTOSO"


def test_the_append_prf_ignores_the_new_profile_options():
    resolved = resolve(existing_profiles="add", overwrite="Yes", default_profile=False,
                       modify_default_profile_if_present=False)
    doc = read(resolved["prf_append"])
    assert doc.get("General", "OverwriteProfile") == "Append"
    assert doc.get("General", "ModifyDefaultProfileIfPresent") == "TRUE"
    assert read(resolved["prf"]).get("General", "OverwriteProfile") == "Yes"


def test_the_append_prf_is_ascii_with_crlf_and_no_bom():
    raw = resolve(existing_profiles="add")["prf_append"].encode("ascii")
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_the_append_prf_lies_beside_the_new_profile_prf_even_when_leave():
    # Named with "leave" too, so that a run back to "leave" or a removal can find the file an
    # earlier run with "add" wrote.
    assert resolve()["prf_append_path"] == "C:\\Program Files\\CONTOSO\\CONTOSO-append.prf"
    moved = resolve(prf_path="C:\\Program Files\\Contoso Tools\\Outlook.PRF")
    assert moved["prf_append_path"] == "C:\\Program Files\\Contoso Tools\\Outlook-append.prf"


# --- refusals ---------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value", [
    ("existing_profiles", "create"),
    ("existing_profiles", "Add"),
    ("existing_profiles", True),
    ("existing_profiles", ["add"]),
    ("new_profiles", "add"),
    ("new_profiles", "Create"),
    ("new_profiles", False),
    ("new_profiles", ""),
])
def test_a_bad_value_is_refused_naming_the_field_and_the_choices(field, value):
    problems = problems_of(**{field: value})
    assert len(problems) == 1
    assert problems[0].startswith("message_service_profile.%s: %r" % (field, value))
    choices = profile.EXISTING_PROFILES if field == "existing_profiles" else profile.NEW_PROFILES
    assert all(choice in problems[0] for choice in choices)


def test_add_without_unique_service_is_refused_because_each_import_would_add_a_copy():
    problems = problems_of(existing_profiles="add", unique_service=False)
    assert len(problems) == 1
    assert problems[0].startswith("message_service_profile.unique_service: false")
    assert "existing_profiles: add" in problems[0]
    # Without "add", unique_service: false stays what it was.
    assert "UniqueService" not in resolve(unique_service=False)["prf"]


def test_bad_modes_are_reported_with_the_other_problems_at_once():
    problems = problems_of(existing_profiles="all", new_profiles="never", name="[bad]")
    fields = sorted(problem.split(":", 1)[0] for problem in problems)
    assert fields == ["message_service_profile.existing_profiles", "message_service_profile.name",
                      "message_service_profile.new_profiles"]


# --- who gets which PRF: the per-user decision from the census of each logged-on user ----------
#
# ``profile._decide`` takes the host's readings as functions; here they are made by hand: a
# census entry per user (census.UserProfiles, as census.take builds it), the Setup key's values,
# and a host where the files and the Active Setup component are as the role writes them.

ALICE = "S-1-5-21-1004336348-1177238915-682003330-1001"
BOB = "S-1-5-21-1004336348-1177238915-682003330-1002"
ERIN = "S-1-12-1-3545394826-1177282345-2611744406-2393584102"
OTHER_PRF = "\\\\server\\share\\other.prf"


def with_service(sid, services=("MSEMS", "contoso")):
    # The census keeps the names as the profile holds them: compared without case.
    return census.UserProfiles(sid, True, profiles=("Outlook",), default_profile="Outlook",
                               default_services=tuple(services))


def decide(resolved, people, setups=None, state="present", files_as=None):
    """The plan for logged-on users ``people`` (census entries); ``setups`` maps a SID to its
    Setup key values ({name: data, or (registry type, data)}; data alone is REG_SZ); ``files_as`` maps a path to a FileReading (default: each
    of our files as rendered)."""
    setups = setups or {}
    by_sid = {entry.sid: entry for entry in people}
    hashes = {resolved["prf_path"]: profile.rendered_prf_sha256(resolved),
              resolved["prf_append_path"]: profile.rendered_prf_sha256(resolved, "prf_append"),
              resolved["script_path"]: "ab" * 32}

    def machine_key(path):
        if path == profile.PROFILE_LIST_KEY:
            return profile.KeyReading(read=True, exists=True, sub_keys=tuple(by_sid))
        return profile.KeyReading(read=True, exists=True, values={
            ini.fold(item["name"]): (profile.REGEDIT_TYPES[item["type"]], item["data"])
            for item in profile.active_setup_values(resolved)})

    def user_key(sid, relative):
        assert relative in (resolved["setup_key"], resolved["user_active_setup_key"])
        values = setups.get(sid)
        if relative != resolved["setup_key"] or values is None:
            return profile.KeyReading(read=True, exists=False)
        return profile.KeyReading(read=True, exists=True, values={
            ini.fold(name): data if isinstance(data, tuple) else ("REG_SZ", data) for name, data in values.items()})

    def files(path):
        if files_as and path in files_as:
            return files_as[path]
        if path in hashes:
            exists = hashes[path] is not None
            return profile.FileReading(read=True, exists=exists, sha256=hashes[path])
        return profile.FileReading(read=True, exists=True, directory=True)

    taken = census.Census(users=tuple(sorted(people, key=lambda entry: entry.sid)))
    return profile._decide(resolved, state, machine_key, user_key, files, taken,
                           hashes[resolved["prf_path"]], hashes[resolved["script_path"]],
                           append_hash=hashes[resolved["prf_append_path"]])


@pytest.mark.parametrize("name, found, import_prf, modes, outcome, prf", CASES, ids=[case[0] for case in CASES])
def test_each_user_is_decided_as_the_table_the_active_setup_script_shares_says(name, found, import_prf, modes,
                                                                               outcome, prf):
    resolved = resolve(**modes)
    if found is None:
        people = census.UserProfiles(ALICE, False, reason="Requested registry access is not allowed.")
    else:
        people = census.UserProfiles(ALICE, True, profiles=found["profiles"], default_profile=found["default"],
                                     default_services=found["services"])
    setup = {"FirstRun": "1"}
    if import_prf is not None:
        setup["ImportPRF"] = import_prf
    result = decide(resolved, [people], {ALICE: setup})
    assert outcome_of(result, ALICE) == outcome, name
    assert [item["prf"] for item in result.import_prf] == ([prf] if prf else [])
    # FirstRun goes only where ImportPRF is (or already was) ours to point at a PRF.
    assert bool(result.remove_first_run) == (outcome in ("import_prf", "arranged"))


def test_users_without_a_profile_are_left_to_outlook_unless_create_is_asked_for():
    bare = census.UserProfiles(BOB, True)
    left = decide(resolve(), [bare], {BOB: {"FirstRun": "1"}})
    assert left.without_profile == (BOB,)
    assert left.import_prf == () and left.remove_first_run == () and left.changes == 0
    resolved = resolve(new_profiles="create")
    created = decide(resolved, [bare], {BOB: {"FirstRun": "1"}})
    assert created.import_prf == ({"sid": BOB, "prf": resolved["prf_path"]},)
    assert created.remove_first_run == ((BOB, "FirstRun"),)


def test_add_points_import_prf_at_the_append_prf_for_a_default_profile_without_the_service():
    resolved = resolve(existing_profiles="add")
    result = decide(resolved, [with_service(ALICE, ["MSEMS"]), with_service(ERIN, [])],
                    {ALICE: {"FirstRun": "1", "First-Run": "x"}})
    # Users in the order of their SIDs: S-1-12-1-* sorts before S-1-5-21-*.
    assert result.import_prf == ({"sid": ERIN, "prf": resolved["prf_append_path"]},
                                 {"sid": ALICE, "prf": resolved["prf_append_path"]})
    assert result.remove_first_run == ((ALICE, "FirstRun"), (ALICE, "First-Run"))
    assert result.as_dict()["import_prf"] == [{"sid": ERIN, "prf": resolved["prf_append_path"]},
                                              {"sid": ALICE, "prf": resolved["prf_append_path"]}]


def test_import_prf_naming_the_prf_wanted_is_arranged_and_only_first_run_goes():
    resolved = resolve(existing_profiles="add")
    spelled = '"%s"' % resolved["prf_append_path"].upper().replace("\\", "/")
    result = decide(resolved, [with_service(ALICE, [])], {ALICE: {"ImportPRF": spelled, "FirstRun": "1"}})
    assert result.import_prf == () and result.arranged == (ALICE,)
    assert result.remove_first_run == ((ALICE, "FirstRun"),)


def test_the_append_prf_is_written_with_add_only_when_it_differs():
    resolved = resolve(existing_profiles="add")
    assert decide(resolved, []).write_prf_append is False
    missing = {resolved["prf_append_path"]: profile.FileReading(read=True, exists=False)}
    assert decide(resolved, [], files_as=missing).write_prf_append is True
    assert decide(resolve(), [], files_as=missing).write_prf_append is False


def test_an_append_prf_path_that_is_a_folder_on_the_host_is_a_problem_naming_prf_path():
    resolved = resolve(existing_profiles="add")
    folder = {resolved["prf_append_path"]: profile.FileReading(read=True, exists=True, directory=True)}
    result = decide(resolved, [], files_as=folder)
    assert any(problem.startswith("message_service_profile.prf_path:") for problem in result.problems)


def test_removal_deletes_an_append_prf_of_other_bytes_only_because_a_users_import_prf_names_it():
    resolved = resolve()   # a removal finds what an earlier run with add arranged
    earlier = {resolved["prf_append_path"]: profile.FileReading(read=True, exists=True, sha256="cd" * 32)}
    result = decide(resolved, [with_service(ALICE, []), census.UserProfiles(BOB, True),
                               census.UserProfiles(ERIN, True)],
                    {ALICE: {"ImportPRF": resolved["prf_append_path"]}, BOB: {"ImportPRF": resolved["prf_path"]},
                     ERIN: {"ImportPRF": OTHER_PRF}}, state="absent", files_as=earlier)
    assert result.withdraw_import_prf == (ALICE, BOB)
    assert result.remove_files == (resolved["prf_path"], resolved["prf_append_path"], resolved["script_path"])
