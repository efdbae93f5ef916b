# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Windows write path never loses MAPISVC.INF: transport.REPLACE_SCRIPT's recovery, step by
step, through the ``replace`` contract of the win_powershell test double, against each way
ReplaceFileW documents failing (1175, 1176, 1177) and sharing violations.

The contract is called directly (no ansible-playbook): these tests are about the sequence of
file operations, which is the same whichever way the module is reached.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import pathlib

import pytest

from doubles import load, require_doubles

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOUBLES = ROOT / "tests" / "windows_double"
UTILS = DOUBLES / "ansible_collections" / "ansible" / "windows" / "plugins" / "module_utils"
MAPISVC = r"C:\Program Files\Common Files\System\MSMAPI\1033\MAPISVC.INF"
ORIGINAL = b"[Services]\r\nMSEMS=Microsoft Exchange Server\r\n"
NEW = ORIGINAL + b"CONTOSO=Contoso Connector\r\n"
MAX = 64 * 1024 * 1024


require_doubles()

builder = load("recovery_make_machine", DOUBLES / "make_machine.py")
host = load("recovery_double_host", UTILS / "_double_host.py")
contract = load("recovery_contract_replace", UTILS / "contract_replace.py")
reader = load("recovery_contract_read", UTILS / "contract_read.py")


@pytest.fixture
def machine(tmp_path):
    built = builder.make_machine(tmp_path / "machine", office="msi64")
    simulated = host.Machine(built["root"])
    inf = pathlib.Path(simulated.host_path(MAPISVC))
    inf.write_bytes(ORIGINAL)
    return simulated


def inf(machine):
    return pathlib.Path(machine.host_path(MAPISVC))


def others(machine):
    """Every file beside MAPISVC.INF that the write left behind (staged, backups)."""
    return sorted(name for name in os.listdir(inf(machine).parent) if name.upper().startswith("MAPISVC.INF."))


def faults(machine, **queued):
    (pathlib.Path(machine.root) / "faults.json").write_text(json.dumps(queued))


def replace(machine, data=NEW, expected=ORIGINAL, backup=False, path=MAPISVC, sleeps=None):
    parameters = {"Path": path, "Content": base64.b64encode(data).decode(),
                  "ExpectedSha1": hashlib.sha1(expected).hexdigest() if expected is not None else "",
                  "Backup": backup, "MaxBytes": MAX}
    return contract.run(machine, parameters, False, sleep=(sleeps.append if sleeps is not None else lambda s: None))


def test_a_replace_without_backup_leaves_only_the_new_file(machine):
    outcome = replace(machine)
    assert outcome == {"changed": True, "result": {"conflict": False, "sha1": hashlib.sha1(NEW).hexdigest(),
                                                   "backup_file": None}}
    assert inf(machine).read_bytes() == NEW and others(machine) == []


def test_backups_asked_for_get_unique_names_within_one_second(machine):
    first = replace(machine, backup=True)["result"]["backup_file"]
    second = replace(machine, data=NEW + b"X=1\r\n", expected=NEW, backup=True)["result"]["backup_file"]
    assert first != second and first.startswith(MAPISVC + ".") and first.endswith("~")
    assert pathlib.Path(machine.host_path(first)).read_bytes() == ORIGINAL
    assert pathlib.Path(machine.host_path(second)).read_bytes() == NEW


@pytest.mark.parametrize("code", [1175, 1176, 1177, 5])
def test_every_replacefile_failure_leaves_the_original_bytes_and_says_so(machine, code):
    faults(machine, **{"File.Replace": [code]})
    with pytest.raises(contract.ScriptThrow) as failure:
        replace(machine)
    assert "Win32 error %d" % code in str(failure.value) and "the file is unchanged" in str(failure.value)
    assert inf(machine).read_bytes() == ORIGINAL
    assert others(machine) == []


def test_the_double_models_1177_as_the_original_moved_to_the_backup_name(machine, tmp_path):
    # What the script recovers from: without its File.Move back, only the backup would be left.
    faults(machine, **{"File.Replace": [1177]})
    staged = tmp_path / "staged"
    staged.write_bytes(NEW)
    backup = str(inf(machine)) + ".bak"
    with pytest.raises(contract.Win32IOError):
        contract.file_replace(machine, str(staged), str(inf(machine)), backup)
    assert not inf(machine).exists() and pathlib.Path(backup).read_bytes() == ORIGINAL and staged.exists()


def test_the_double_models_1176_without_a_backup_name_as_the_original_gone(machine, tmp_path):
    # Why the script always passes a backup name (ReplaceFileW: "the replaced file no longer exists").
    faults(machine, **{"File.Replace": [1176]})
    staged = tmp_path / "staged"
    staged.write_bytes(NEW)
    with pytest.raises(contract.Win32IOError):
        contract.file_replace(machine, str(staged), str(inf(machine)), None)
    assert not inf(machine).exists() and staged.read_bytes() == NEW


def test_sharing_violations_are_retried_with_growing_waits_then_succeed(machine):
    faults(machine, **{"File.Replace": [32, 33, 32]})
    sleeps = []
    outcome = replace(machine, sleeps=sleeps)
    assert outcome["result"]["conflict"] is False and inf(machine).read_bytes() == NEW
    assert len(sleeps) == 3 and sleeps == sorted(sleeps) and others(machine) == []


def test_a_sharing_violation_that_lasts_fails_after_bounded_retries_unchanged(machine):
    faults(machine, **{"File.Replace": [32] * 20})
    sleeps = []
    with pytest.raises(contract.ScriptThrow) as failure:
        replace(machine, sleeps=sleeps)
    assert len(sleeps) == len(contract.RETRY_DELAYS_MS)
    assert "Win32 error 32" in str(failure.value) and "the file is unchanged" in str(failure.value)
    assert inf(machine).read_bytes() == ORIGINAL and others(machine) == []


def test_a_file_changed_since_it_was_read_is_a_conflict_and_nothing_is_written(machine):
    outcome = replace(machine, expected=b"what another run read")
    assert outcome == {"changed": False, "result": {"conflict": True, "sha1": hashlib.sha1(ORIGINAL).hexdigest(),
                                                    "backup_file": None}}
    assert inf(machine).read_bytes() == ORIGINAL and others(machine) == []


class RenamedOverJustBeforeTheSwap(host.Machine):
    """Another writer renames its own file over MAPISVC.INF after our hash, before our swap
    (the one step the held handle cannot keep out: it shares delete so File.Replace can work)."""

    def take_fault(self, operation):
        if operation == "File.Replace" and not getattr(self, "done", False):
            self.done = True
            pathlib.Path(self.host_path(MAPISVC)).write_bytes(b"[Services]\r\nOTHER=Theirs\r\n")
        return None


def test_a_writer_that_renamed_its_file_in_before_the_swap_gets_its_file_back_and_we_report_a_conflict(machine):
    racing = RenamedOverJustBeforeTheSwap(machine.root)
    outcome = replace(racing)
    theirs = b"[Services]\r\nOTHER=Theirs\r\n"
    assert outcome["result"] == {"conflict": True, "sha1": hashlib.sha1(theirs).hexdigest(), "backup_file": None}
    assert inf(machine).read_bytes() == theirs and others(machine) == []


def test_path_variables_are_expanded_like_slurp_expands_them(machine):
    replace(machine, path=r"%CommonProgramFiles%\System\MSMAPI\1033\MAPISVC.INF")
    assert inf(machine).read_bytes() == NEW


def test_constrained_language_mode_stops_before_anything_with_the_reason_and_the_fix(machine):
    faults(machine, language_mode="ConstrainedLanguage")
    with pytest.raises(contract.ScriptThrow) as failure:
        replace(machine)
    assert "ConstrainedLanguage" in str(failure.value) and "FullLanguage" in str(failure.value)
    assert inf(machine).read_bytes() == ORIGINAL and others(machine) == []
    with pytest.raises(ValueError) as failure:
        reader.run(machine, {"Paths": [MAPISVC], "MaxBytes": MAX}, False)
    assert "ConstrainedLanguage" in str(failure.value)


def test_a_file_above_the_cap_is_refused_before_it_is_read(machine):
    parameters = {"Paths": [MAPISVC], "MaxBytes": len(ORIGINAL) - 1}
    entry = reader.run(machine, parameters, False)["result"]["files"][0]
    assert entry["content"] is None and "more than the %d bytes" % (len(ORIGINAL) - 1) in entry["error"]
    with pytest.raises(contract.ScriptThrow):
        contract.run(machine, {"Path": MAPISVC, "Content": "", "ExpectedSha1": hashlib.sha1(ORIGINAL).hexdigest(),
                               "MaxBytes": len(ORIGINAL) - 1}, False)
    assert inf(machine).read_bytes() == ORIGINAL


def test_the_read_contract_expands_variables_and_answers_with_the_path_as_given(machine):
    given = r"%CommonProgramFiles%\System\MSMAPI\1033\MAPISVC.INF"
    entry = reader.run(machine, {"Paths": [given], "MaxBytes": MAX}, False)["result"]["files"][0]
    assert entry["path"] == given and base64.b64decode(entry["content"]) == ORIGINAL


def test_the_simulated_file_system_itself_does_not_expand_variables(machine):
    # .NET and -LiteralPath take %VAR% literally; only the doubles of modules whose option is
    # of type path expand it (slurp, win_stat, win_copy ...).
    # Taken literally, the path is relative, which the simulated host refuses.
    with pytest.raises(host.SimulationError):
        machine.host_path(r"%CommonProgramFiles%\System")
    assert pathlib.Path(machine.host_path(machine.expand(r"%CommonProgramFiles%\System"))).is_dir()
