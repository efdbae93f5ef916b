# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's documentation site: `make docs` builds it offline with antsibull-docs and
Sphinx (docs/docsite), the plugins, the role and every guide of docs/, and fails on a warning.
"""

import html.parser
import re

import pytest
import yaml

from collection_tools import BIN, ROOT, clean_env, run

DOCSITE = ROOT / "docs" / "docsite"
GUIDES = sorted(path.stem for path in (ROOT / "docs").glob("*.md"))


def modules():
    return sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href"):
            self.hrefs.append(dict(attrs)["href"])


def links(page):
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.hrefs


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """`make docs` into a folder of its own; (process, html folder)."""
    build = tmp_path_factory.mktemp("docs")
    env = clean_env(tmp_path_factory.mktemp("ansible-home"))
    proc = run(["make", "--no-print-directory", "docs", "DOCS_BUILD=%s" % build], env, ROOT, check=False)
    return proc, build / "html"


def test_the_site_builds_without_a_warning(site):
    proc = site[0]
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-6000:]
    assert "WARNING" not in proc.stdout + proc.stderr


def test_the_site_has_a_page_for_every_module_the_role_and_every_guide(site):
    html_dir = site[1] / "collections" / "mapi" / "messaging"
    pages = {path.relative_to(html_dir).as_posix() for path in html_dir.rglob("*.html")}
    expected = {"index.html", "message_service_role.html"}
    expected |= {"%s_module.html" % name for name in modules()}
    expected |= {"docsite/%s.html" % name for name in GUIDES}
    assert expected <= pages, sorted(expected - pages)


def test_a_guide_page_is_the_guide_itself_not_its_stub(site):
    page = (site[1] / "collections" / "mapi" / "messaging" / "docsite" / "awx.html").read_text(encoding="utf-8")
    assert "set_stats" in page and "Keeping the HTML" in page


def test_every_link_of_the_site_leads_to_a_built_page_or_an_address(site):
    html_dir = site[1]
    broken = []
    for page in html_dir.rglob("*.html"):
        for href in links(page):
            if re.match(r"^[a-z]+:", href) or href.startswith("#"):
                continue
            target = (page.parent / href.split("#", 1)[0].split("?", 1)[0]).resolve()
            if not target.exists():
                broken.append("%s -> %s" % (page.relative_to(html_dir), href))
    assert not broken, broken[:20]


def test_a_guides_link_outside_docs_points_to_the_repository(site):
    page = site[1] / "collections" / "mapi" / "messaging" / "docsite" / "role-message-service.html"
    repository = yaml.safe_load((ROOT / "galaxy.yml").read_text())["repository"]
    assert "%s/blob/main/examples/vars/contoso.yml" % repository in links(page)


def test_every_guide_is_an_extra_doc_listed_in_extra_docs_yml():
    index = yaml.safe_load((DOCSITE / "extra-docs.yml").read_text())
    listed = sorted(entry["ref"] for section in index["sections"] for entry in section["toctree"])
    assert listed == GUIDES
    assert sorted(path.stem for path in (DOCSITE / "rst").glob("*.rst")) == GUIDES


def test_a_link_to_a_page_that_does_not_exist_fails_the_build(tmp_path):
    """The configuration's own check of simplified-rst's x.rst links: a missing page is a
    warning, and the build fails on warnings."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "index.rst").write_text("Index\n=====\n\nSee `the module <no_such_module.rst>`__.\n")
    proc = run([BIN / "sphinx-build", "-q", "-W", "-b", "html", "-c", DOCSITE, source, tmp_path / "html"],
               clean_env(tmp_path), ROOT, check=False)
    assert proc.returncode != 0
    assert "link to no_such_module.rst: no such page" in proc.stderr
