#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: mapisvc_file
short_description: Read or replace a MAPISVC.INF file on a POSIX target, safely, in one step
version_added: 0.1.0
description:
  - The target side of M(mapi.messaging.mapisvc) and M(mapi.messaging.mapisvc_info) on POSIX
    targets (golden images, Wine prefixes). Their action plugins run it; you do not need to
    call it yourself. On Windows targets they use C(ansible.windows) modules instead.
  - With O(op=read), returns what the path is and, for a regular file no bigger than
    O(max_bytes), its bytes. A FIFO, device, socket or folder is reported by its type and never
    opened, so reading cannot hang or run without end.
  - With O(op=replace), writes O(content) to O(path) only if the file still has the SHA-1
    O(expected_sha1) (the empty string means it must not exist). The comparison and the
    replacement happen in this one module execution while an exclusive lock on the file's
    folder is held, so two runs of it cannot both replace the same version of the file. A
    different SHA-1 returns RV(conflict=true) and writes nothing.
  - The new bytes go to a temporary file in the same folder, which is flushed to disk, given
    the old file's mode, owner, group and SELinux context, and renamed over the old file; the
    folder is flushed too. Readers see the old file or the new one, never a part.
  - A symbolic link is followed, here and in every folder of the path, and the file it points
    to is read or replaced; the link stays a link.
author:
  - mapi.messaging maintainers (@mapi-messaging)
options:
  path:
    description:
      - Full path of the file on the target.
    type: path
    required: true
  op:
    description:
      - V(read) returns the file; V(replace) compares and replaces it.
    type: str
    choices: [read, replace]
    default: read
  max_bytes:
    description:
      - The largest file read, or compared before a replacement, in bytes. A bigger file is
        not read; O(op=replace) then fails and writes nothing.
    type: int
    required: true
  expected_sha1:
    description:
      - With O(op=replace), the SHA-1 (lower-case hex) of the file as it was read, or the empty
        string if it did not exist then.
    type: str
  content:
    description:
      - With O(op=replace), the new bytes, base64-encoded.
    type: str
  backup:
    description:
      - With O(op=replace), keep the replaced file next to it under a new, unique name.
    type: bool
    default: false
extends_documentation_fragment:
  - mapi.messaging.mapisvc
attributes:
  check_mode:
    support: full
    details: O(op=read) runs as usual; O(op=replace) compares and reports, writing nothing.
  diff_mode:
    support: none
    details: The calling action plugin shows the difference.
  platform:
    support: full
    platforms: posix
    details: POSIX targets with Python; Windows targets use C(ansible.windows) modules instead.
  async:
    support: full
    details: A plain module without an action plugin, so it runs with C(async) like other modules.
  action:
    support: none
notes:
  - The lock is C(flock) on the folder, which holds no state of its own, so nothing is left
    behind. Where the folder cannot be locked, a lock file C(.<file name>.lock) in the same
    folder is locked instead and kept. The lock only excludes other runs of this module;
    another program that edits the file is still caught by the SHA-1 comparison, up to the
    moment of the rename.
  - A replacement by a user who may not give files away keeps the group if it can and
    otherwise leaves the new file owned by that user, as the C(copy) module does.
seealso:
  - module: mapi.messaging.mapisvc
    description: Edits MAPISVC.INF; on POSIX targets it reads and replaces the file with this module.
  - module: mapi.messaging.mapisvc_info
    description: Reports MAPISVC.INF files; on POSIX targets it reads each with this module.
"""

EXAMPLES = r"""
# The mapisvc action plugin runs this module itself; these tasks show what it sends.
- name: Read MAPISVC.INF in a golden image
  mapi.messaging.mapisvc_file:
    path: /srv/golden/Program Files/Common Files/System/MSMAPI/1033/MAPISVC.INF
    max_bytes: 67108864
  register: mapisvc_read

- name: Replace it only if it is still what was read
  mapi.messaging.mapisvc_file:
    path: /srv/golden/Program Files/Common Files/System/MSMAPI/1033/MAPISVC.INF
    op: replace
    expected_sha1: "{{ mapisvc_read.sha1 }}"
    content: "{{ new_bytes | b64encode }}"
    max_bytes: 67108864
    backup: true
"""

RETURN = r"""
exists:
  description: Whether the path exists (a dangling symbolic link does not).
  returned: op=read
  type: bool
  sample: true
file_type:
  description: What the path is, V(file) for a regular file.
  returned: op=read and the path exists
  type: str
  choices: [file, directory, fifo, character device, block device, socket, special file]
  sample: file
size:
  description: >-
    The file's size in bytes (for a file that grew past O(max_bytes) while it was read, at
    least O(max_bytes) + 1).
  returned: op=read and the path is a regular file
  type: int
  sample: 20378
content:
  description: The file's bytes, base64-encoded.
  returned: op=read and the path is a regular file no bigger than O(max_bytes)
  type: str
  sample: W1NlcnZpY2VzXQ0K
real_path:
  description: The path with every symbolic link resolved, the file that was read or replaced.
  returned: always
  type: str
  sample: /srv/golden/Program Files/Common Files/System/MSMAPI/1033/MAPISVC.INF
conflict:
  description: With O(op=replace), true when the file's SHA-1 was not O(expected_sha1); nothing was written.
  returned: op=replace
  type: bool
  sample: false
sha1:
  description: >-
    SHA-1 of the file: with O(op=read) of the bytes returned, with O(op=replace) of what the
    file now holds (the new bytes, or on a conflict the other version; the empty string if
    there is no file).
  returned: when the file was read, or op=replace
  type: str
  sample: 2aae6c35c94fcfb415dbe95f408b9ce91ee846ed
backup_file:
  description: The copy of the replaced file, with O(backup=true).
  returned: op=replace, backup=true and a file was replaced
  type: str
  sample: /srv/golden/Program Files/Common Files/System/MSMAPI/1033/MAPISVC.INF.2026-11-22@10-00-00.3f9a1c~
"""

import base64
import binascii
import errno
import fcntl
import hashlib
import os
import stat
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native

# How long a replacement waits for another run holding the folder's lock. A holder keeps it
# for milliseconds; waiting without end would hang the play behind a stuck process.
LOCK_WAIT_SECONDS = 60
CHUNK = 1024 * 1024
# O_NONBLOCK: opening a FIFO that appeared after the type check must not wait for a writer.
# O_NOFOLLOW: the path was resolved; a symbolic link put there since is refused, not followed.
OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class Refused(Exception):
    """The path is not something this module reads or replaces; the message says why."""


def file_type(mode):
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def lstat_or_none(path):
    try:
        return os.lstat(path)
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise


def read_regular(path, info, max_bytes):
    """The bytes of the regular file ``path`` (``info`` = its lstat), or None when it holds
    more than ``max_bytes``. The type was checked before opening, and is checked again on the
    open descriptor: the path may have been swapped in between."""
    if info.st_size > max_bytes:
        return None
    fd = os.open(path, OPEN_FLAGS)
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise Refused("%s changed into a %s while it was opened" % (path, file_type(opened.st_mode)))
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks) if total <= max_bytes else None


def do_read(path, max_bytes):
    info = lstat_or_none(path)
    if info is None:
        return dict(exists=False)
    kind = file_type(info.st_mode)
    result = dict(exists=True, file_type=kind)
    if kind != "file":
        return result
    data = read_regular(path, info, max_bytes)
    if data is None:
        result["size"] = max(info.st_size, max_bytes + 1)
        return result
    result.update(size=len(data), sha1=hashlib.sha1(data).hexdigest(),
                  content=to_native(base64.b64encode(data)))
    return result


class FolderLock(object):
    """An exclusive flock held while the file is compared and replaced.

    Not on the file itself: a replacement renames a new inode over the path, so a second
    writer that waited on the old inode would get a lock nobody else contends for anymore.
    The folder's inode stays the same across replacements, and locking it leaves nothing
    behind. Where the folder cannot be opened or locked (some network file systems), a lock
    file beside the target, which is never deleted (deleting it would reopen the same race),
    takes its place. The folder descriptor, when there is one, is also what gets fsynced."""

    def __init__(self, folder, name):
        self.folder = folder
        self.name = name
        self.fd = None
        self.folder_fd = None

    def __enter__(self):
        try:
            self.folder_fd = os.open(self.folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            self.folder_fd = None
        if self.folder_fd is not None and self._try(self.folder_fd):
            self.fd = self.folder_fd
            return self
        lock_path = os.path.join(self.folder, ".%s.lock" % self.name)
        self.fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        if not self._try(self.fd):
            raise Refused("could not lock %s (flock failed) to replace %s safely"
                          % (lock_path, os.path.join(self.folder, self.name)))
        return self

    @staticmethod
    def _try(fd):
        """Wait for the lock, polling, at most LOCK_WAIT_SECONDS. False when the file
        system does not lock at all; Refused when another holder keeps it too long."""
        deadline = time.time() + LOCK_WAIT_SECONDS
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except (IOError, OSError) as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    return False
            if time.time() >= deadline:
                raise Refused("another run kept the lock on the folder for more than %d s; nothing "
                              "was written" % LOCK_WAIT_SECONDS)
            time.sleep(delay)
            delay = min(delay * 2, 0.1)

    def __exit__(self, *exc):
        # Closing the descriptor releases the flock.
        for fd in {self.fd, self.folder_fd} - {None}:
            os.close(fd)
        return False

    def sync_folder(self):
        """Make the rename durable. Some file systems cannot fsync a folder; the rename
        has happened either way."""
        if self.folder_fd is None:
            return
        try:
            os.fsync(self.folder_fd)
        except OSError as e:
            if e.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP, errno.EROFS):
                raise


def write_new(module, folder, name, data, like):
    """A temporary file in ``folder`` holding ``data``, flushed, with the mode, owner, group
    and SELinux context of ``like`` (an os.stat result, or None for a new file: mode from the
    umask, the folder's default context). Returns its path."""
    for dummy in range(100):
        staged = os.path.join(folder, ".%s.%s.tmp" % (name, binascii.hexlify(os.urandom(6)).decode()))
        try:
            fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
            break
        except OSError as e:
            if e.errno != errno.EEXIST:
                raise
    else:
        raise Refused("could not create a temporary file in %s" % folder)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if like is not None:
                os.fchmod(fd, stat.S_IMODE(like.st_mode))
                keep_owner(fd, like)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.fchmod(fd, 0o666 & ~umask)
            os.fsync(fd)
        finally:
            os.close(fd)
        target = os.path.join(folder, name)
        context = module.selinux_context(target) if like is not None else module.selinux_default_context(target)
        module.set_context_if_different(staged, context, False)
    except BaseException:
        os.unlink(staged)
        raise
    return staged


def keep_owner(fd, like):
    """Owner and group of ``like``; an unprivileged user keeps what it may (the group, if it
    belongs to it), as AnsibleModule.atomic_move does."""
    try:
        os.fchown(fd, like.st_uid, like.st_gid)
    except OSError as e:
        if e.errno != errno.EPERM:
            raise
        try:
            os.fchown(fd, -1, like.st_gid)
        except OSError as e:
            if e.errno != errno.EPERM:
                raise


def write_backup(module, folder, name, data, like):
    """The replaced bytes under a new name that no other file has (O_EXCL), with the
    original's mode and owner. Returns its path."""
    stamp = time.strftime("%Y-%m-%d@%H-%M-%S")
    for dummy in range(100):
        backup = os.path.join(folder, "%s.%s.%s~" % (name, stamp, binascii.hexlify(os.urandom(3)).decode()))
        try:
            fd = os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
            break
        except OSError as e:
            if e.errno != errno.EEXIST:
                raise
    else:
        raise Refused("could not create a backup file in %s" % folder)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fchmod(fd, stat.S_IMODE(like.st_mode))
        keep_owner(fd, like)
        os.fsync(fd)
    finally:
        os.close(fd)
    module.set_context_if_different(backup, module.selinux_context(os.path.join(folder, name)), False)
    return backup


def do_replace(module, path, expected, data, backup, max_bytes):
    folder, name = os.path.split(path)
    if not os.path.isdir(folder):
        raise Refused("the folder %s does not exist; MAPISVC.INF is only created in an existing folder" % folder)
    with FolderLock(folder, name) as lock:
        info = lstat_or_none(path)
        original = None
        if info is not None:
            kind = file_type(info.st_mode)
            if kind != "file":
                raise Refused("%s is a %s, not a regular file; nothing was written" % (path, kind))
            original = read_regular(path, info, max_bytes)
            if original is None:
                raise Refused("%s holds more than %d bytes, too many for a MAPISVC.INF; nothing was written"
                              % (path, max_bytes))
        current = hashlib.sha1(original).hexdigest() if original is not None else ""
        if current != expected:
            return dict(changed=False, conflict=True, sha1=current)
        result = dict(changed=True, conflict=False, sha1=hashlib.sha1(data).hexdigest())
        if module.check_mode:
            return result
        staged = write_new(module, folder, name, data, info)
        try:
            if backup and original is not None:
                result["backup_file"] = write_backup(module, folder, name, original, info)
            os.rename(staged, path)
        except BaseException:
            os.unlink(staged)
            raise
        lock.sync_folder()
        return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            op=dict(type="str", choices=["read", "replace"], default="read"),
            max_bytes=dict(type="int", required=True),
            expected_sha1=dict(type="str"),
            content=dict(type="str", no_log=True),
            backup=dict(type="bool", default=False),
        ),
        required_if=[("op", "replace", ("expected_sha1", "content"))],
        supports_check_mode=True,
    )
    params = module.params
    if params["max_bytes"] < 0:
        module.fail_json(msg="max_bytes: must be 0 or more, got %d" % params["max_bytes"])
    # Resolve every symbolic link once; everything after works on the file itself, and a
    # link that appears at the last component later is refused by O_NOFOLLOW.
    path = os.path.realpath(params["path"])
    try:
        if params["op"] == "read":
            result = do_read(path, params["max_bytes"])
        else:
            try:
                data = base64.b64decode(to_bytes(params["content"]), validate=True)
            except (TypeError, ValueError, binascii.Error) as e:
                module.fail_json(msg="content: not valid base64: %s" % to_native(e), real_path=path)
            result = do_replace(module, path, params["expected_sha1"].lower(), data, params["backup"],
                                params["max_bytes"])
    except Refused as e:
        module.fail_json(msg=to_native(e), real_path=path)
    except (IOError, OSError) as e:
        module.fail_json(msg="%s: %s" % (path, to_native(e.strerror or e)), real_path=path)
    result.setdefault("changed", False)
    module.exit_json(real_path=path, **result)


if __name__ == "__main__":
    main()
