# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for mapi.messaging.mapisvc: the Ansible edge around the pure core.

Windows targets run only PowerShell modules, so the work happens here on the controller:
read the file with one ``slurp``, plan and render with ``plugin_utils``, and only when the
bytes change, write them back (see ``plugin_utils/transport.py``). A run that changes
nothing therefore costs exactly one module execution on the target.
"""

from __future__ import annotations

import contextlib
import functools
import os
import random
import stat
import time

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.mapi.messaging.plugins.module_utils.mapisvc_spec import (
    ARGUMENT_SPEC, MUTUALLY_EXCLUSIVE, REQUIRED_ONE_OF)
from ansible_collections.mapi.messaging.plugins.plugin_utils import declaration, ini, plan, properties, transport

# How often a file that changed under us is read again and the declaration re-applied. Each
# attempt is a read and a compare-and-swap, a second or so apart; with a few plays or
# installers writing the same file at once, one of them wins every round, so ten attempts
# (and the back-off below) let each writer through instead of failing the slower ones.
ATTEMPTS = 10
# Before attempt n+2, wait a random time up to BACKOFF_SECONDS * 2**n (the factor stops at 8,
# under 14 s in all): writers that collided once must not collide again in lockstep.
BACKOFF_SECONDS = 0.25


class ActionModule(ActionBase):
    TRANSFERS_FILES = True
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = self.validate_argument_spec(
            argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE,
            required_one_of=REQUIRED_ONE_OF)[1]
        # One rule for every action: rot13, base64, UTF-16 and the like are no ANSI code page.
        problem = ini.check_codepage(args["codepage"])
        if problem:
            raise AnsibleActionFail(problem)
        fragment = self._read_fragment(args["src"], args["codepage"]) if args["src"] else None
        # Check the declaration before touching the target; encodability is checked again
        # once the file's encoding is known.
        with _refused(args["path"]):
            self._declare(args, fragment, lambda text: True)

        remote = transport.Remote(self, task_vars)
        try:
            for attempt in range(ATTEMPTS):
                # Nothing to remove from a missing file, so absent tolerates it like create.
                original = remote.read(args["path"], args["create"] or args["state"] == "absent")
                try:
                    with _refused(args["path"]):
                        edited = plan.edit(original, functools.partial(self._declare, args, fragment),
                                           args["state"], args["purge"], args["codepage"], diff=self._task.diff)
                except ini.IniError as e:
                    raise AnsibleActionFail("path: %s: %s" % (args["path"], e))
                doc, applied, changed = edited.doc, edited.applied, edited.changed
                written = {}
                if changed and not self._task.check_mode:
                    written = remote.replace(args["path"], original, edited.rendered, args["backup"])
                    if written.get("conflict"):
                        if attempt + 1 < ATTEMPTS:
                            time.sleep(random.uniform(0, BACKOFF_SECONDS * 2 ** min(attempt, 3)))
                        continue
                break
            else:
                raise AnsibleActionFail(
                    "path: %s changed on the target %d times while this task was applying its "
                    "changes (another installer is editing it?); nothing was overwritten. Run the "
                    "task again when the other writer is done" % (args["path"], ATTEMPTS))
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)

        result.update(
            changed=changed,
            path=args["path"],
            encoding=doc.encoding,
            changes=[change.as_dict() for change in applied.changes],
            msg=_summary(applied.changes, changed, self._task.check_mode),
        )
        if written.get("backup_file"):
            result["backup_file"] = written["backup_file"]
        if applied.warnings:
            result["warnings"] = applied.warnings
        if self._task.diff and changed:
            result["diff"] = dict(
                before_header=args["path"], after_header=args["path"],
                before=properties.redact_text(edited.before), after=properties.redact_text(doc.text()))
        return result

    @staticmethod
    def _declare(args, fragment, can_encode):
        if fragment is not None:
            return declaration.from_fragment(fragment, args["allow_secrets"], can_encode,
                                             origin="src %s" % args["src"])
        return plan.declared_by_options(args, can_encode)

    def _read_fragment(self, src, codepage):
        try:
            local = self._find_needle("files", src)
        except AnsibleError as e:
            raise AnsibleActionFail("src: %s" % to_text(e))
        data = _read_regular_file(local, "src: %s" % src)
        try:
            return ini.parse(data, codepage)
        except ini.IniError as e:
            raise AnsibleActionFail("src: %s: %s" % (src, e))


@contextlib.contextmanager
def _refused(path):
    """Every declaration problem as one failure that lists them all; nothing was written."""
    try:
        yield
    except declaration.DeclarationError as e:
        raise AnsibleActionFail(
            "%d problem(s) in the declaration; %s was not touched:\n- %s"
            % (len(e.problems), path, "\n- ".join(e.problems)),
            result=dict(problems=e.problems))


def _read_regular_file(local, field):
    """A controller file's bytes, refusing before the read what is not a regular file (a FIFO
    would block forever, a device read without end) or is larger than any MAPISVC.INF."""
    try:
        # O_NONBLOCK: opening a FIFO that has no writer must not block; fstat then tells.
        fd = os.open(local, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise AnsibleActionFail("%s: cannot open %s: %s" % (field, local, e.strerror or e))
    try:
        # Judged on the opened file (fstat), so nothing can be swapped in between.
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise AnsibleActionFail("%s is a folder; give the MAPISVC.INF fragment file itself" % field)
        if not stat.S_ISREG(info.st_mode):
            raise AnsibleActionFail("%s is not a regular file (a pipe, socket or device); give a "
                                    "MAPISVC.INF fragment file" % field)
        if info.st_size > transport.MAX_FILE_BYTES:
            raise AnsibleActionFail("%s is %d bytes, more than the %d bytes any MAPISVC.INF needs; give "
                                    "the vendor's fragment" % (field, info.st_size, transport.MAX_FILE_BYTES))
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        return handle.read(transport.MAX_FILE_BYTES + 1)


def _summary(changes, changed, check_mode):
    if not changed:
        return "MAPISVC.INF already says what was declared"
    keys = sum(1 for change in changes if change.key is not None)
    sections = sum(1 for change in changes if change.key is None)
    verb = "would change" if check_mode else "changed"
    return "%s %d entr%s and %d section%s" % (
        verb, keys, "y" if keys == 1 else "ies", sections, "" if sections == 1 else "s")
