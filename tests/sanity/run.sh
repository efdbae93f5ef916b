#!/usr/bin/env bash
# ansible-test sanity on a copy of this checkout laid out as ansible_collections/mapi/messaging
# (ansible-test refuses a symlinked tree), with a local pip bootstrap because ansible-test's
# own download is not reachable from every machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv_bin="$root/.venv/bin"
copy="$root/.tmp/sanity/ansible_collections/mapi/messaging"

# ansible-test skips its shellcheck test when the program is missing; install it instead.
if ! command -v shellcheck >/dev/null; then
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq shellcheck >/dev/null
fi

cache="$HOME/.ansible/test/cache"
mkdir -p "$cache"
# The pip version ansible-test bootstraps, read from the installed ansible-test.
pip_version=$(grep -oP "pip='\K[0-9.]+" "$root"/.venv/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py | head -n 1)
cp "$root/tests/sanity/get_pip_standin.py" "$cache/get_pip_${pip_version//./_}.py"

rm -rf "$copy"
mkdir -p "$copy"
# Tracked files and new files not ignored by .gitignore: what a commit would hold.
(cd "$root" && git ls-files -co --exclude-standard -z | xargs -0 -I{} cp --parents {} "$copy/")
(cd "$copy" && git init -q && git add -A && git -c user.name=sanity -c user.email=sanity@localhost commit -qm sanity)

cd "$copy"
"$venv_bin/ansible-test" sanity --python 3.11 --color no "$@"
