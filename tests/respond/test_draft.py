"""The sealed cookie that holds unfinished answers: small, unreadable, bound to its link."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from survey.domain.feedback import outcomes
from survey.domain.questionnaire import load_questionnaire_file
from survey.domain.questionnaire_model import Page, Scale, ScaleItem
from survey.domain.templates import PCL5, PROQOL5, STSS
from survey.respond import draft

DEMO = load_questionnaire_file(Path(__file__).parents[2] / "questionnaires" / "demo-sts.yaml")
SECRET, TOKEN = "s" * 64, "T" * 22
COOKIE_LIMIT = 4096 - len(draft.COOKIE) - 1  # browsers keep name=value up to 4,096 bytes
_DRAW = random.Random(5)  # noqa: S311  (fixed test data, not a secret)
TEXTS = {
    "outside the BMP": "".join(chr(c) for c in _DRAW.choices(range(0x1F300, 0x2FFFF), k=500)),
    "control characters": "\x01" * 500,  # six bytes each in JSON
    "a mix": "".join(
        _DRAW.choice([chr(_DRAW.randrange(1, 31)), chr(_DRAW.randrange(0x1F300, 0x2FFFF)), '"'])
        for _ in range(500)
    ),
}
FULL: dict[str, int | str] = {item.id: 5 for item in DEMO.scales[0].items} | {
    "role_group": "prefer_not_to_say",
    "years_in_role": "2_to_5",
}


def _scale(key: str, template: object) -> Scale:
    n = template.n_items  # type: ignore[attr-defined]
    items = tuple(ScaleItem(f"{key}.{i}", key, i, "demo wording") for i in range(1, n + 1))
    return Scale(key, template, "", items)  # type: ignore[arg-type]


# The longest questionnaire the templates allow today: STSS, PCL-5 and ProQOL 5 together.
LONGEST = replace(
    DEMO,
    scales=(_scale("stss", STSS), _scale("pcl5", PCL5), _scale("proqol5", PROQOL5)),
    pages=(Page("", (*(f"stss.{n}" for n in range(1, 18)), "anything_else")),),
)


def _value(q: object, answers: dict[str, int | str]) -> str:
    return draft.encode(q, draft.Draft(1, "n" * 22, 2, "", answers), SECRET, TOKEN)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", list(TEXTS))
def test_the_longest_answers_fit_one_cookie_and_come_back_whole(name: str) -> None:
    for q, chosen in (
        (DEMO, FULL),
        (LONGEST, {i.id: 4 for s in LONGEST.scales for i in s.items} | FULL),
    ):
        answers = chosen | {"anything_else": TEXTS[name]}
        value = _value(q, answers)
        assert len(value) < COOKIE_LIMIT, (name, len(value))
        back = draft.decode(q, value, SECRET, TOKEN, 1)
        assert back is not None and back.answers == q.parse_answers(
            {k: str(v) for k, v in answers.items()}
        )


def test_every_choice_pattern_gives_one_cookie_length() -> None:
    lengths = {
        len(_value(DEMO, {})),
        len(_value(DEMO, FULL)),
        len(_value(DEMO, {"stss.3": 1, "role_group": "clinical"})),
    }
    finished = draft.Draft(1, "", result=outcomes(DEMO, FULL))
    lengths.add(len(draft.encode(DEMO, finished, SECRET, TOKEN)))
    assert len(lengths) == 1


def test_a_cookie_opens_only_for_its_own_link_and_secret_and_unchanged() -> None:
    value = _value(DEMO, FULL)
    assert "stss" not in value and "prefer" not in value
    assert draft.decode(DEMO, value, SECRET, TOKEN, 1) is not None
    assert draft.decode(DEMO, value, SECRET, "U" * 22, 1) is None  # another link's path
    assert draft.decode(DEMO, value, "t" * 64, TOKEN, 1) is None  # another secret
    assert draft.decode(DEMO, value, SECRET, TOKEN, 2) is None  # another link id
    flipped = value[:40] + ("A" if value[40] != "A" else "B") + value[41:]
    assert draft.decode(DEMO, flipped, SECRET, TOKEN, 1) is None
    assert draft.decode(DEMO, "not a cookie", SECRET, TOKEN, 1) is None
