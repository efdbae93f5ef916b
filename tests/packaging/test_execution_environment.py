# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An execution environment holding the collection: `ansible-builder create` writes a build
context (no container engine needed) whose Galaxy step installs our tarball, and the
collection's meta/execution-environment.yml gives ansible-builder its Python requirements."""

import pathlib
import re
import sys

import yaml

from collection_tools import BIN, ROOT, clean_env, run


def test_ansible_builder_create_writes_a_context_that_installs_our_tarball(tarball, tmp_path):
    context = tmp_path / "ee"
    env = clean_env(tmp_path / "home")
    run([sys.executable, ROOT / "tests" / "packaging" / "ee_context.py", tarball, context], env, tmp_path)

    containerfile = (context / "Containerfile").read_text()
    shipped = context / "_build" / "collections" / tarball.name
    assert shipped.read_bytes() == tarball.read_bytes()
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert requirements == {"collections": [{"name": "collections/%s" % tarball.name, "type": "file"}]}
    # The image build copies _build/ to /build and installs the requirements from there,
    # then asks every installed collection for its Python and system requirements.
    assert "COPY _build /build" in containerfile and "WORKDIR /build" in containerfile
    assert re.search(r"^RUN .*ansible-galaxy collection install .*-r requirements\.yml", containerfile, re.M)
    assert "introspect" in containerfile

    # What that Galaxy step does, done here offline from the context's copy: it installs
    # our collection (ansible.windows comes from the `ansible` package here, from Galaxy there).
    collections = tmp_path / "image-collections"
    proc = run([BIN / "ansible-galaxy", "collection", "install", "--offline", "-r", "requirements.yml",
                "-p", collections], env, context / "_build")
    assert "mapi.messaging:" in proc.stdout and "installed successfully" in proc.stdout
    assert (collections / "ansible_collections" / "mapi" / "messaging" / "meta" / "execution-environment.yml").is_file()


def test_introspection_of_the_installed_collection_finds_its_requirements(installed):
    """What ansible-builder's introspect step reads inside the image, read from the tarball's
    installed copy: the requirements file that meta/execution-environment.yml names."""
    collections, env = installed
    proc = run([BIN / "ansible-builder", "introspect", "--sanitize", collections], env, collections)
    found = yaml.safe_load(proc.stdout.split("\n", 1)[1])
    metadata = yaml.safe_load((ROOT / "meta" / "execution-environment.yml").read_text())
    declared = [line.strip() for line in (ROOT / metadata["dependencies"]["python"]).read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert declared, "meta/ee-requirements.txt names no requirement"
    assert [entry.split("#")[0].strip() for entry in found["python"]] == declared
    assert all(entry.endswith("# from collection mapi.messaging") for entry in found["python"])
    assert found["system"] == []


def test_execution_environment_metadata_names_files_that_ship(tarball_members):
    metadata = yaml.safe_load((ROOT / "meta" / "execution-environment.yml").read_text())
    assert metadata["version"] == 1
    for kind, path in metadata["dependencies"].items():
        assert kind in ("python", "system")
        assert not pathlib.PurePath(path).is_absolute()
        assert path in tarball_members, path
