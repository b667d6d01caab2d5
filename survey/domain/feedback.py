"""What a person is told about their own result: plain, calm, never a diagnosis.

Research has found that badly worded screening feedback can lower help-seeking,
so the words live here, in one place, where they can be reviewed and tested.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.domain.questionnaire_model import Scale
from survey.domain.scoring import ScaleResult

# What each template's headline score is about, in everyday words.
TOPICS = {
    "stss": "secondary traumatic stress",
    "proqol5": "secondary traumatic stress",
    "pcl5": "traumatic stress reactions",
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


@dataclass(frozen=True)
class Detail:
    """One subscale line for people who choose to see more."""

    label: str
    score: str
    band: str


@dataclass(frozen=True)
class Feedback:
    """The words shown for one scale's result."""

    heading: str
    paragraphs: tuple[str, ...]
    band_label: str
    level: int
    lead_with_support: bool
    details: tuple[Detail, ...]


def _format(score: float | None) -> str:
    if score is None:
        return "not worked out (too many questions skipped)"
    return f"{score:g}"


def _paragraphs(topic: str, band_label: str, level: int, concern: bool) -> tuple[str, ...]:
    common = (
        "Reactions like these are common among people who hear about other people's trauma "
        "in their work. They are a natural response to difficult work, not a weakness."
    )
    if concern:
        return (
            f"Your answers suggest that {topic} may be weighing on you quite a lot at the moment.",
            common,
            "You deserve support with this, and it can help. The next steps at the top of this "
            "page are a good place to start.",
        )
    if level == 0:
        return (
            f"Your answers are in the lowest band for {topic} on this questionnaire.",
            "That is good to hear. Things can change, so keep an eye on how you are feeling, "
            "and reach out if they do.",
        )
    return (
        f"Your answers suggest some signs of {topic} ({band_label.lower()}).",
        common,
        "Looking after yourself, and talking with people you trust, can help. "
        "If you would like support, the services below are there for you.",
    )


def feedback_for(scale: Scale, result: ScaleResult) -> Feedback:
    """The plain-words feedback for one scored (or unscored) scale."""
    details = tuple(
        Detail(sub.label, _format(sub.score), sub.band.label if sub.band else "")
        for sub in result.subscales
    )
    topic = TOPICS.get(scale.template.key, "stress")
    if not result.scored or result.band is None:
        return Feedback(
            heading=f"About {topic}",
            paragraphs=(
                "You left enough questions blank that we cannot work out a result for this part. "
                "That is completely fine: every question is optional.",
            ),
            band_label="",
            level=0,
            lead_with_support=False,
            details=details,
        )
    band = result.band
    # A symptom-pattern flag (PCL-5's provisional criteria) is never shown as a diagnosis,
    # but it counts towards leading with support, whatever the total's band.
    concern = band.concern or bool(result.flags)
    return Feedback(
        heading=f"About {topic}",
        paragraphs=_paragraphs(topic, band.label, band.level, concern),
        band_label=band.label,
        level=band.level,
        lead_with_support=concern,
        details=details,
    )
