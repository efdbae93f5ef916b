# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""galaxy.yml and meta/runtime.yml say what the collection is and needs, consistently with
what the compatibility matrix tests and what the sanity tests expect."""

import json
import pathlib
import re

import ansible
import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from collection_tools import BIN, ROOT, galaxy, run

RUNTIME = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())


def make_variable(name):
    match = re.search(r"^%s\s*:?=\s*(\S+)\s*$" % name, (ROOT / "mk" / "packaging.mk").read_text(), re.M)
    assert match, "mk/packaging.mk defines no %s" % name
    return match.group(1)


def lowest(specifier):
    (bound,) = [spec for spec in SpecifierSet(specifier) if spec.operator == ">="]
    return Version(bound.version)


def test_galaxy_yml_has_what_galaxy_and_users_look_for():
    meta = galaxy()
    assert (meta["namespace"], meta["name"]) == ("mapi", "messaging")
    Version(meta["version"])
    assert meta["authors"] == ["mapi.messaging maintainers"]
    assert meta["readme"] == "README.md" and (ROOT / "README.md").is_file()
    for key in ("description", "repository", "documentation", "issues"):
        assert meta[key], key
    for url in (meta["repository"], meta["documentation"], meta["issues"], meta["homepage"]):
        assert url.startswith("https://github.com/mapi-messaging/mapi.messaging")
    assert {"windows", "outlook", "mapi", "messaging", "ini"} <= set(meta["tags"])
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", tag) for tag in meta["tags"])


def test_license_is_gpl3_or_later_and_its_text_ships():
    assert galaxy()["license"] == ["GPL-3.0-or-later"]
    text = (ROOT / "COPYING").read_text()
    assert "GNU GENERAL PUBLIC LICENSE" in text and "Version 3, 29 June 2007" in text


def test_ansible_windows_range_admits_the_bundled_collection():
    """The `ansible` package running these tests bundles the ansible.windows the tests use."""
    wanted = SpecifierSet(galaxy()["dependencies"]["ansible.windows"])
    assert lowest(str(wanted)) < Version("4.0.0") and not wanted.contains("4.0.0")
    from ansible_collections.ansible import windows  # pylint: disable=import-outside-toplevel

    manifest = json.loads((pathlib.Path(list(windows.__path__)[0]) / "MANIFEST.json").read_text())
    assert wanted.contains(manifest["collection_info"]["version"])


def test_requires_ansible_is_the_lowest_core_the_compat_matrix_tests():
    assert SpecifierSet(RUNTIME["requires_ansible"]).contains(ansible.__version__)
    low = lowest(RUNTIME["requires_ansible"])
    assert "%d.%d" % (low.major, low.minor) == make_variable("COMPAT_LOW_CORE")
    assert Version(make_variable("COMPAT_NEW_CORE")) > low


def test_action_group_names_only_modules_that_exist_and_takes_path():
    group = RUNTIME["action_groups"]["mapisvc"]
    assert "mapisvc" in group
    for module in group:
        source = ROOT / "plugins" / "modules" / ("%s.py" % module)
        assert source.is_file(), module
        assert re.search(r"^  path:$", source.read_text(), re.M), "%s has no path option" % module


def test_sanity_ignore_files_exist_for_every_tested_ansible_core():
    low = lowest(RUNTIME["requires_ansible"])
    newest = max(Version(make_variable("COMPAT_NEW_CORE")), Version(ansible.__version__))
    missing = ["ignore-2.%d.txt" % minor for minor in range(low.minor, newest.minor + 1)
               if not (ROOT / "tests" / "sanity" / ("ignore-2.%d.txt" % minor)).is_file()]
    assert missing == []


PLAY = """
- hosts: localhost
  gather_facts: false
{defaults}
  tasks:
    - name: Declare a service, path from the group's defaults
      mapi.messaging.mapisvc:
        service: NORTHWIND
        display_name: Northwind Directory
        properties:
          PR_SERVICE_DLL_NAME: northwind.dll
          PR_SERVICE_ENTRY_NAME: ServiceEntry
      register: declared
    - name: Read it back, path from the group's defaults
      mapi.messaging.mapisvc_info: {{}}
      register: read
      when: "'mapisvc_info' in group_members"
    - name: Show both
      ansible.builtin.debug:
        msg: "{{{{ {{'changed': declared.changed, 'services': read.services | default(None)}} }}}}"
"""


@pytest.mark.parametrize("with_defaults", [True, False])
def test_module_defaults_group_reaches_the_modules_of_the_installed_collection(installed, tmp_path, with_defaults):
    collections, env = installed
    mapisvc = tmp_path / "MAPISVC.INF"
    mapisvc.write_bytes((ROOT / "demo" / "MAPISVC.INF").read_bytes())
    defaults = "  module_defaults:\n    group/mapi.messaging.mapisvc:\n      path: %s" % mapisvc
    play = PLAY.format(defaults=defaults if with_defaults else "")
    (tmp_path / "play.yml").write_text(play)
    (tmp_path / "inventory.ini").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % (BIN / "python"))
    proc = run([BIN / "ansible-playbook", "-i", tmp_path / "inventory.ini", tmp_path / "play.yml",
                "-e", json.dumps({"group_members": RUNTIME["action_groups"]["mapisvc"]})],
               dict(env, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json"), tmp_path, check=False)
    report = json.loads(proc.stdout)
    results = [task["hosts"]["localhost"] for play_ in report["plays"] for task in play_["tasks"]]
    if with_defaults:
        assert proc.returncode == 0, proc.stdout
        assert results[-1]["msg"]["changed"] is True
        assert b"NORTHWIND=Northwind Directory" in mapisvc.read_bytes()
        if "mapisvc_info" in RUNTIME["action_groups"]["mapisvc"]:
            assert "NORTHWIND" in results[-1]["msg"]["services"]
    else:
        # The same play without the group's defaults: path is missing, nothing written.
        assert proc.returncode != 0
        assert "path" in results[0]["msg"]
        assert mapisvc.read_bytes() == (ROOT / "demo" / "MAPISVC.INF").read_bytes()
