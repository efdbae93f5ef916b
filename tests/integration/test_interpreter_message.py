# -*- coding: utf-8 -*-
"""A host whose ansible_python_interpreter does not exist: ansible-playbook fails the task
with a message naming ansible_python_interpreter and how to set it, not the path."""

from __future__ import annotations

from playbook_run import run_playbook_file


def test_a_missing_interpreter_is_named_with_how_to_set_it(tmp_path):
    playbook = tmp_path / "playbook.yml"
    playbook.write_text("- hosts: all\n  gather_facts: false\n  tasks:\n"
                        "    - mapi.messaging.mapisvc_info: {path: %s}\n" % (tmp_path / "MAPISVC.INF"))
    inventory = tmp_path / "inventory.ini"
    missing = tmp_path / "no-python"
    inventory.write_text("golden ansible_connection=local ansible_python_interpreter=%s\n" % missing)
    proc, recap = run_playbook_file(tmp_path, playbook, inventory)
    assert proc.returncode == 2 and recap["golden"]["failed"] == 1, proc.stdout + proc.stderr
    assert "ansible_python_interpreter: the module could not start on this host, its Python interpreter '%s'" % missing in proc.stdout
    assert "ansible_python_interpreter=/usr/bin/python3" in proc.stdout
    assert "path: cannot read" not in proc.stdout
