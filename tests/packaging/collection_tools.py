# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of the packaging tests: the checkout, galaxy.yml, and commands run the way a user
runs them, from the venv running pytest, in an environment without this checkout's ANSIBLE_*
settings."""

import os
import pathlib
import subprocess
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent


def galaxy():
    return yaml.safe_load((ROOT / "galaxy.yml").read_text())


def clean_env(home, collections_path=None, **extra):
    """os.environ without any ANSIBLE_* setting, plus a private ANSIBLE_HOME and, when given,
    the only collections path Ansible may search (besides the `ansible` package's own)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env.update(ANSIBLE_HOME=str(home), ANSIBLE_LOCAL_TEMP=str(home / "tmp"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_DEPRECATION_WARNINGS="0", PATH="%s%s%s" % (BIN, os.pathsep, env.get("PATH", "")))
    if collections_path is not None:
        env["ANSIBLE_COLLECTIONS_PATH"] = str(collections_path)
    env.update(extra)
    return env


def run(command, env, cwd, check=True):
    proc = subprocess.run([str(c) for c in command], capture_output=True, text=True, env=env,
                          cwd=str(cwd), check=False)
    if check and proc.returncode != 0:
        raise AssertionError("%s failed (rc %d):\n%s\n%s"
                             % (" ".join(str(c) for c in command), proc.returncode, proc.stdout, proc.stderr))
    return proc
