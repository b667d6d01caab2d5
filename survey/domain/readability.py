"""Reading age of plain wording: the Flesch-Kincaid grade, and the age it stands for.

Used by the tests to keep service-user wording plain (aim: a reading age of 9 to 11).
The syllable count is the usual vowel-group rule with the common English corrections
(a silent final "e", "-le", "-ed" and "-es" endings); it is an estimate, as every
readability formula is, good enough to notice wording drifting towards jargon.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
# US grade 1 is about age 6: the reading age is the grade plus 5.
GRADE_TO_AGE = 5


def syllables(word: str) -> int:
    """An estimate of the syllables in one English word (at least 1)."""
    w = word.lower().split("'")[0]
    if len(w) <= 3:
        return 1
    count = len(_VOWEL_GROUP.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")):
        count -= 1  # a silent final e: "safe", "have"
    elif w.endswith(("ed", "es")) and not w.endswith(("ted", "ded", "ses", "ces", "zes", "ges")):
        count -= 1  # "helped", "comes"
    return max(count, 1)


def flesch_kincaid_grade(text: str) -> float:
    """The Flesch-Kincaid grade level of a text (0.39 w/s + 11.8 syl/w - 15.59)."""
    words = _WORD.findall(text)
    if not words:
        raise ValueError("no words to measure")
    sentences = max(len(_SENTENCE_END.findall(text.strip())), 1)
    per_sentence = len(words) / sentences
    per_word = sum(syllables(w) for w in words) / len(words)
    return 0.39 * per_sentence + 11.8 * per_word - 15.59


def reading_age(text: str) -> float:
    """The reading age (years) the Flesch-Kincaid grade stands for."""
    return flesch_kincaid_grade(text) + GRADE_TO_AGE
