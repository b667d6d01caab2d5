"""Storing questionnaires: identical files are reused, changed ones become the next version."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from survey.services.questionnaires import definition, store_questionnaire

DEMO = (Path(__file__).parents[1] / "questionnaires" / "demo-sts.yaml").read_text()


def test_same_file_twice_is_one_version(app: Flask) -> None:
    first = store_questionnaire(DEMO, "demo-sts.yaml")
    again = store_questionnaire(DEMO, "demo-sts.yaml")
    assert first.id == again.id and first.version == 1


def test_a_changed_file_becomes_the_next_version_and_says_so(app: Flask) -> None:
    first = store_questionnaire(DEMO, "demo-sts.yaml")
    changed = DEMO.replace("minutes: 4", "minutes: 5")
    assert changed != DEMO, "the demo file should state its minutes as 4"
    second = store_questionnaire(changed, "demo-sts.yaml")
    assert (first.version, second.version) == (1, 2)
    # The stored source (what a download gives) carries its real version number.
    assert "\nversion: 2\n" in second.source
    assert definition(second).version == 2
    assert definition(first).minutes == 4 and definition(second).minutes == 5
