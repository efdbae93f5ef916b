# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: win_get_url
short_description: TEST DOUBLE of ansible.windows.win_get_url on the simulated Windows host
description:
  - TEST DOUBLE, never for production. Accepts exactly the options the real
    ansible.windows.win_get_url documents (web_request fragment included) and downloads into
    the simulated file system with the real module's checksum and O(force) logic.
  - C(file://) URLs name either a simulated path (C(file:///C:/Share/x.dll)) or a file on the
    machine running the test (C(file:///tmp/x.dll)); C(http://) and C(https://) are fetched with
    Python's urllib (proxy, authentication and certificate options are accepted but not simulated).
options: {}
author:
  - mapi.messaging maintainers
"""

EXAMPLES = r"""
- ansible.windows.win_get_url:
    url: https://downloads.example.com/contoso32.dll
    dest: C:\Program Files\Contoso\contoso32.dll
    checksum: 2aae6c35c94fcfb415dbe95f408b9ce91ee846ed
"""

RETURN = r"""
dest:
  description: As the real module (see ansible.windows.win_get_url).
  returned: always
  type: str
"""

import hashlib
import os
import re
import shutil
import time
from urllib.parse import unquote, urlsplit
from urllib.request import urlopen

from ansible_collections.ansible.windows.plugins.module_utils._double_docs import DoubleModule
from ansible_collections.ansible.windows.plugins.module_utils._double_files import checksum
from ansible_collections.ansible.windows.plugins.module_utils._double_host import Machine, SimulationError


def fetch(machine, url, timeout):
    """(bytes, status code) of ``url``."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = unquote(parts.path)
        if re.match(r"^/[A-Za-z]:[\\/]", path):
            path = machine.host_path(path[1:])
        with open(path, "rb") as handle:
            return handle.read(), 200
    if parts.scheme in ("http", "https"):
        with urlopen(url, timeout=timeout) as response:  # nosec - test double, URLs come from tests
            return response.read(), response.status
    raise SimulationError("TEST DOUBLE: URL scheme %r is not simulated (file, http, https)" % parts.scheme)


def checksum_from_url(machine, checksum_url, url, timeout):
    text = fetch(machine, checksum_url, timeout)[0].decode("utf-8", "replace")
    basename = os.path.basename(urlsplit(url).path)
    pattern = re.compile(r"\s+\.?/?\\?" + re.escape(basename) + r"\s*$")
    for line in re.split(r"\r?\n", text):
        if pattern.search(line):
            return re.sub(r"\W+", "", line.split(" ", 1)[0].strip())
    raise SimulationError("Checksum record not found for file name '%s' in file from url: '%s'" % (basename, checksum_url))


def download(module, machine, url, dest, target, expected, dest_checksum, algorithm, result):
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        module.fail_json(msg="The path '%s' does not exist for destination '%s', or is not visible to the current "
                             "user. Ensure download destination folder exists (perhaps using win_file "
                             "state=directory) before win_get_url runs." % (dest.rsplit("\\", 1)[0], dest), **result)
    try:
        data, status = fetch(machine, url, module.params["url_timeout"] or 30)
    except (OSError, ValueError) as e:
        module.fail_json(msg="Error downloading '%s' to '%s': %s" % (url, dest, e), **result)
    result["status_code"] = status
    received = hashlib.new(algorithm, data).hexdigest()
    result["checksum_src"] = received
    if expected and expected != received:
        module.fail_json(msg="The checksum for %s did not match '%s', it was '%s'" % (url, expected, received), **result)
    if os.path.exists(target) and dest_checksum == received:
        result["checksum_dest"] = dest_checksum
        result["size"] = os.path.getsize(target)
        return
    if not module.check_mode:
        staged = "%s.%d.download" % (target, os.getpid())
        with open(staged, "wb") as handle:
            handle.write(data)
        shutil.move(staged, target)
    result["changed"] = True


def main():
    module = DoubleModule("win_get_url", mutually_exclusive=[["checksum", "checksum_url"]])
    params = module.params
    url, dest, force = params["url"], params["dest"], params["force"]
    algorithm = (params["checksum_algorithm"] or "sha1").strip().lower()
    expected = params["checksum"].strip().lower() if params["checksum"] else None
    result = {"changed": False, "elapsed": 0, "url": url}
    started = time.time()
    try:
        machine = Machine()
        dest = machine.expand(dest)
        target = machine.host_path(dest)
        if os.path.isdir(target):
            leaf = os.path.basename(urlsplit(url).path) or urlsplit(url).hostname
            dest = dest.rstrip("\\") + "\\" + leaf
            target = os.path.join(target, leaf)
        elif dest.endswith(("\\", "/")):
            module.fail_json(msg="The destination path '%s' does not exist, or is not visible to the current user. "
                                 "Ensure download destination folder exists (perhaps using win_file "
                                 "state=directory) before win_get_url runs." % dest, **result)
        result["dest"] = dest
        if params["checksum_url"]:
            expected = checksum_from_url(machine, params["checksum_url"].strip(), url, params["url_timeout"] or 30)
        dest_checksum = None
        if os.path.exists(target):
            dest_checksum = checksum(target, algorithm)
            if expected and dest_checksum != expected:
                force = True
        if dest_checksum and expected and dest_checksum == expected and not force:
            result["checksum_dest"] = dest_checksum
            result["size"] = os.path.getsize(target)
        elif force or not os.path.exists(target):
            download(module, machine, url, dest, target, expected, dest_checksum, algorithm, result)
        else:
            # force=no: the real module asks for Last-Modified first and downloads only when it
            # differs; the download itself then changes dest only if the checksums differ. The
            # double skips the Last-Modified question, which gives the same result unless the
            # source holds other bytes with an older date.
            download(module, machine, url, dest, target, expected, dest_checksum, algorithm, result)
    except SimulationError as e:
        module.fail_json(msg=str(e), **result)
    if "checksum_dest" not in result and os.path.exists(target) and not (module.check_mode and result["changed"]):
        result["checksum_dest"] = checksum(target, algorithm)
        result["size"] = os.path.getsize(target)
    result["elapsed"] = time.time() - started
    module.exit_double(result)


if __name__ == "__main__":
    main()
