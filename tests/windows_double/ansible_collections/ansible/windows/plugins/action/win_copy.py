# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE action plugin for ansible.windows.win_copy.

Follows the real action (ansible.windows plugins/action/win_copy.py): ``src`` is found with
``_find_needle('files', ...)`` (so a role's ``files/`` folder works), ``content`` goes through a
local temporary file, the module is asked in ``query`` mode which files differ by checksum,
and only those are sent (check mode sends nothing and reports ``changed``). Before any of it
the task is validated against the options the REAL win_copy documents.
"""

from __future__ import annotations

import json
import os
import tempfile

from ansible import constants as C
from ansible.errors import AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.action import ActionBase
from ansible.utils.hashing import checksum as local_checksum

from ansible_collections.ansible.windows.plugins.module_utils._double_docs import (
    RealDocsError, argument_spec_from_options, real_docs)

WIN_PATH_SEPARATOR = "\\"


class ActionModule(ActionBase):
    TRANSFERS_FILES = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        try:
            doc = real_docs("win_copy")[0]
        except RealDocsError as e:
            return dict(result, failed=True, msg="TEST DOUBLE cannot validate arguments: %s" % e)
        args = self.validate_argument_spec(argument_spec=argument_spec_from_options(doc["options"]))[1]
        source, content, dest = args["src"], args["content"], args["dest"]
        result.update(src=source, dest=dest)
        if (source is None and content is None) or dest is None:
            return dict(result, failed=True, msg="src (or content) and dest are required")
        if source is not None and content is not None:
            return dict(result, failed=True, msg="src and content are mutually exclusive")
        if content is not None and dest.endswith((os.path.sep, WIN_PATH_SEPARATOR)):
            return dict(result, failed=True, msg="dest must be a file if content is defined")

        if args["remote_src"]:
            module_args = dict(self._task.args, _copy_mode="remote", dest=dest, src=source,
                               force=args["force"], backup=args["backup"])
            module_args.pop("content", None)
            result.update(self._execute_module("ansible.windows.win_copy", module_args=module_args, task_vars=task_vars))
            return result

        content_file = None
        try:
            if content is not None:
                content_file = self._content_file(content)
                source_full = content_file
                original_basename = None
            else:
                try:
                    found = self._find_needle("files", source)
                except AnsibleError as e:
                    return dict(result, failed=True, msg=to_text(e))
                if os.path.isdir(found):
                    return dict(result, failed=True, msg="TEST DOUBLE: folder copies are not simulated (src %s)" % source)
                try:
                    source_full = self._loader.get_real_file(found, decrypt=args["decrypt"])
                except AnsibleFileNotFound as e:
                    return dict(result, failed=True, msg="could not find src=%s, %s" % (found, to_text(e)))
                original_basename = os.path.basename(found)
                result["original_basename"] = original_basename
            return self._copy_file(result, args, source_full, original_basename, task_vars)
        finally:
            if content_file:
                os.remove(content_file)
            self._remove_tmp_path(self._connection._shell.tmpdir)

    def _content_file(self, content):
        handle, path = tempfile.mkstemp(dir=C.DEFAULT_LOCAL_TMP)
        with os.fdopen(handle, "wb") as stream:
            stream.write(to_bytes(json.dumps(content) if isinstance(content, (dict, list)) else content))
        return path

    def _copy_file(self, result, args, source_full, original_basename, task_vars):
        dest = args["dest"]
        result["operation"] = "file_copy"
        if self._connection._shell.path_has_trailing_slash(dest) or dest.endswith(WIN_PATH_SEPARATOR):
            check_dest, filename = dest, original_basename
            result["dest"] = dest.rstrip("/\\") + WIN_PATH_SEPARATOR + filename
        else:
            unix_path = dest.replace(WIN_PATH_SEPARATOR, os.path.sep)
            filename, check_dest = os.path.basename(unix_path), os.path.dirname(unix_path)
        file_checksum = local_checksum(source_full) if args["force"] else None
        result["checksum"] = file_checksum
        result["size"] = os.path.getsize(source_full)

        query_args = dict(self._task.args, _copy_mode="query", dest=check_dest, force=args["force"],
                          files=[dict(src=source_full, dest=filename, checksum=file_checksum)],
                          directories=[], symlinks=[])
        query_args.pop("src", None)
        query_args.pop("content", None)
        answer = self._execute_module("ansible.windows.win_copy", module_args=query_args, task_vars=task_vars)
        if answer.get("failed"):
            result.update(answer)
            return result
        if not answer["files"]:
            result.update(changed=False, failed=False)
            return result

        if self._task.check_mode:
            result["changed"] = True
            if args["backup"]:
                result["backup_file"] = "check-mode-backup-file.bak"
            return result
        if self._connection._shell.tmpdir is None:
            self._connection._shell.tmpdir = self._make_tmp_path()
        staged = self._connection._shell.join_path(self._connection._shell.tmpdir, "source")
        self._transfer_file(source_full, staged)
        copy_args = dict(self._task.args, dest=dest, src=staged, _copy_mode="single",
                         _original_basename=original_basename or filename, backup=args["backup"])
        copy_args.pop("content", None)
        copied = self._execute_module("ansible.windows.win_copy", module_args=copy_args, task_vars=task_vars)
        result.update(copied)
        if copied.get("failed"):
            result["msg"] = "failed to copy file %s: %s" % (source_full, copied.get("msg"))
        result["changed"] = True
        return result
