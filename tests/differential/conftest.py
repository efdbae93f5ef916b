# -*- coding: utf-8 -*-
"""How the differential tests find the Windows profile API oracle (tests/oracle).

Without MAPISVC_ORACLE they are skipped with the reason and the command that runs them, so a
bare `pytest` works on a machine without Wine. Once MAPISVC_ORACLE is set (as `make
differential` and `make test` set it), a missing program or a missing Wine is a failure: a
run that asked for the oracle must not pass without it.
"""

import os
import pathlib
import shutil

import pytest

RUN_THEM = ("build the oracle with `make oracle`, then run `make differential` (or set "
            "MAPISVC_ORACLE=$PWD/.tmp/oracle/profile_dump.exe)")


@pytest.fixture(scope="session")
def oracle_exe():
    """The path of profile_dump.exe, the oracle program run under Wine."""
    exe = os.environ.get("MAPISVC_ORACLE")
    if not exe:
        pytest.skip("MAPISVC_ORACLE is unset: the differential tests compare with Windows' profile API "
                    "under Wine; " + RUN_THEM)
    if not os.path.isfile(exe):
        pytest.fail("MAPISVC_ORACLE=%s does not exist; %s" % (exe, RUN_THEM), pytrace=False)
    if shutil.which("wine") is None:
        pytest.fail("MAPISVC_ORACLE is set but wine is not installed; tests/oracle/build.sh installs it",
                    pytrace=False)
    return pathlib.Path(exe)
