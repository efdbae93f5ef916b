# -*- coding: utf-8 -*-
"""The AWX survey specifications of examples/awx, as the job template's survey_spec API takes
them: every multiple-choice question carries a default that is one of its choices (or, for a
multiple selection, newline-separated choices or nothing). AWX's UI cannot show or edit a
multiple-choice question created through the API without one (ansible/awx#13640)."""

from __future__ import annotations

import json
import pathlib

import pytest

SURVEYS = sorted((pathlib.Path(__file__).resolve().parents[2] / "examples" / "awx").glob("*-survey.json"))


def choice_questions():
    for survey in SURVEYS:
        for question in json.loads(survey.read_text(encoding="utf-8"))["spec"]:
            if question["type"] in ("multiplechoice", "multiselect"):
                yield pytest.param(question, id="%s:%s" % (survey.name, question["variable"]))


@pytest.mark.parametrize("question", list(choice_questions()))
def test_every_multiple_choice_question_has_a_default_among_its_choices(question):
    assert "default" in question, "a multiple-choice question without default cannot be edited in AWX's UI"
    choices = question["choices"] if isinstance(question["choices"], list) else question["choices"].split("\n")
    defaults = [value for value in question["default"].split("\n") if value] if question["type"] == "multiselect" \
        else [question["default"]]
    assert set(defaults) <= set(choices), (defaults, choices)


def test_the_surveys_are_found():
    assert [survey.name for survey in SURVEYS] == ["audit-survey.json", "rollout-survey.json"]
