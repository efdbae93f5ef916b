# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Put the guides of docs/ in the documentation site's sources (`make docs`).

docs/docsite/rst/NAME.rst, the collection's extra doc for docs/NAME.md (what any docsite
build of the collection shows), is a title and a link to the guide. This site shows the
guide itself: in the folder where antsibull-docs wrote the extra docs, NAME.rst is replaced
by NAME.md (the same document name, so the collection index's links and the guides' links
to each other, ``rollout.md#anchor``, find it; MyST parses it). A guide's links to files
outside docs/ (``../README.md``, ``../tests/...``) point to the file in the repository
(galaxy.yml's ``repository``): the site does not hold them.

Usage: python docs/docsite/copy_guides.py EXTRA_DOCS_FOLDER
"""

import pathlib
import re
import sys

import yaml

DOCS = pathlib.Path(__file__).resolve().parents[1]
ROOT = DOCS.parent
# A Markdown link to a file outside docs/: ](../path#anchor)
OUTSIDE = re.compile(r"\]\(\.\./(?P<path>[^)#\s]+)(?P<anchor>#[^)\s]*)?\)")


def adapt(text, repository):
    return OUTSIDE.sub(lambda m: "](%s/blob/main/%s%s)" % (repository, m["path"], m["anchor"] or ""), text)


def main(dest):
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))
    repository = galaxy["repository"].rstrip("/")
    dest = pathlib.Path(dest)
    for stub in sorted(dest.glob("*.rst")):
        guide = DOCS / (stub.stem + ".md")
        if not guide.is_file():
            sys.exit("%s: an extra doc without a guide docs/%s" % (stub, guide.name))
        stub.unlink()
        (dest / guide.name).write_text(adapt(guide.read_text(encoding="utf-8"), repository), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
