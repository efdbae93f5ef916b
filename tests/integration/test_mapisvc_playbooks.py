# -*- coding: utf-8 -*-
"""mapi.messaging.mapisvc through ansible-playbook on localhost (the POSIX path).

Each test runs real playbooks and checks both what the task reported and the bytes on disk.
"""

import pathlib

import pytest

from playbook_run import run_playbook

SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "demo" / "MAPISVC.INF"
FILES = pathlib.Path(__file__).resolve().parent / "files"

CONTOSO_DLL = "C:\\Program Files\\Contoso\\contoso.dll"


def contoso(path, **overrides):
    """The Contoso declaration from the README, on ``path``."""
    args = {
        "path": str(path),
        "service": "CONTOSO",
        "display_name": "Contoso Connector",
        "default_service": True,
        "properties": {
            "PR_SERVICE_DLL_NAME": CONTOSO_DLL,
            "PR_SERVICE_ENTRY_NAME": "ServiceEntry",
            "PR_RESOURCE_FLAGS": ["SERVICE_SINGLE_COPY", "SERVICE_NO_PRIMARY_IDENTITY"],
            "PR_SERVICE_SUPPORT_FILES": ["contoso.dll", "contosoui.dll"],
            "66040003": 3,
        },
        "providers": [
            {"name": "CONTOSO_AB", "properties": {
                "PR_RESOURCE_TYPE": "MAPI_AB_PROVIDER",
                "PR_PROVIDER_DLL_NAME": CONTOSO_DLL,
                "PR_PROVIDER_DISPLAY": "Contoso Directory"}},
            {"name": "CONTOSO_MS", "properties": {
                "PR_RESOURCE_TYPE": "MAPI_STORE_PROVIDER",
                "PR_PROVIDER_DLL_NAME": CONTOSO_DLL}},
        ],
        "sections": [{"name": "CONTOSO_Profile", "properties": {"UID": "13DBB0C8AA05101A9BB000AA002FC45A"}}],
    }
    args.update(overrides)
    return {"name": "mapisvc", "mapi.messaging.mapisvc": args}


@pytest.fixture
def inf(tmp_path):
    target = tmp_path / "MAPISVC.INF"
    target.write_bytes(SAMPLE.read_bytes())
    return target


def test_present_registers_the_service_and_keeps_every_other_line(tmp_path, inf):
    rc, results = run_playbook(tmp_path, [contoso(inf)])
    assert rc == 0
    assert results[0]["changed"] is True
    after = inf.read_bytes()
    assert b"\r\n[CONTOSO]\r\nPR_SERVICE_DLL_NAME=C:\\Program Files\\Contoso\\contoso.dll\r\n" in after
    assert b"66040003=03000000\r\nProviders=CONTOSO_AB, CONTOSO_MS\r\nSections=CONTOSO_Profile\r\n" in after
    assert b"MSPST MS=Personal Folders File (.pst)\r\nCONTOSO=Contoso Connector\r\n" in after
    # Every original line survives in order: removing the added lines gives the original.
    original = SAMPLE.read_bytes().split(b"\r\n")
    remaining = iter(after.split(b"\r\n"))
    assert all(line in remaining for line in original)
    changes = results[0]["changes"]
    assert {"section": "Services", "key": "CONTOSO", "before": None, "after": "Contoso Connector"} in changes
    assert {"section": "CONTOSO", "key": "66040003", "before": None, "after": "03000000"} in changes


def test_second_run_changes_nothing_and_leaves_the_bytes_alone(tmp_path, inf):
    run_playbook(tmp_path, [contoso(inf)])
    first = inf.read_bytes()
    mtime = inf.stat().st_mtime_ns
    rc, results = run_playbook(tmp_path, [contoso(inf)])
    assert rc == 0 and results[0]["changed"] is False and results[0]["changes"] == []
    assert inf.read_bytes() == first
    assert inf.stat().st_mtime_ns == mtime, "a file with no change must not be rewritten"


def test_check_mode_reports_the_change_without_writing(tmp_path, inf):
    rc, results = run_playbook(tmp_path, [contoso(inf)], check=True)
    assert rc == 0 and results[0]["changed"] is True and results[0]["changes"]
    assert inf.read_bytes() == SAMPLE.read_bytes()
    run_playbook(tmp_path, [contoso(inf)])
    rc, results = run_playbook(tmp_path, [contoso(inf)], check=True)
    assert results[0]["changed"] is False


def test_diff_mode_shows_the_file_before_and_after(tmp_path, inf):
    rc, results = run_playbook(tmp_path, [contoso(inf)], diff=True)
    diff = results[0]["diff"]
    assert diff["before"] == SAMPLE.read_bytes().decode("cp1252")
    assert "[CONTOSO_AB]" in diff["after"] and "[CONTOSO_AB]" not in diff["before"]
    rc, results = run_playbook(tmp_path, [contoso(inf)], diff=True)
    assert "diff" not in results[0] or not results[0]["diff"]


def test_backup_keeps_the_previous_file_on_the_target(tmp_path, inf):
    rc, results = run_playbook(tmp_path, [contoso(inf, backup=True)])
    backup = pathlib.Path(results[0]["backup_file"])
    assert backup.read_bytes() == SAMPLE.read_bytes()
    assert backup.parent == inf.parent


def test_absent_removes_the_service_as_a_unit_and_restores_the_file(tmp_path, inf):
    run_playbook(tmp_path, [contoso(inf)])
    rc, results = run_playbook(tmp_path, [{"mapi.messaging.mapisvc": {
        "path": str(inf), "service": "contoso", "state": "absent"}}])
    assert rc == 0 and results[0]["changed"] is True
    assert inf.read_bytes() == SAMPLE.read_bytes()
    rc, results = run_playbook(tmp_path, [{"mapi.messaging.mapisvc": {
        "path": str(inf), "service": "CONTOSO", "state": "absent"}}])
    assert results[0]["changed"] is False


def test_absent_keeps_sections_another_service_references(tmp_path, inf):
    # Claiming MSEMS's provider is refused (even with the values it has), the file untouched.
    declared = contoso(inf)
    declared["mapi.messaging.mapisvc"]["providers"].append(
        {"name": "EMS_DSA", "properties": {"PR_PROVIDER_DLL_NAME": "EMSABP.DLL"}})
    rc, results = run_playbook(tmp_path, [declared])
    assert rc != 0 and "[EMS_DSA] is listed by service MSEMS" in results[0]["msg"]
    assert inf.read_bytes() == SAMPLE.read_bytes()
    # A file where CONTOSO already lists EMS_DSA too (another tool put it there): removing
    # CONTOSO must not take MSEMS's provider with it.
    shared = SAMPLE.read_bytes().replace(b"[Services]\r\n", b"[Services]\r\nCONTOSO=Contoso Connector\r\n", 1)
    inf.write_bytes(shared + b"\r\n[CONTOSO]\r\nProviders=EMS_DSA\r\n")
    rc, results = run_playbook(tmp_path, [{"mapi.messaging.mapisvc": {
        "path": str(inf), "service": "CONTOSO", "state": "absent"}}])
    assert rc == 0, results[0].get("msg")
    assert b"[EMS_DSA]\r\nPR_DISPLAY_NAME=Microsoft Exchange Directory Service" in inf.read_bytes()
    assert any("EMS_DSA" in w and "MSEMS" in w for w in results[0]["warnings"])


def test_src_merges_a_vendor_fragment_idempotently_and_removes_it(tmp_path, inf):
    fragment_task = {"mapi.messaging.mapisvc": {"path": str(inf), "src": "tailspin-mapisvc.inf"}}
    rc, results = run_playbook(tmp_path, [fragment_task], files_dir=FILES)
    assert rc == 0 and results[0]["changed"] is True, results
    text = inf.read_bytes().decode("cp1252")
    assert "TAILSPIN=Tailspin Directory\r\n" in text
    assert "[TAILSPIN_AB]\r\n" in text and "[TAILSPIN_Profile]\r\n" in text
    rc, results = run_playbook(tmp_path, [fragment_task], files_dir=FILES)
    assert results[0]["changed"] is False
    absent = {"mapi.messaging.mapisvc": {"path": str(inf), "src": "tailspin-mapisvc.inf", "state": "absent"}}
    rc, results = run_playbook(tmp_path, [absent], files_dir=FILES)
    assert results[0]["changed"] is True
    assert inf.read_bytes() == SAMPLE.read_bytes()


def test_purge_drops_undeclared_keys_and_providers(tmp_path, inf):
    run_playbook(tmp_path, [contoso(inf)])
    slim = contoso(inf, purge=True, properties={"PR_SERVICE_DLL_NAME": CONTOSO_DLL},
                   providers=[{"name": "CONTOSO_AB", "properties": {"PR_RESOURCE_TYPE": "MAPI_AB_PROVIDER",
                                                                    "PR_PROVIDER_DLL_NAME": CONTOSO_DLL}}])
    rc, results = run_playbook(tmp_path, [slim])
    assert rc == 0 and results[0]["changed"] is True
    text = inf.read_bytes().decode("cp1252")
    assert "[CONTOSO_MS]" not in text
    assert "PR_SERVICE_ENTRY_NAME=ServiceEntry" not in text
    assert "[CONTOSO_AB]\r\nPR_RESOURCE_TYPE=MAPI_AB_PROVIDER\r\nPR_PROVIDER_DLL_NAME=%s\r\n\r\n" % CONTOSO_DLL in text
    # Sections= was declared (unchanged) so it and its section stay.
    assert "Sections=CONTOSO_Profile" in text and "[CONTOSO_Profile]" in text
    rc, results = run_playbook(tmp_path, [slim])
    assert results[0]["changed"] is False


def test_a_retired_provider_goes_in_any_later_run_and_stays_gone(tmp_path, inf):
    """Dropping a provider without purge leaves its section (with a warning saying how to
    remove it); declaring it with state: absent removes it in a later run too, and only it."""
    run_playbook(tmp_path, [contoso(inf)])
    both = contoso(inf)["mapi.messaging.mapisvc"]["providers"]
    dropped = contoso(inf, providers=both[:1])
    rc, results = run_playbook(tmp_path, [dropped])
    assert rc == 0 and results[0]["changed"] is True
    assert "[CONTOSO_MS]" in inf.read_bytes().decode("cp1252")
    assert any("[CONTOSO_MS] is no longer listed by CONTOSO" in w and "state: absent" in w
               for w in results[0]["warnings"]), results[0].get("warnings")
    before = inf.read_bytes()
    retired = contoso(inf, providers=both[:1] + [{"name": "CONTOSO_MS", "state": "absent"}])
    rc, results = run_playbook(tmp_path, [retired, retired], diff=True)
    assert rc == 0 and [r["changed"] for r in results] == [True, False]
    assert [(c["section"], c["key"], c["after"]) for c in results[0]["changes"]] == [("CONTOSO_MS", None, None)]
    text = inf.read_bytes().decode("cp1252")
    assert "[CONTOSO_MS]" not in text and "Providers=CONTOSO_AB\r\n" in text
    assert text == before.decode("cp1252").replace(
        "[CONTOSO_MS]\r\nPR_RESOURCE_TYPE=MAPI_STORE_PROVIDER\r\nPR_PROVIDER_DLL_NAME=%s\r\n\r\n" % CONTOSO_DLL, "", 1)
    # Removing the service takes a retired section that came back along too.
    rc, results = run_playbook(tmp_path, [contoso(inf, providers=both[:1] + [{"name": "CONTOSO_MS", "state": "absent"}],
                                                  state="absent")])
    assert rc == 0 and "CONTOSO" not in inf.read_bytes().decode("cp1252")


def test_same_meaning_in_another_spelling_is_left_alone(tmp_path):
    spelled = (
        "[services]\r\n"
        "  contoso =  \"Contoso Connector\"\r\n"
        "[default services]\r\n"
        "CONTOSO=Contoso Connector\r\n"
        "[Contoso]\r\n"
        "pr_service_dll_name=C:\\Program Files\\Contoso\\contoso.dll\r\n"
        "PR_SERVICE_ENTRY_NAME\t=\tServiceEntry\r\n"
        "PR_RESOURCE_FLAGS=SERVICE_NO_PRIMARY_IDENTITY|SERVICE_SINGLE_COPY\r\n"
        "PR_SERVICE_SUPPORT_FILES=contoso.dll ,contosoui.dll\r\n"
        "66040003=03000000\r\n"
        "Providers=contoso_ab,Contoso_MS\r\n"
        "Sections=CONTOSO_PROFILE\r\n"
        "[CONTOSO_AB]\r\n"
        "PR_RESOURCE_TYPE = MAPI_AB_PROVIDER\r\n"
        "PR_PROVIDER_DLL_NAME='C:\\Program Files\\Contoso\\contoso.dll'\r\n"
        "PR_PROVIDER_DISPLAY=Contoso Directory\r\n"
        "[CONTOSO_MS]\r\n"
        "PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER\r\n"
        "PR_PROVIDER_DLL_NAME=C:\\Program Files\\Contoso\\contoso.dll\r\n"
        "[contoso_profile]\r\n"
        "uid=13dbb0c8aa05101a9bb000aa002fc45a\r\n"
    ).encode("cp1252")
    inf = tmp_path / "MAPISVC.INF"
    inf.write_bytes(spelled)
    rc, results = run_playbook(tmp_path, [contoso(inf)])
    assert rc == 0 and results[0]["changed"] is False, results[0].get("changes")
    assert inf.read_bytes() == spelled


def test_only_the_first_of_duplicate_sections_is_edited_with_a_warning(tmp_path):
    inf = tmp_path / "MAPISVC.INF"
    inf.write_bytes(b"[Services]\r\nA=a\r\n[CONTOSO]\r\nX=1\r\n[contoso]\r\nX=2\r\n")
    rc, results = run_playbook(tmp_path, [contoso(inf)])
    assert rc == 0
    text = inf.read_bytes().decode()
    assert text.index("PR_SERVICE_DLL_NAME") < text.index("[contoso]")
    assert "[contoso]\r\nX=2\r\n" in text
    assert any("occurs 2 times" in w for w in results[0]["warnings"])


def test_utf16_file_stays_utf16_with_its_bom(tmp_path):
    inf = tmp_path / "MAPISVC.INF"
    original = b"\xff\xfe" + "[Services]\r\nMSEMS=Microsoft Exchange Server\r\n".encode("utf-16-le")
    inf.write_bytes(original)
    rc, results = run_playbook(tmp_path, [contoso(inf, display_name="Contoso Connecteur \u2713")])
    assert rc == 0 and results[0]["encoding"] == "utf-16-le"
    data = inf.read_bytes()
    assert data.startswith(original)
    assert "CONTOSO=Contoso Connecteur \u2713\r\n" in data[2:].decode("utf-16-le")


def test_lf_file_keeps_lf_line_endings(tmp_path):
    inf = tmp_path / "MAPISVC.INF"
    inf.write_bytes(b"[Services]\nMSEMS=Microsoft Exchange Server\n")
    run_playbook(tmp_path, [contoso(inf)])
    assert b"\r" not in inf.read_bytes()


def test_create_makes_a_new_file_only_when_asked(tmp_path):
    inf = tmp_path / "MAPISVC.INF"
    rc, results = run_playbook(tmp_path, [dict(contoso(inf), ignore_errors=True)])
    assert results[0]["failed"] and "create: true" in results[0]["msg"] and not inf.exists()
    rc, results = run_playbook(tmp_path, [contoso(inf, create=True)])
    assert rc == 0 and results[0]["changed"] is True
    assert inf.read_bytes().startswith(b"[Services]\r\nCONTOSO=Contoso Connector\r\n")
