# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the packaging tests: the tarball `ansible-galaxy collection build` makes from
this checkout, and that tarball installed offline into an empty collections path.

Every command is the one a user runs, from the venv running pytest; the environment is
rebuilt from scratch so that neither this checkout (.tmp/collections) nor ~/.ansible can
stand in for the installed copy.
"""

import tarfile

import pytest

from collection_tools import BIN, ROOT, clean_env, galaxy, run


@pytest.fixture(scope="session")
def tarball(tmp_path_factory):
    """The tarball built from this checkout, as `make package` builds it."""
    out = tmp_path_factory.mktemp("dist")
    home = tmp_path_factory.mktemp("ansible-home")
    run([BIN / "ansible-galaxy", "collection", "build", "--output-path", out, ROOT], clean_env(home), ROOT)
    built = sorted(out.glob("*.tar.gz"))
    meta = galaxy()
    assert [path.name for path in built] == ["%s-%s-%s.tar.gz" % (meta["namespace"], meta["name"], meta["version"])]
    return built[0]


@pytest.fixture(scope="session")
def tarball_members(tarball):
    with tarfile.open(tarball) as archive:
        return archive.getnames()


@pytest.fixture(scope="session")
def installed(tmp_path_factory, tarball):
    """(collections path, environment): the tarball installed offline into an empty path.
    ansible.windows is not installed there: the `ansible` package in site-packages provides
    it, and ansible-galaxy checks it against galaxy.yml's range while resolving."""
    collections = tmp_path_factory.mktemp("collections")
    assert not any(collections.iterdir())
    home = tmp_path_factory.mktemp("ansible-home")
    env = clean_env(home, collections)
    proc = run([BIN / "ansible-galaxy", "collection", "install", "--offline", tarball, "-p", collections],
               env, tmp_path_factory.mktemp("cwd"))
    assert "mapi.messaging:%s was installed successfully" % galaxy()["version"] in proc.stdout, proc.stdout
    return collections, env
