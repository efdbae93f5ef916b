# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the build context of an execution environment holding a mapi.messaging tarball.

    python tests/packaging/ee_context.py TARBALL CONTEXT_DIR

Stages tests/packaging/ee/execution-environment.yml with the tarball under dist/ and a
requirements.yml naming it, then runs ``ansible-builder create``, which writes the
Containerfile and the _build/ folder; no container engine is involved. Building the image
is then ``podman build -f CONTEXT_DIR/Containerfile CONTEXT_DIR`` (or docker).
"""

import pathlib
import shutil
import subprocess
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent


def stage(tarball, staging):
    """The definition, the tarball and a requirements.yml that installs it from /build."""
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "dist").mkdir(parents=True)
    shutil.copy2(HERE / "ee" / "execution-environment.yml", staging / "execution-environment.yml")
    shutil.copy2(tarball, staging / "dist" / tarball.name)
    # ansible-builder copies dist/*.tar.gz to _build/collections/, and the image build runs
    # ansible-galaxy from /build (the copy of _build/), so the path is relative to that.
    requirements = {"collections": [{"name": "collections/%s" % tarball.name, "type": "file"}]}
    (staging / "requirements.yml").write_text("---\n" + yaml.safe_dump(requirements, sort_keys=False))
    return staging / "execution-environment.yml"


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: ee_context.py TARBALL CONTEXT_DIR")
    tarball = pathlib.Path(argv[1]).resolve()
    context = pathlib.Path(argv[2]).resolve()
    if not tarball.is_file():
        sys.exit("ee_context.py: no tarball at %s; run `make package` first" % tarball)
    definition = stage(tarball, context.parent / (context.name + "-src"))
    builder = pathlib.Path(sys.executable).parent / "ansible-builder"
    command = [str(builder), "create", "--file", str(definition), "--context", str(context),
               "--output-filename", "Containerfile"]
    print(" ".join(command))
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
