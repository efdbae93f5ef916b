# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for mapi.messaging.mapisvc_report: write the fleet report on the controller.

The report is about many hosts, so it is written once, here, and never on a target: the
plugin needs no connection. The pure core (``plugin_utils/report.py``) builds and renders;
this edge checks the options, writes each file atomically (a temporary file in the same
folder, then a rename), and in check mode writes nothing and says what it would write.
"""

from __future__ import annotations

import datetime
import os
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.mapi.messaging.plugins.modules.mapisvc_report import ARGUMENT_SPEC, REQUIRED_IF
from ansible_collections.mapi.messaging.plugins.plugin_utils import gate, report


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC, required_if=REQUIRED_IF)[1]
        if os.sep in args["basename"] or not args["basename"].strip():
            raise AnsibleActionFail("basename: %r must be a file name without a folder; put the folder in dest"
                                    % args["basename"])
        dest = args["dest"]
        if os.path.exists(dest) and not os.path.isdir(dest):
            raise AnsibleActionFail("dest: %s exists and is not a folder; give a folder for the report files" % dest)
        try:
            # Every setting is checked before the results are looked at (validate_only: before
            # any host is even read).
            declared = report.check_desired(args["desired"])
            conditions = gate.parse(args["fail_on"], with_desired=bool(declared))
        except (report.ReportError, gate.GateError) as e:
            raise AnsibleActionFail(str(e))
        if args["validate_only"]:
            result.update(changed=False, msg="dest, desired, fail_on and formats are usable")
            return result

        generated = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        try:
            data = report.build(args["results"], args["desired"], generated=generated, title=args["title"],
                                scope=args["scope"])
        except report.ReportError as e:
            raise AnsibleActionFail(str(e))

        # Every file is rendered before any is written: all of them or none, never an HTML
        # page of this run beside the CSV of the last one.
        rendered = {fmt: (os.path.join(dest, "%s.%s" % (args["basename"], fmt)), report.render_bytes(data, fmt))
                    for fmt in args["formats"]}
        files = {fmt: path for fmt, (path, text) in rendered.items()}
        pending = [(path, text) for path, text in rendered.values() if not _same_content(path, text)]
        changed = bool(pending)
        if not self._task.check_mode:
            for path, text in pending:
                _write(path, text)

        summary = data["summary"]
        verb = "would write" if self._task.check_mode else "wrote"
        result.update(
            changed=changed,
            files=files,
            summary=summary,
            stragglers=[row["host"] for row in data["stragglers"]],
            straggler_groups=[{key: group[key] for key in ("status", "task", "message", "count")}
                              for group in data["straggler_groups"]],
            profile_errors=data["profile_errors"],
            msg="%s %s: %d of %d hosts compliant, %d reached, %d unreachable, %d failed, %d with error findings%s"
                % (verb, ", ".join(sorted(files.values())), summary["compliant"], summary["hosts"], summary["reached"],
                   summary["unreachable"], summary["failed"], summary["with_errors"],
                   "" if summary["drifted"] is None else ", %d drifted" % summary["drifted"]),
        )
        # Not fatal: such a host's profiles count as not read, and the report lists every one.
        warnings = ["profiles not counted: %s" % item["message"] for item in data["profile_errors"][:gate.NAMED_HOSTS]]
        if len(data["profile_errors"]) > gate.NAMED_HOSTS:
            warnings.append("profiles not counted on %d more hosts; the report lists them"
                            % (len(data["profile_errors"]) - gate.NAMED_HOSTS))
        if warnings:
            result.setdefault("warnings", []).extend(warnings)
        if args["fail_on"] is not None:
            # After the files are written: a tripped gate fails the run, never the report.
            verdict = gate.evaluate(data, conditions)
            result["gate"] = verdict
            if verdict["failed"]:
                result.update(failed=True, msg="%s (%s)" % (verdict["msg"], result["msg"]))
        return result


def _same_content(path, data):
    try:
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def _write(path, data):
    folder = os.path.dirname(path) or "."
    try:
        os.makedirs(folder, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".mapisvc-report-", dir=folder)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as e:
        raise AnsibleActionFail("dest: cannot write %s: %s; give a folder the controller user can write" % (path, e))
