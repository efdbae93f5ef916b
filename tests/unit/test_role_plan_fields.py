# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role reads its plan and target through Jinja, where a misspelt key is only an undefined
variable at run time, on a workstation. The plan and the target are typed in the core
(``service_plan.ServicePlan``, ``profile.ProfilePlan``, ``host.Target``), so every
``message_service_plan.<field>``, ``message_service_plan.profile.<field>``,
``message_service_plan.profile.settings.<key>``, ``message_service_plan.mapisvc_args.<option>``
and ``message_service_target.<field>`` written in the role, the playbooks, the Molecule
scenarios, the examples and the docs is checked here against those types, plus what the action
plugin adds to them (``plan.profile``, ``profile.settings``, ``target.install_dir``)."""

from __future__ import annotations

import dataclasses
import pathlib
import re

from ansible_collections.mapi.messaging.plugins.module_utils.mapisvc_spec import ARGUMENT_SPEC
from ansible_collections.mapi.messaging.plugins.plugin_utils import host, profile, service_plan
from test_probe_contract import make
from test_role_message_service import run_plan_action

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEARCHED = ("roles", "playbooks", "extensions/molecule", "examples", "docs")
TEXT_SUFFIXES = {".yml", ".yaml", ".md", ".j2", ".txt", ".rst"}

# ``message_service_plan`` or ``message_service_target`` followed by attributes or quoted
# subscripts, also as ``hostvars[host].message_service_target``. Not when it continues a longer
# name or path: ``mapi.messaging.message_service_plan`` is the action, ``__message_service_planned``
# a registered result, ``.../message_service_plan.py`` a file.
REFERENCE = re.compile(r"(?<![\w/\\])(?<!messaging\.)(message_service_plan|message_service_target)(?!\.py\b)"
                       r"((?:\.[A-Za-z_]\w*|\[\s*['\"][^'\"]+['\"]\s*\])+)")
PART = re.compile(r"\.([A-Za-z_]\w*)|\[\s*['\"]([^'\"]+)['\"]\s*\]")


def _settings_keys():
    """The keys of a real ``profile.settings`` result (the action adds it as ``profile.settings``)."""
    resolved = profile.settings({}, "CONTOSO", "Contoso Connector",
                                {"install_dir": "C:\\Program Files\\CONTOSO", "office_version": "16.0"})
    return set(resolved)


def known_fields():
    """What each checked level holds: (fact, path of parts before) -> the names it has."""
    plan = {field.name for field in dataclasses.fields(service_plan.ServicePlan)} | {"profile"}
    # as_dict is what the role reads: the dataclass fields and the write count it adds.
    profile_plan = set(profile.ProfilePlan(state="present").as_dict()) | {"settings"}
    target = {field.name for field in dataclasses.fields(host.Target)} | {"install_dir"}
    return {
        ("message_service_plan", ()): plan,
        ("message_service_plan", ("profile",)): profile_plan,
        ("message_service_plan", ("profile", "settings")): _settings_keys(),
        # The mapisvc options the plan passes on, validated by mapisvc's own argument spec.
        ("message_service_plan", ("mapisvc_args",)): set(ARGUMENT_SPEC),
        ("message_service_target", ()): target,
    }


def unknown_references(text, known):
    """``fact.part.part`` references in ``text`` naming a field the checked level lacks; each
    reference is checked as deep as ``known`` describes it."""
    unknown = []
    for match in REFERENCE.finditer(text):
        fact = match.group(1)
        parts = [attribute or key for attribute, key in PART.findall(match.group(2))]
        for depth, part in enumerate(parts):
            fields = known.get((fact, tuple(parts[:depth])))
            if fields is None:
                break
            if part not in fields:
                unknown.append(".".join([fact] + parts[:depth + 1]))
                break
    return unknown


def _texts():
    for folder in SEARCHED:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in TEXT_SUFFIXES:
                yield path, path.read_text(encoding="utf-8")


def test_every_plan_and_target_field_the_collection_reads_exists_in_the_typed_results():
    known = known_fields()
    found = {
        str(path.relative_to(ROOT)): unknown for path, unknown in
        ((path, unknown_references(text, known)) for path, text in _texts()) if unknown}
    assert found == {}


def test_the_checker_sees_the_references_of_every_level_it_checks():
    # A pattern that matched nothing would pass the test above without checking anything.
    text = "\n".join(text for dummy, text in _texts())
    references = [match.group(0) for match in REFERENCE.finditer(text)]
    assert len(references) > 50
    for needle in ("message_service_plan.file_copies", "message_service_plan.profile.import_prf",
                   "message_service_plan.profile.settings.prf_path", "message_service_plan.mapisvc_args.service",
                   "message_service_target.mapisvc_paths"):
        assert needle in references, needle


def test_a_misspelt_field_at_any_level_is_caught():
    known = known_fields()
    text = """
      loop: "{{ message_service_plan.copies }}"
      when: message_service_plan.profile.write_prf_file
      path: "{{ message_service_plan.profile.settings.prf_file }}"
      service: "{{ message_service_plan.mapisvc_args.services }}"
      msg: "{{ message_service_target['office_arch'] }} {{ hostvars[host].message_service_target.install_folder }}"
      ok: "{{ message_service_plan.file_copies }} {{ message_service_plan.profile.settings.prf.splitlines() }}"
      action: mapi.messaging.message_service_plan.
      file: plugins/action/message_service_plan.py
      registered: "{{ __message_service_planned.notes }}"
    """
    assert unknown_references(text, known) == [
        "message_service_plan.copies", "message_service_plan.profile.write_prf_file",
        "message_service_plan.profile.settings.prf_file", "message_service_plan.mapisvc_args.services",
        "message_service_target.office_arch", "message_service_target.install_folder"]


def test_the_checked_fields_are_exactly_what_the_plan_action_returns(tmp_path):
    # The action adds plan.profile (with settings) and target.install_dir to the typed results;
    # a real run on a simulated host shows each checked level is what the role gets.
    result, dummy = run_plan_action(make(tmp_path, office="msi64"), name="CONTOSO", display_name="Contoso Connector",
                                    files=[], properties={}, profile={})
    known = known_fields()
    assert result["problems"] == []
    assert set(result["plan"]) == known[("message_service_plan", ())]
    assert set(result["plan"]["profile"]) == known[("message_service_plan", ("profile",))]
    assert set(result["plan"]["profile"]["settings"]) == known[("message_service_plan", ("profile", "settings"))]
    assert set(result["plan"]["mapisvc_args"]) <= known[("message_service_plan", ("mapisvc_args",))]
    assert set(result["target"]) == known[("message_service_target", ())]
