"""Reading age of plain wording, and the service-user wording of every framework file."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.domain.frameworks import load_framework_file
from survey.domain.readability import flesch_kincaid_grade, reading_age, syllables

FRAMEWORKS = sorted((Path(__file__).resolve().parents[2] / "frameworks").glob("*.yaml"))
# Aim: a reading age of 9 to 11 for people who use the services; easy-read plainer still.
SERVICE_USER_MAX_AGE = 11
EASY_READ_MAX_AGE = 9


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("cat", 1),
        ("safe", 1),
        ("people", 2),
        ("helped", 1),
        ("wanted", 2),
        ("trauma", 2),
        ("compassionate", 4),
        ("interventions", 4),
        ("beautiful", 3),
    ],
)
def test_syllables(word: str, count: int) -> None:
    assert syllables(word) == count


def test_the_flesch_kincaid_formula() -> None:
    # 6 words, 1 sentence, 6 syllables: 0.39 * 6 + 11.8 * 1 - 15.59.
    assert flesch_kincaid_grade("The cat sat on the mat.") == pytest.approx(-1.45)
    # 2 sentences of 4 words, 11 syllables.
    assert flesch_kincaid_grade("Staff listen to you. People help each other.") == pytest.approx(
        0.39 * 4 + 11.8 * 11 / 8 - 15.59
    )
    long = (
        "Organisational responsiveness necessitates comprehensive consideration of "
        "interdisciplinary accountability mechanisms."
    )
    assert reading_age(long) > 20
    with pytest.raises(ValueError):
        flesch_kincaid_grade("  ")


@pytest.mark.parametrize("path", FRAMEWORKS, ids=lambda p: p.name)
def test_service_user_wording_reads_at_age_11_or_under(path: Path) -> None:
    framework = load_framework_file(path)
    plain = [p for p in framework.perspectives if p.plain]
    for perspective in plain:
        texts = [perspective.intro, perspective.why, perspective.free_text, perspective.thanks]
        # Answer labels are not sentences (the formula means nothing for one word): short instead.
        for label in perspective.answers.values():
            assert len(label.split()) <= 3, label
        texts += [
            d.prompts[perspective.key] for d in framework.domains if perspective.key in d.prompts
        ]
        for text in filter(None, texts):
            assert reading_age(text) <= SERVICE_USER_MAX_AGE, text
        for domain in framework.domains:
            easy = domain.easy_read.get(perspective.key)
            if easy:
                assert reading_age(easy) <= EASY_READ_MAX_AGE, easy
        for name, easy in perspective.easy_read.items():
            assert reading_age(easy) <= EASY_READ_MAX_AGE, (name, easy)
