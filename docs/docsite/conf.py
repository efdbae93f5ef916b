# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sphinx configuration of the collection's documentation site (`make docs`).

The site is built offline from what ``antsibull-docs collection`` writes: the plugin and role
pages (``--output-format simplified-rst``: plain reStructuredText, no Ansible-specific Sphinx
extension needed) and the collection's extra docs (docs/docsite/extra-docs.yml), which
copy_guides.py replaces with the Markdown guides of docs/ they stand for (parsed by MyST).
Adapted here, each for one reason:

- simplified-rst links between its pages (and to the guides) by file name (``x.rst``), as
  a reader on a forge sees them; in the HTML site those become links to the built pages,
  and a link to a page that does not exist is a warning (the build fails on warnings);
- simplified-rst links a plugin of another collection (a module's seealso, M(...) in an
  option's description) as if it were a page of this site: those point to the plugin's page
  on docs.ansible.com.
"""

import pathlib
import posixpath
import re

import yaml
from docutils import nodes
from sphinx.util import logging

ROOT = pathlib.Path(__file__).resolve().parents[2]
GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))

project = "%s.%s" % (GALAXY["namespace"], GALAXY["name"])
copyright = "the %s authors" % project  # pylint: disable=redefined-builtin
release = GALAXY["version"]
title = "%s %s" % (project, release)
html_title = title
html_short_title = project

extensions = ["myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# No intersphinx and no theme or extension that fetches anything: the build is offline.
html_theme = "alabaster"
html_show_sphinx = False
html_copy_source = False
html_use_index = False
pygments_style = "ansible"  # ansible-pygments, which also lexes YAML+Jinja
highlight_language = "YAML+Jinja"
# A link to a missing target, an unknown role or directive is a warning, so a failure.
nitpicky = True
# The guides' headings become link targets, so #anchors within and between guides resolve.
myst_heading_anchors = 4
myst_enable_extensions = ["colon_fence"]

LOG = logging.getLogger(__name__)
ANSIBLE_DOCS = "https://docs.ansible.com/ansible/latest/collections"
_OTHER_PLUGIN = re.compile(r"^(?P<namespace>[a-z0-9_]+)\.(?P<name>[a-z0-9_]+)\.[a-z0-9_]+$")
# The same in the option tables (raw HTML): a relative link to <namespace>/<name>/<page>.html[#anchor].
_RAW_PLUGIN_LINK = re.compile(r"""href=(?P<q>['"])(?:\.\./)+(?P<namespace>[a-z0-9_]+)/(?P<name>[a-z0-9_]+)/(?P<page>[a-z0-9_]+\.html(?:#[\w.-]*)?)(?P=q)""")


def _rst_file_links_to_pages(app, doctree, docname):
    """simplified-rst's ``x.rst`` links become links to the built page of x."""
    for ref in doctree.findall(nodes.reference):
        uri = ref.get("refuri", "")
        if not uri.endswith(".rst") or "://" in uri:
            continue
        target = posixpath.normpath(posixpath.join(posixpath.dirname(docname), uri[:-len(".rst")]))
        if target not in app.env.found_docs:
            # A plugin of another collection (seealso): simplified-rst links it as a page of
            # this folder, which this site does not have; its page is on docs.ansible.com.
            fqcn = _OTHER_PLUGIN.match(ref.astext())
            if fqcn and not ref.astext().startswith(project + "."):
                page = posixpath.basename(uri[:-len(".rst")]) + ".html"
                ref["refuri"] = "%s/%s/%s/%s" % (ANSIBLE_DOCS, fqcn["namespace"], fqcn["name"], page)
                continue
            LOG.warning("link to %s: no such page (%s)", uri, target, location=(docname, ref.line))
            continue
        ref["refuri"] = app.builder.get_relative_uri(docname, target)
    for raw in list(doctree.findall(nodes.raw)):
        text = raw.astext()
        adapted = _RAW_PLUGIN_LINK.sub(_other_collections_page, text)
        if adapted != text:
            raw.replace_self(nodes.raw(adapted, adapted, format=raw.get("format")))


def _other_collections_page(match):
    if "%s.%s" % (match["namespace"], match["name"]) == project:
        return match.group(0)
    return "href=%s%s/%s/%s/%s%s" % (match["q"], ANSIBLE_DOCS, match["namespace"], match["name"], match["page"], match["q"])


def setup(app):
    app.connect("doctree-resolved", _rst_file_links_to_pages)
