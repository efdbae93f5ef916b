# -*- coding: utf-8 -*-
"""Stand-in for the pip bootstrap script ansible-test downloads from the internet.

ansible-test runs its cached ``get_pip_<version>.py`` inside each fresh virtual environment
with pip's install options; this script gives that environment pip from the standard
library's ``ensurepip`` and then installs what was asked from the package index.
"""

import subprocess
import sys

# Options only the real bootstrap script understands.
BOOTSTRAP_ONLY = {"--no-setuptools", "--no-wheel"}

subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
arguments = [arg for arg in sys.argv[1:] if arg not in BOOTSTRAP_ONLY]
if any(not arg.startswith("-") for arg in arguments):
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + arguments)
