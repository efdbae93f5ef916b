# -*- coding: utf-8 -*-
"""Make ``ansible_collections.mapi.messaging`` importable from this checkout in every test,
through Ansible's own collection loader (as ansible-test does for unit tests)."""

import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
COLLECTIONS = ROOT / ".tmp" / "collections"


def _link_collection():
    link = COLLECTIONS / "ansible_collections" / "mapi" / "messaging"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        link.symlink_to(ROOT)


def _install_collection_finder():
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    _AnsibleCollectionFinder(paths=[str(COLLECTIONS)])._install()


_link_collection()
os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", str(COLLECTIONS))
_install_collection_finder()
