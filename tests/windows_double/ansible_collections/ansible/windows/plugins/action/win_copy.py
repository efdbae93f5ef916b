# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE action plugin for ansible.windows.win_copy.

Follows the real action (ansible.windows 3.3.0, plugins/action/win_copy.py; its module is
plugins/modules/win_copy.ps1): ``src`` is found with
``_find_needle('files', ...)`` (so a role's ``files/`` folder works), ``content`` goes through a
local temporary file, the module is asked in ``query`` mode which files differ by checksum,
and only those are sent (check mode sends nothing and reports ``changed``). Before any of it
the task is validated against the options the REAL win_copy documents.

A folder ``src`` is walked as the real ``_walk_dirs`` walks it: with a trailing ``/`` its
contents go into ``dest``, without one the folder itself (its name) goes under ``dest``; a
symlink is followed only with ``local_follow: true`` (the action's default is false, whatever
the module's documentation says), otherwise it is listed as a symlink, which the real query
and zip both leave out ("TODO: handle symlinks"), so it is not copied. One query names every
file and folder; one file to send goes as a ``single`` copy, more (or any folder) as ONE zip
of every walked file (not only the changed ones, as the real ``_copy_zip_file``) that the
module explodes on the host.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
import zipfile

from ansible import constants as C
from ansible.errors import AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.module_utils.parsing.convert_bool import boolean
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
                # find_needle drops a trailing slash, which decides where the folder's files go.
                if source.endswith(os.path.sep) != found.endswith(os.path.sep):
                    found = found[:-1] if found.endswith(os.path.sep) else found + os.path.sep
                if os.path.isdir(found):
                    return self._copy_folder(result, args, found, task_vars)
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

    def _copy_folder(self, result, args, source, task_vars):
        result["operation"] = "folder_copy"
        # The real action reads local_follow itself with a default of false, not the documented yes.
        local_follow = boolean(self._task.args.get("local_follow", False), strict=False)
        try:
            walked = walk_folder(source, self._loader, args["decrypt"], local_follow, args["force"])
        except AnsibleError as e:
            return dict(result, failed=True, msg=to_text(e))
        dest = args["dest"]
        # As the real action: a folder copy's dest is always a folder.
        if not dest.endswith(("/", WIN_PATH_SEPARATOR)):
            dest += WIN_PATH_SEPARATOR
        query_args = dict(self._task.args, _copy_mode="query", dest=dest, force=args["force"], **walked)
        query_args.pop("src", None)
        query_args.pop("content", None)
        answer = self._execute_module("ansible.windows.win_copy", module_args=query_args, task_vars=task_vars)
        if answer.get("failed"):
            result.update(answer)
            return result
        if not answer["files"] and not answer["directories"]:
            result.update(changed=False, failed=False)
            return result
        if self._task.check_mode:
            result["changed"] = True
            return result
        if self._connection._shell.tmpdir is None:
            self._connection._shell.tmpdir = self._make_tmp_path()
        if len(answer["files"]) == 1 and not answer["directories"]:
            item = answer["files"][0]
            staged = self._connection._shell.join_path(self._connection._shell.tmpdir, "source")
            self._transfer_file(item["src"], staged)
            copy_args = dict(self._task.args, dest=dest, src=staged, _copy_mode="single",
                             _original_basename=item["dest"], backup=args["backup"])
            copied = self._execute_module("ansible.windows.win_copy", module_args=copy_args, task_vars=task_vars)
            result.update(copied)
            if copied.get("failed"):
                result["msg"] = "failed to copy file %s: %s" % (item["src"], copied.get("msg"))
            result["changed"] = True
            return result
        archive = zip_of(walked["files"], walked["directories"])
        try:
            staged = self._connection._shell.join_path(self._connection._shell.tmpdir, "source.zip")
            self._transfer_file(archive, staged)
            copy_args = dict(self._task.args, src=staged, dest=dest, _copy_mode="explode", backup=args["backup"])
            copy_args.pop("content", None)
            result.update(self._execute_module("ansible.windows.win_copy", module_args=copy_args,
                                               task_vars=task_vars))
        finally:
            shutil.rmtree(os.path.dirname(archive))
        result["changed"] = True
        return result


def walk_folder(topdir, loader, decrypt, local_follow, with_checksum):
    """{files, directories, symlinks} as the real _walk_dirs returns them: ``dest`` relative to
    ``topdir`` (trailing separator) or to its parent (none). A symlinked folder is listed as a
    symlink without local_follow, as the real walk does; following one is not simulated."""
    walked = {"files": [], "directories": [], "symlinks": []}
    base = topdir if topdir.endswith(os.path.sep) else os.path.dirname(topdir)
    offset = len(base) if base.endswith(os.path.sep) else len(base) + 1
    if os.path.islink(topdir) and not local_follow:
        walked["symlinks"].append({"src": os.readlink(topdir), "dest": os.path.basename(topdir)})
        return walked
    for folder, sub_folders, names in os.walk(topdir):
        for name in names:
            path = os.path.join(folder, name)
            dest = path[offset:]
            if os.path.islink(path):
                real = loader.get_real_file(os.path.realpath(path), decrypt=decrypt)
                if not (local_follow and os.path.isfile(real)):
                    walked["symlinks"].append({"src": os.readlink(path), "dest": dest})
                    continue
            else:
                real = loader.get_real_file(path, decrypt=decrypt)
            walked["files"].append({"src": real, "dest": dest,
                                    "checksum": local_checksum(real) if with_checksum else None})
        for name in sub_folders:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                if local_follow:
                    raise AnsibleError("TEST DOUBLE: following a symlinked folder (%s) is not simulated" % path)
                walked["symlinks"].append({"src": os.readlink(path), "dest": path[offset:]})
            else:
                walked["directories"].append({"src": path, "dest": path[offset:]})
    return walked


def zip_of(files, directories):
    """The real _create_zip_tempfile: every entry named by the base64 of its UTF-8 dest."""
    folder = tempfile.mkdtemp(dir=C.DEFAULT_LOCAL_TMP)
    path = os.path.join(folder, "win_copy.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, True) as archive:
        for item in list(directories) + list(files):
            name = to_text(base64.b64encode(to_bytes(item["dest"], errors="surrogate_or_strict")))
            archive.write(item["src"], name, zipfile.ZIP_DEFLATED)
    return path
