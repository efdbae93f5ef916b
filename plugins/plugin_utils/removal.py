# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``state: absent`` deletes on one host, decided from the probe's readings (no I/O).

The role deletes only what is the service's own: the files it installed and those
PR_SERVICE_DELETE_FILES names (``service_plan`` has checked that each is a plain file directly
inside the install folder), and the install folder itself only when it is the default one the
role made. A path the probe shows missing is not deleted again; a path it could not read is
kept (win_file checks itself); a path that turns out to be a folder is never deleted as a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ansible_collections.mapi.messaging.plugins.plugin_utils import ini

if TYPE_CHECKING:
    from ansible_collections.mapi.messaging.plugins.plugin_utils.probe import PathState, Probe
    from ansible_collections.mapi.messaging.plugins.plugin_utils.service_plan import Problems


def decide(problems: Problems, probe: Optional[Probe], *, install_dir: str, own_folder: bool, files: list[dict[str, Any]],
           delete_files: list[str]) -> dict[str, Any]:
    """``delete_paths`` and ``remove_install_dir`` for a removal.

    ``problems``: a ``service_plan.Problems`` to add to; ``probe``: the ``probe.Probe`` (None:
    nothing was read, everything named is deleted); ``install_dir``: the checked install
    folder; ``own_folder``: whether it is the role's default folder; ``files``: the planned
    file items (``index``, ``dest``); ``delete_files``: the checked PR_SERVICE_DELETE_FILES
    paths."""
    named = [("message_service_files[%d]" % entry["index"], entry["dest"]) for entry in files]
    named += [("message_service_properties.PR_SERVICE_DELETE_FILES", path) for path in delete_files]
    delete_paths, seen = [], set()
    for field, path in named:
        if ini.fold(path) in seen:
            continue
        seen.add(ini.fold(path))
        state = path_state(probe, path)
        if state is None:
            delete_paths.append(path)
        elif state.exists and state.directory:
            # win_file state=absent would delete the folder and everything in it.
            problems.add(field, "%s is a folder on the host, not the service's file; removal deletes only "
                         "files. Remove the folder yourself if it is the service's, or correct the name" % path)
        elif state.exists:
            delete_paths.append(path)
    folder = path_state(probe, install_dir)
    # Only the default folder (<Program Files>\<service>) is the role's; a file of that name is not.
    remove_install_dir = own_folder and (folder is None or (folder.exists and folder.directory))
    return {"delete_paths": delete_paths, "remove_install_dir": remove_install_dir}


def path_state(probe: Optional[Probe], path: str) -> Optional[PathState]:
    """The probe's reading of ``path``, or None when it has none (not asked, or an error)."""
    state = probe.path(path) if probe is not None else None
    return None if state is None or state.error else state
