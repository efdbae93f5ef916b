# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The changelog comes from its fragments through antsibull-changelog and is current; the
plugin and role documentation passes antsibull-docs' collection lint; the playbooks, role and
examples pass ansible-lint's production profile."""

import shutil
import subprocess

import pytest
import yaml

from collection_tools import BIN, ROOT, clean_env, galaxy, run

CHANGES = ROOT / "changelogs" / "changelog.yaml"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    home = tmp_path_factory.mktemp("ansible-home")
    return clean_env(home, ROOT / ".tmp" / "collections")


def test_changelog_fragments_and_changelog_yaml_lint(env):
    run([BIN / "antsibull-changelog", "lint"], env, ROOT)
    run([BIN / "antsibull-changelog", "lint-changelog-yaml", CHANGES], env, ROOT)


def test_changelog_release_is_galaxy_version_and_names_every_module():
    """A module whose version_added is not the release, or that appeared after the last
    `make changelog`, is missing here."""
    release = yaml.safe_load(CHANGES.read_text())["releases"][galaxy()["version"]]
    listed = {module["name"] for module in release.get("modules", [])}
    modules = {path.stem for path in (ROOT / "plugins" / "modules").glob("*.py")}
    assert listed == modules
    assert release["changes"]["release_summary"]


@pytest.mark.parametrize("output_format,name", [("md", "CHANGELOG.md"), ("rst", "CHANGELOG.rst")])
def test_changelog_files_are_what_the_tool_generates(env, tmp_path, output_format, name):
    generated = tmp_path / name
    run([BIN / "antsibull-changelog", "generate", "--output", generated, "--output-format", output_format], env, ROOT)
    assert (ROOT / name).read_text() == generated.read_text(), "run `make changelog`"


def collection_copy(root):
    """The files a commit would hold, laid out as ansible_collections/mapi/messaging."""
    copy = root / "ansible_collections" / "mapi" / "messaging"
    names = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=str(ROOT),
                           capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, names):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    return copy


def test_collection_docs_lint_passes(env):
    proc = run([BIN / "antsibull-docs", "lint-collection-docs", "--plugin-docs", ROOT], env, ROOT, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_collection_docs_lint_catches_a_broken_module_doc(tmp_path, env):
    """The lint above reads the plugin docs: the same lint fails once a reference is broken."""
    copy = collection_copy(tmp_path)
    module = copy / "plugins" / "modules" / "mapisvc.py"
    text = module.read_text()
    assert "M(mapi.messaging." in text or "short_description:" in text
    module.write_text(text.replace("short_description: ", "short_description: See O(no_such_option). ", 1))
    proc = run([BIN / "antsibull-docs", "lint-collection-docs", "--plugin-docs", copy],
               dict(env, ANSIBLE_COLLECTIONS_PATH=str(tmp_path)), tmp_path, check=False)
    assert proc.returncode != 0
    assert "no_such_option" in proc.stdout + proc.stderr


def test_ansible_lint_production_profile_passes(env):
    paths = [name for name in ("roles", "playbooks", "examples", "demo") if (ROOT / name).is_dir()]
    proc = run([BIN / "ansible-lint", "--offline", "--profile", "production", "--nocolor"] + paths,
               env, ROOT, check=False)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-6000:]
