# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: win_copy
short_description: TEST DOUBLE of ansible.windows.win_copy on the simulated Windows host
description:
  - TEST DOUBLE, never for production. The module half of the double; the action plugin of the
    same name runs first (as with the real collection), validates the task against the options the
    real ansible.windows.win_copy documents and calls this module in the real module's modes
    (C(query), C(single), C(explode), C(remote)).
  - In C(single) and C(explode) mode O(src) is the staging file (a zip for C(explode)) the action
    sent to the remote temporary folder (a path on the machine running the test, outside the
    simulated drives).
options: {}
author:
  - mapi.messaging maintainers
"""

EXAMPLES = r"""
- ansible.windows.win_copy:
    src: files/x64/contoso32.dll
    dest: C:\Program Files\Contoso\contoso32.dll
"""

RETURN = r"""
dest:
  description: As the real module (see ansible.windows.win_copy).
  returned: changed
  type: str
"""

import base64
import datetime
import os
import shutil
import zipfile

from ansible_collections.ansible.windows.plugins.module_utils._double_docs import DoubleModule
from ansible_collections.ansible.windows.plugins.module_utils._double_files import checksum
from ansible_collections.ansible.windows.plugins.module_utils._double_host import Machine, SimulationError

# The private options the real win_copy.ps1 takes from its action plugin.
INTERNAL = {
    "_copy_mode": {"type": "str", "default": "single", "choices": ["explode", "query", "remote", "single"]},
    "_original_basename": {"type": "str"},
    "files": {"type": "list", "elements": "dict"},
    "directories": {"type": "list", "elements": "dict"},
    "symlinks": {"type": "list", "elements": "dict"},
}


def backup_file(machine, target, check_mode):
    """Backup-File of Ansible.ModuleUtils.Backup: <path>.<pid>.<yyyyMMdd-HHmmss>.bak."""
    if not os.path.isfile(target):
        return None
    backup = "%s.%d.%s.bak" % (target, os.getpid(), datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    if not check_mode:
        shutil.copy2(target, backup)
    return machine.windows_path(backup)


def under(machine, dest, relative):
    """Join-Path of dest and a relative path, matched case-insensitively as NTFS does."""
    return machine.host_path(dest.rstrip("/\\") + "\\" + relative)


def query(module, machine, dest, result):
    changed_files = []
    for item in module.params["files"] or []:
        path = under(machine, dest, item["dest"])
        if os.path.isdir(path):
            path = os.path.join(path, os.path.basename(item["src"]))
        if os.path.isfile(path):
            if module.params["force"] and checksum(path) != item.get("checksum"):
                changed_files.append(item)
        elif os.path.isdir(path):
            module.fail_json(msg="cannot copy file to dest '%s': object at path is already a directory"
                             % machine.windows_path(path), **result)
        else:
            changed_files.append(item)
    changed_directories = []
    for item in module.params["directories"] or []:
        path = under(machine, dest, item["dest"])
        shown = machine.windows_path(path)
        if os.path.isfile(os.path.dirname(path)):
            module.fail_json(msg="cannot copy folder to dest '%s': object at parent directory path is already a file"
                             % shown, **result)
        if os.path.isfile(path):
            module.fail_json(msg="cannot copy folder to dest '%s': object at path is already a file" % shown, **result)
        if not os.path.isdir(path):
            changed_directories.append(item)
    # As the real module: symlinks are never reported ("TODO: Handle symlinks").
    result.update(files=changed_files, directories=changed_directories, symlinks=[])


def explode(module, machine, src, dest, result):
    """Expand-Zip of the real module: each entry's name is the base64 of its UTF-8 path under
    dest (a folder entry ends with /); missing folders are created, files overwritten."""
    if not os.path.isfile(src):
        module.fail_json(msg="Cannot expand src zip file: '%s' as it does not exist" % src, **result)
    with zipfile.ZipFile(src) as archive:
        for entry in archive.infolist():
            name = entry.filename
            is_dir = len(name) % 4 == 1
            if is_dir:
                if not name.endswith(("/", "\\")):
                    module.fail_json(msg="invalid base64 archive name '%s'" % name, **result)
                name = name[:-1]
            elif len(name) % 4:
                module.fail_json(msg="invalid base64 length '%s'" % name, **result)
            relative = base64.b64decode(name).decode("utf-8")
            target = under(machine, dest, relative)
            parent = target if is_dir else os.path.dirname(target)
            if not os.path.isdir(parent) and not module.check_mode:
                os.makedirs(parent)
            if not is_dir and not module.check_mode:
                with archive.open(entry) as stream, open(target, "wb") as out:
                    shutil.copyfileobj(stream, out)
    result["changed"] = True


def single(module, machine, src, dest, result):
    if not os.path.isfile(src):
        module.fail_json(msg="Cannot copy src file: '%s' as it does not exist" % src, **result)
    target = machine.host_path(dest)
    remote_dest = dest
    if dest.endswith(("/", "\\")) or os.path.isdir(target):
        remote_dest = dest.rstrip("/\\") + "\\" + module.params["_original_basename"]
        target = os.path.join(target, module.params["_original_basename"])
    parent = os.path.dirname(target)
    parent_windows = remote_dest.replace("/", "\\").rsplit("\\", 1)[0]
    if os.path.isfile(parent):
        module.fail_json(msg="object at destination parent dir '%s' is currently a file" % parent_windows, **result)
    if not os.path.isdir(parent):
        # As the real module: only a folder dest gets its missing parents created.
        if remote_dest == dest:
            module.fail_json(msg="Destination directory '%s' does not exist" % parent_windows, **result)
        os.makedirs(parent)
    if module.params["backup"]:
        result["backup_file"] = backup_file(machine, target, module.check_mode)
    staged = "%s.%d.copy" % (target, os.getpid())
    shutil.copyfile(src, staged)
    os.replace(staged, target)
    result["changed"] = True


def remote(module, machine, src, dest, result):
    source, target = machine.host_path(src), machine.host_path(dest)
    if not os.path.isfile(source):
        module.fail_json(msg="TEST DOUBLE: remote_src copies only single files; '%s' is not a file" % src, **result)
    if os.path.isdir(target):
        target = os.path.join(target, os.path.basename(source))
    if os.path.isfile(target) and (not module.params["force"] or checksum(source) == checksum(target)):
        return
    if not os.path.isdir(os.path.dirname(target)):
        if module.check_mode:
            result["changed"] = True
            return
        os.makedirs(os.path.dirname(target))
    if module.params["backup"]:
        result["backup_file"] = backup_file(machine, target, module.check_mode)
    if not module.check_mode:
        shutil.copyfile(source, target)
    result["changed"] = True


def main():
    module = DoubleModule("win_copy", internal=INTERNAL)
    params = module.params
    mode = params["_copy_mode"]
    result = {"changed": False}
    try:
        machine = Machine()
        dest = machine.expand(params["dest"])
        if mode == "query":
            query(module, machine, dest, result)
        elif mode == "single":
            single(module, machine, params["src"], dest, result)
        elif mode == "explode":
            explode(module, machine, params["src"], dest, result)
        else:
            remote(module, machine, machine.expand(params["src"]), dest, result)
    except SimulationError as e:
        module.fail_json(msg=str(e), **result)
    module.exit_double(result, extra_keys=("files", "directories", "symlinks"))


if __name__ == "__main__":
    main()
