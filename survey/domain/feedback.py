"""What a person is told about their own result: plain, calm, honest, never a diagnosis.

Research has found that badly worded screening feedback can lower help-seeking,
so the words live here, in one place, where they can be reviewed and tested.
The wording follows safe-messaging practice for screening feedback: say it is not
a diagnosis, lead with plain words about what a range means (the published band
name comes second), say that these reactions are common in this work, and always
give routes to support.

Skips never hide distress: when too many questions are left blank to work out a
score, the result says what the answers do prove, from the lowest and highest totals
still possible. If even the lowest possible total reaches a band, the page says
"at least" that band and leads with support exactly as a scored result would.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from survey.domain.questionnaire_model import Answers, Questionnaire, Scale
from survey.domain.scale_types import TOTAL, Band, ScaleTemplate, band_for
from survey.domain.scoring import Exact, exact_scores, score_scale, tenths

# What each template's headline score is about, in everyday words.
TOPICS = {
    "stss": "secondary traumatic stress",
    "proqol5": "secondary traumatic stress",
    "pcl5": "traumatic stress reactions",
}

# Each part (subscale) in plain words, after its published name.
PLAIN_PARTS = {
    "intrusion": "unwanted thoughts, memories or dreams about the work",
    "avoidance": "steering clear of reminders, or feeling numb or far away",
    "arousal": "feeling on edge, jumpy, or finding it hard to sleep or focus",
    "b": "unwanted memories, dreams or upset at reminders",
    "c": "avoiding reminders",
    "d": "changes in mood and in how you see yourself and others",
    "e": "feeling on edge, irritable, or finding it hard to sleep or focus",
    "compassion_satisfaction": "the good feelings you get from helping",
    "burnout": "feeling worn down or overwhelmed by the work",
    "sts": "reactions to hearing about other people's trauma",
}

# What a band's range means, in plain words that do not alarm: (template, band) -> words.
PLAIN_BANDS = {
    ("stss", "little"): "few or no signs of secondary traumatic stress",
    ("stss", "mild"): "some signs of secondary traumatic stress",
    ("stss", "moderate"): "a fair number of signs of secondary traumatic stress",
    ("stss", "high"): "many signs of secondary traumatic stress",
    (
        "stss",
        "severe",
    ): "a lot of signs of secondary traumatic stress, more than most people report",
    ("proqol5", "low"): "few signs of secondary traumatic stress",
    ("proqol5", "moderate"): "some signs of secondary traumatic stress",
    ("proqol5", "high"): "many signs of secondary traumatic stress",
    ("pcl5", "below"): "traumatic stress reactions below the level where a follow-up is suggested",
    ("pcl5", "above"): "traumatic stress reactions at a level where a follow-up is suggested",
}

NOT_A_DIAGNOSIS = (
    "This is a screening questionnaire, not a diagnosis. A higher score means it could be worth "
    "talking to someone; a lower score does not mean you should not ask for support if you want it."
)

NEXT_STEPS = (
    "Talk to someone you trust today: a colleague, a friend, or your manager if that feels right.",
    "Contact one of the support services below. They often hear from people in roles like yours.",
    "If it has been like this for a while, your GP can talk it through with you.",
)

COMMON = (
    "Reactions like these are common among people who hear about other people's trauma "
    "in their work. They are a natural response to difficult work, not a weakness."
)


@dataclass(frozen=True)
class Outcome:
    """What one scale's answers prove, as figures only (no answers), rounded as reported.

    `lowest` and `highest` are the headline scores still possible with every skipped
    item at its lowest and highest value; `score` is None when too many were skipped.
    """

    scale_key: str
    score: float | None
    lowest: float
    highest: float
    parts: tuple[tuple[float | None, float, float], ...]  # per subscale: score, lowest, highest
    flagged: bool
    skipped: int

    def to_list(self) -> list[object]:
        """A compact JSON-friendly form (kept on the person's device after Finish)."""
        return [
            self.scale_key,
            self.score,
            self.lowest,
            self.highest,
            [list(p) for p in self.parts],
            self.flagged,
            self.skipped,
        ]

    @classmethod
    def from_list(cls, data: object) -> Outcome:
        """The outcome written by :meth:`to_list`; ValueError for anything else."""
        if not isinstance(data, list | tuple) or len(data) != 7:
            raise ValueError("not an outcome")
        key, score, lowest, highest, parts, flagged, skipped = data
        if not isinstance(key, str) or not isinstance(parts, list | tuple):
            raise ValueError("not an outcome")
        if not isinstance(flagged, bool) or not isinstance(skipped, int):
            raise ValueError("not an outcome")
        read = []
        for part in parts:
            if not isinstance(part, list | tuple) or len(part) != 3:
                raise ValueError("not an outcome")
            read.append((_maybe_number(part[0]), _number(part[1]), _number(part[2])))
        return cls(
            key,
            _maybe_number(score),
            _number(lowest),
            _number(highest),
            tuple(read),
            flagged,
            skipped,
        )


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("not an outcome")
    return float(value)


def _maybe_number(value: object) -> float | None:
    return None if value is None else _number(value)


def _filled(template: ScaleTemplate, values: Mapping[int, int], high: bool) -> dict[int, int]:
    """`values` with every skipped item at the value that makes its keyed score lowest/highest."""
    filled = dict(values)
    for item in template.item_numbers:
        if item not in filled:
            ranked = sorted(template.values, key=partial(template.keyed_value, item))
            filled[item] = ranked[-1] if high else ranked[0]
    return filled


def _rounded(score: Exact | None) -> float:
    """A bound as reported (1 decimal place); bounds always exist (nothing is missing)."""
    if score is None:
        raise ValueError("a bound with every item filled in cannot be missing")
    return tenths(score) / 10


def outcome_of(scale: Scale, values: Mapping[int, int]) -> Outcome:
    """What the answers (item number -> value, skipped items absent) prove about one scale."""
    template = scale.template
    result = score_scale(template, values, scale.key)
    low_values = _filled(template, values, high=False)
    low = exact_scores(template, low_values)
    high = exact_scores(template, _filled(template, values, high=True))
    parts = tuple(
        (sub.score, _rounded(low.subscales[sub.key]), _rounded(high.subscales[sub.key]))
        for sub in result.subscales
    )
    return Outcome(
        scale.key,
        result.total if template.headline == TOTAL else result.subscale(template.headline).score,
        _rounded(low.headline(template)),
        _rounded(high.headline(template)),
        parts,
        # A symptom pattern proved by the answers alone (blanks at their lowest never count).
        bool(score_scale(template, low_values).flags),
        result.missing,
    )


def outcomes(q: Questionnaire, answers: Answers) -> tuple[Outcome, ...]:
    """The outcome of every scale of a questionnaire, from typed answers."""
    found = []
    for scale in q.scales:
        values = {
            item.number: value
            for item in scale.items
            if isinstance(value := answers.get(item.id), int)
        }
        found.append(outcome_of(scale, values))
    return tuple(found)


def skips_note(scale: Scale) -> str:
    """How many questions per part can be left blank and still give a result, in one line."""
    template = scale.template
    allowed = {sub.max_missing for sub in template.subscales}
    if allowed == {0}:
        return "You can leave any question blank. Your result then shows a range."
    if len(allowed) == 1:
        (n,) = allowed
        per_part = f"up to {n} question{'s' if n > 1 else ''} in each part"
    else:
        per_part = "up to " + ", ".join(
            f"{sub.max_missing or 'none'} in “{sub.label}”" for sub in template.subscales
        )
    return (
        f"You can leave any question blank. If you leave {per_part} blank, we can still work "
        "out your result; with more, we show what your answers point to."
    )


@dataclass(frozen=True)
class Detail:
    """One line of the detail table for people who choose to see more."""

    label: str
    explanation: str
    score: str
    band: str


@dataclass(frozen=True)
class Feedback:
    """The words shown for one scale's result."""

    heading: str
    summary: str  # one paragraph, shown first
    paragraphs: tuple[str, ...]
    band_note: str  # the published band name, secondary
    band_label: str
    level: int
    lead_with_support: bool
    details: tuple[Detail, ...]


def _plain(template: ScaleTemplate, band: Band) -> str:
    return PLAIN_BANDS.get((template.key, band.key), band.label.lower())


def _out_of(score: float | None, lowest: float, highest: float, top: int) -> str:
    if score is not None:
        return f"{score:g} out of {top}"
    if lowest == highest:
        return f"{lowest:g} out of {top}"
    return f"between {lowest:g} and {highest:g} out of {top} (some left blank)"


def _details(scale: Scale, outcome: Outcome, band: Band | None) -> tuple[Detail, ...]:
    template = scale.template
    rows = []
    top_value = max(template.values)
    for sub, (score, lowest, highest) in zip(template.subscales, outcome.parts, strict=True):
        sub_band = band_for(sub.bands, score) if score is not None and sub.bands else None
        rows.append(
            Detail(
                sub.label,
                PLAIN_PARTS.get(sub.key, ""),
                _out_of(score, lowest, highest, sub.n_items * top_value),
                sub_band.label if sub_band else "",
            )
        )
    if template.has_total:
        rows.append(
            Detail(
                "Total",
                "all the parts added up",
                _out_of(
                    outcome.score, outcome.lowest, outcome.highest, template.n_items * top_value
                ),
                band.label if band else "",
            )
        )
    return tuple(rows)


def feedback_for(scale: Scale, outcome: Outcome) -> Feedback:
    """The plain-words feedback for one scale's outcome (scored, or a range from skips)."""
    template = scale.template
    bands = template.headline_bands()
    topic = TOPICS.get(template.key, "stress")
    heading = f"About {topic}"
    if outcome.score is not None:
        band = band_for(bands, outcome.score)
        at_least = False
    else:
        low_band = band_for(bands, outcome.lowest)
        high_band = band_for(bands, outcome.highest)
        band = low_band if low_band == high_band or (low_band and low_band.level > 0) else None
        at_least = band is not None and band != high_band
    if band is None:
        low_band, high_band = band_for(bands, outcome.lowest), band_for(bands, outcome.highest)
        lowest = _plain(template, low_band) if low_band else "the lowest range"
        highest = _plain(template, high_band) if high_band else topic
        return Feedback(
            heading=heading,
            summary=(
                "You left enough questions blank that we cannot work out a single result for "
                "this part. That is completely fine: every question is optional."
            ),
            paragraphs=(
                "From the questions you did answer, your result could be anywhere from "
                f"{lowest} to {highest}.",
                COMMON,
            ),
            band_note="",
            band_label="",
            level=0,
            lead_with_support=outcome.flagged,
            details=_details(scale, outcome, None),
        )
    concern = band.concern or outcome.flagged
    plain = _plain(template, band)
    if outcome.score is None:
        summary = (
            "You left some questions blank, so we cannot work out an exact score. Even "
            "counting every blank one at its lowest, your answers show "
            f"{'at least ' if at_least else ''}{plain}."
        )
    else:
        summary = f"Your answers show {plain}."
    if concern:
        rest: tuple[str, ...] = (
            f"This suggests {topic} may be weighing on you quite a lot at the moment.",
            COMMON,
            "You deserve support with this, and it can help. The next steps below are a good "
            "place to start.",
        )
    elif band.level == 0:
        rest = (
            "That is good to hear. Things can change, so keep an eye on how you are feeling, "
            "and reach out if they do.",
        )
    else:
        rest = (
            COMMON,
            "Looking after yourself, and talking with people you trust, can help. "
            "If you would like support, the services below are there for you.",
        )
    n_items = (
        template.n_items
        if template.headline == TOTAL
        else template.subscale(template.headline).n_items
    )
    top = n_items * max(template.values)
    words = "at least the range" if at_least else "this range"
    note = (
        f"The questionnaire's authors call {words} “{band.label.lower()}” "
        f"({band.low} to {band.high} out of {top})."
    )
    return Feedback(
        heading=heading,
        summary=summary,
        paragraphs=rest,
        band_note=note,
        band_label=band.label,
        level=band.level,
        lead_with_support=concern,
        details=_details(scale, outcome, band),
    )
