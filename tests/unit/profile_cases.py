# -*- coding: utf-8 -*-
"""One table of the per-user decision, shared by the two places that make it: the plan for
logged-on users (plugins/plugin_utils/profile.py, ``_wanted_prf`` and ``_decide``) and the
Active Setup script for everyone else (roles/message_service/files/message_service_profile.ps1).

Each case is one user as the census and the Setup key show them, the two modes, and the
outcome: the script's ``Get-Outcome`` returns these very names, and the plan puts the user in
the list of the same name (``ProfilePlan`` fields, ``withdraw`` for ``withdraw_import_prf``).
tests/unit/test_core_profile_modes.py checks the plan against every case;
tests/unit/test_powershell_static.py checks that the script has a branch for every outcome and
no other.
"""

from __future__ import annotations

# Where the user's PRF paths lie in every case (the role's defaults for CONTOSO).
PRF = "C:\\Program Files\\CONTOSO\\CONTOSO.prf"
APPEND_PRF = "C:\\Program Files\\CONTOSO\\CONTOSO-append.prf"
OTHER_PRF = "\\\\server\\share\\other.prf"

WITH_SERVICE = {"profiles": ("Outlook",), "default": "Outlook", "services": ("MSEMS", "contoso")}
WITHOUT_SERVICE = {"profiles": ("Outlook",), "default": "Outlook", "services": ("MSEMS",)}
NO_DEFAULT = {"profiles": ("Outlook", "Old"), "default": None, "services": ()}
NO_PROFILE = {"profiles": (), "default": None, "services": ()}
UNREADABLE = None   # the census could not read the user's profiles

ADD = {"existing_profiles": "add", "new_profiles": "create"}
LEAVE = {"existing_profiles": "leave", "new_profiles": "leave"}

# (name, census, ImportPRF as (registry type, data) or None, modes, outcome, PRF the user gets)
CASES = (
    ("default profile holds the service", WITH_SERVICE, None, ADD, "has_service", None),
    ("default profile holds the service, leave", WITH_SERVICE, None, LEAVE, "has_service", None),
    ("default profile holds the service, our ImportPRF left from before", WITH_SERVICE,
     ("REG_SZ", APPEND_PRF), ADD, "withdraw", None),
    ("default profile without the service, leave", WITHOUT_SERVICE, None, LEAVE, "keep", None),
    ("default profile without the service, add", WITHOUT_SERVICE, None, ADD, "import_prf", APPEND_PRF),
    ("default profile without the service, add, already arranged", WITHOUT_SERVICE,
     ("REG_SZ", APPEND_PRF), ADD, "arranged", None),
    ("default profile without the service, add, our other PRF arranged", WITHOUT_SERVICE,
     ("REG_SZ", PRF), ADD, "import_prf", APPEND_PRF),
    ("default profile without the service, back to leave", WITHOUT_SERVICE,
     ("REG_SZ", APPEND_PRF), LEAVE, "withdraw", None),
    ("profiles without a default", NO_DEFAULT, None, ADD, "no_default_profile", None),
    ("profiles without a default, leave", NO_DEFAULT, None, LEAVE, "no_default_profile", None),
    ("profiles without a default, our ImportPRF left from before", NO_DEFAULT,
     ("REG_SZ", PRF), ADD, "withdraw", None),
    ("no profile, leave", NO_PROFILE, None, LEAVE, "without_profile", None),
    ("no profile, create", NO_PROFILE, None, ADD, "import_prf", PRF),
    ("no profile, create, our other PRF arranged", NO_PROFILE, ("REG_SZ", APPEND_PRF), ADD, "import_prf", PRF),
    ("no profile, back to leave", NO_PROFILE, ("REG_SZ", PRF), LEAVE, "withdraw", None),
    ("no profile, leave, another tool's ImportPRF", NO_PROFILE, ("REG_SZ", OTHER_PRF), LEAVE,
     "without_profile", None),
    ("no profile, create, blank ImportPRF", NO_PROFILE, ("REG_SZ", "  "), ADD, "import_prf", PRF),
    ("no profile, create, another tool's ImportPRF", NO_PROFILE, ("REG_SZ", OTHER_PRF), ADD,
     "foreign_import_prf", None),
    ("no profile, create, ImportPRF as REG_MULTI_SZ", NO_PROFILE, ("REG_MULTI_SZ", [PRF]), ADD,
     "foreign_import_prf", None),
    ("no profile, create, ImportPRF as REG_DWORD", NO_PROFILE, ("REG_DWORD", 0), ADD, "foreign_import_prf", None),
    ("no profile, create, ImportPRF as an empty REG_BINARY", NO_PROFILE, ("REG_BINARY", ""), ADD,
     "foreign_import_prf", None),
    # Stored unexpanded: the variable is not our path, whatever it expands to.
    ("no profile, create, ImportPRF as REG_EXPAND_SZ with a variable", NO_PROFILE,
     ("REG_EXPAND_SZ", "%ProgramFiles%\\CONTOSO\\CONTOSO.prf"), ADD, "foreign_import_prf", None),
    ("no profile, create, ImportPRF as REG_EXPAND_SZ naming ours", NO_PROFILE, ("REG_EXPAND_SZ", PRF), ADD,
     "arranged", None),
    ("profiles unreadable", UNREADABLE, None, ADD, "unread", None),
)

OUTCOMES = frozenset(case[4] for case in CASES)


def outcome_of(plan, sid):
    """The outcome name of one user in a ``ProfilePlan``; exactly one list holds the user."""
    found = [name for name in ("unread", "arranged", "foreign_import_prf", "has_service", "keep",
                               "no_default_profile", "without_profile") if sid in getattr(plan, name)]
    if any(item["sid"] == sid for item in plan.import_prf):
        found.append("import_prf")
    if sid in plan.withdraw_import_prf:
        # Withdrawn users are also reported in the group that left them alone.
        return "withdraw"
    assert len(found) == 1, (sid, found)
    return found[0]
