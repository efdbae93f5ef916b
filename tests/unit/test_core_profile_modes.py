# -*- coding: utf-8 -*-
"""What ``message_service_profile.existing_profiles`` and ``.new_profiles`` change in the
default-profile core (plugins/plugin_utils/profile.py): nothing at all when they are not
given, a second PRF that adds the service to a user's existing default profile with
``existing_profiles: add``, and a refusal naming the field for anything else.

PRFs are read back with the collection's Windows INI reader (ini.py), as Outlook would read them.
"""

from __future__ import annotations

import pytest

from ansible_collections.mapi.messaging.plugins.plugin_utils import ini, profile

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


def test_users_without_a_profile_are_left_to_outlook_unless_create_is_asked_for():
    assert resolve()["new_profiles"] == "leave"
    assert resolve(new_profiles="create")["new_profiles"] == "create"


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
