# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE support: file facts as ansible.windows.win_stat and win_find report them."""

from __future__ import annotations

import hashlib
import os
import stat as stat_module


def checksum(path, algorithm="sha1"):
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def file_info(machine, host_path, get_checksum=True, algorithm="sha1", get_size=True):
    """The ``stat`` dict of win_stat for an existing sandbox path (NTFS-only facts are fixed:
    no links, no shares, owned by BUILTIN\\Administrators)."""
    info = os.stat(host_path)
    is_dir = stat_module.S_ISDIR(info.st_mode)
    name = os.path.basename(host_path)
    readonly = not os.access(host_path, os.W_OK)
    attributes = ["Directory"] if is_dir else ["Archive"]
    if readonly:
        attributes.insert(0, "ReadOnly")
    result = {
        "exists": True,
        "path": machine.windows_path(host_path),
        "filename": name,
        "attributes": ", ".join(attributes),
        "isarchive": not is_dir,
        "isdir": is_dir,
        "ishidden": False,
        "isjunction": False,
        "islnk": False,
        "isreadonly": readonly,
        "isreg": not is_dir,
        "isshared": False,
        "creationtime": info.st_ctime,
        "lastaccesstime": info.st_atime,
        "lastwritetime": info.st_mtime,
        "nlink": 1,
        "owner": "BUILTIN\\Administrators",
        "hlnk_targets": [],
    }
    if not is_dir:
        result["extension"] = os.path.splitext(name)[1]
    if get_size:
        result["size"] = _tree_size(host_path) if is_dir else info.st_size
    if get_checksum and not is_dir:
        result["checksum"] = checksum(host_path, algorithm)
    return result


def _tree_size(folder):
    total = 0
    for base, dummy, files in os.walk(folder):
        for name in files:
            total += os.path.getsize(os.path.join(base, name))
    return total
