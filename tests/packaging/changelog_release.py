# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""(Re)build the changelog entry of galaxy.yml's version from the fragments and the plugins.

    python tests/packaging/changelog_release.py

antsibull-changelog adds a release once; rerunning `release --update-existing` does not
re-collect fragments and objects reliably. Until the version is tagged in git, this drops
that version's entry from changelogs/changelog.yaml (keeping its date) and releases it again,
so the entry always says what the fragments (kept, see config.yaml) and version_added say.
Once the tag exists, the entry is left alone and only the changelog files are regenerated.
"""

import pathlib
import subprocess
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHANGES = ROOT / "changelogs" / "changelog.yaml"
TOOL = str(pathlib.Path(sys.executable).parent / "antsibull-changelog")


def tagged(version):
    for tag in (version, "v" + version):
        if subprocess.run(["git", "rev-parse", "-q", "--verify", "refs/tags/" + tag], cwd=str(ROOT),
                          capture_output=True, check=False).returncode == 0:
            return True
    return False


def tool(*args):
    print(" ".join(("antsibull-changelog",) + args))
    subprocess.run([TOOL] + list(args), cwd=str(ROOT), check=True)


def main():
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    tool("lint")
    if tagged(version):
        tool("generate")
        return 0
    date = []
    if CHANGES.exists():
        changes = yaml.safe_load(CHANGES.read_text())
        release = (changes.get("releases") or {}).pop(version, None)
        if release and release.get("release_date"):
            date = ["--date", str(release["release_date"])]
        CHANGES.write_text("---\n" + yaml.safe_dump(changes, sort_keys=False))
    tool("release", "--version", version, "--reload-plugins", *date)
    tool("lint-changelog-yaml", str(CHANGES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
