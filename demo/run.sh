#!/usr/bin/env bash
# make demo: copy the sample MAPISVC.INF, register the Contoso service (with --diff), then
# run the same playbook again to show that nothing changes the second time.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp/demo
cp demo/MAPISVC.INF .tmp/demo/MAPISVC.INF
echo "== first run: registers CONTOSO in .tmp/demo/MAPISVC.INF (a copy of demo/MAPISVC.INF)"
ansible-playbook -i demo/inventory.ini demo/contoso.yml --diff
echo
echo "== second run: the file already says all of it, so nothing changes"
ansible-playbook -i demo/inventory.ini demo/contoso.yml --diff
echo
# Every line of the original file must still be there, unchanged and in order: only
# lines were added (diff's "<" lines would be removed or changed ones).
removed=$(diff demo/MAPISVC.INF .tmp/demo/MAPISVC.INF | grep -c '^<' || true)
added=$(diff demo/MAPISVC.INF .tmp/demo/MAPISVC.INF | grep -c '^>' || true)
echo "Original lines removed or changed: $removed; lines added: $added (see: diff demo/MAPISVC.INF .tmp/demo/MAPISVC.INF)"
[ "$removed" = 0 ]
echo
# ansible-doc needs the same venv and collections tree as the runs above; neither is set in
# the caller's shell, so name the commands that set them up (README, "Reading the documentation").
echo "Module documentation: make doc DOC=mapi.messaging.mapisvc"
echo "  (or: ANSIBLE_COLLECTIONS_PATH=.tmp/collections .venv/bin/ansible-doc mapi.messaging.mapisvc)"
