"""Scale templates: the published scoring facts of each instrument Lantern can score.

Facts are taken from /work/shared/INSTRUMENTS.md. No item wording of any published
instrument appears here: items are known by number only. Where no published rule exists
(missing items), the rule is the project's own and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from survey.domain.scale_types import (
    TOTAL,
    Band,
    CriteriaRule,
    ResponseOption,
    ScaleTemplate,
    Subscale,
    TemplateError,
    validate_template,
)

__all__ = [
    "TEMPLATES",
    "TOTAL",
    "Band",
    "CriteriaRule",
    "ResponseOption",
    "ScaleTemplate",
    "Subscale",
    "TemplateError",
    "get_template",
    "validate_template",
    "validate_templates",
]


def _options(*labels: str, start: int) -> tuple[ResponseOption, ...]:
    return tuple(ResponseOption(start + i, label) for i, label in enumerate(labels))


def _proqol_bands() -> tuple[Band, ...]:
    # Same cut scores for each ProQOL subscale: 22 or less low, 23-41 moderate, 42+ high.
    return (
        Band("low", "Low", 10, 22, 0, concern=False),
        Band("moderate", "Moderate", 23, 41, 1, concern=False),
        Band("high", "High", 42, 50, 2, concern=True),
    )


STSS = ScaleTemplate(
    key="stss",
    name="Secondary Traumatic Stress Scale (STSS)",
    citation=(
        "Bride, B. E., Robinson, M. M., Yegidis, B., & Figley, C. R. (2004). Development and "
        "validation of the Secondary Traumatic Stress Scale. Research on Social Work Practice, "
        "14(1), 27-35. Bands: Bride, B. E. (2007). Social Work, 52(1), 63-70 (cited second-hand)."
    ),
    licence=(
        "Copyright Brian E. Bride. No public licence found: treat as permission-required. "
        "Lantern bundles no STSS item wording; the core team imports licensed wording."
    ),
    timeframe="the past 7 days",
    options=_options("Never", "Rarely", "Occasionally", "Often", "Very often", start=1),
    n_items=17,
    subscales=(
        Subscale("intrusion", "Intrusion", (2, 3, 6, 10, 13), max_missing=1),
        Subscale("avoidance", "Avoidance", (1, 5, 7, 9, 12, 14, 17), max_missing=1),
        Subscale("arousal", "Arousal", (4, 8, 11, 15, 16), max_missing=1),
    ),
    has_total=True,
    total_bands=(
        Band("little", "Little or no secondary traumatic stress", 17, 27, 0, concern=False),
        Band("mild", "Mild", 28, 37, 1, concern=False),
        Band("moderate", "Moderate", 38, 43, 2, concern=False),
        Band("high", "High", 44, 48, 3, concern=True),
        Band("severe", "Severe", 49, 85, 4, concern=True),
    ),
    headline=TOTAL,
    missing_rule=(
        "Project rule (no published rule found): each subscale may have at most 1 item "
        "missing (Intrusion 5, Avoidance 7, Arousal 5 items); with 1 missing it is prorated "
        "as the mean of its answered items times its number of items, rounded to 1 decimal "
        "place. The total is scored only when all three subscales are."
    ),
    notes="Bands apply to 1-5 coding only (some studies recode 0-4, total 0-68).",
)

PROQOL5 = ScaleTemplate(
    key="proqol5",
    name="Professional Quality of Life Scale, version 5 (ProQOL 5)",
    citation=(
        "Stamm, B. H. (2010). The Concise ProQOL Manual (2nd ed.). Pocatello, ID: ProQOL.org. "
        "The ProQOL is now held by the Center for Victims of Torture (proqol.org)."
    ),
    licence=(
        "Free to copy and use, including online, with credit to the Center for Victims of "
        "Torture and a link to proqol.org; not to be sold. Changes beyond the helper-word "
        "substitution must be labelled 'adapted from the ProQOL'."
    ),
    timeframe="the past 30 days",
    options=_options("Never", "Rarely", "Sometimes", "Often", "Very often", start=1),
    n_items=30,
    subscales=(
        Subscale(
            "compassion_satisfaction",
            "Compassion satisfaction",
            (3, 6, 12, 16, 18, 20, 22, 24, 27, 30),
            max_missing=2,
            bands=(
                # Low satisfaction is the band worth a conversation on this subscale.
                Band("low", "Low", 10, 22, 0, concern=True),
                Band("moderate", "Moderate", 23, 41, 1, concern=False),
                Band("high", "High", 42, 50, 2, concern=False),
            ),
        ),
        Subscale(
            "burnout",
            "Burnout",
            (1, 4, 8, 10, 15, 17, 19, 21, 26, 29),
            max_missing=2,
            bands=_proqol_bands(),
        ),
        Subscale(
            "sts",
            "Secondary traumatic stress",
            (2, 5, 7, 9, 11, 13, 14, 23, 25, 28),
            max_missing=2,
            bands=_proqol_bands(),
        ),
    ),
    has_total=False,
    total_bands=(),
    headline="sts",
    missing_rule=(
        "Project rule (no published rule found): each subscale may have at most 2 of its 10 "
        "items missing; below that it is prorated as the mean of its answered items (after "
        "reverse keying) times 10, rounded to 1 decimal place. There is no total score."
    ),
    reverse_items=(1, 4, 15, 17, 29),
    reverse_map=((1, 5), (2, 4), (3, 3), (4, 2), (5, 1)),
    notes=(
        "Raw sums per subscale (10-50); the older manual used t-scores. The manual states the "
        "ProQOL is not diagnostic; later studies question the Burnout and STS factor structure."
    ),
)

PCL5 = ScaleTemplate(
    key="pcl5",
    name="PTSD Checklist for DSM-5 (PCL-5)",
    citation=(
        "Weathers, F. W., Litz, B. T., Keane, T. M., Palmieri, P. A., Marx, B. P., & Schnurr, "
        "P. P. (2013). The PTSD Checklist for DSM-5 (PCL-5). National Center for PTSD."
    ),
    licence="A US Government work: public domain.",
    timeframe="the past month",
    options=_options(
        "Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely", start=0
    ),
    n_items=20,
    subscales=(
        Subscale("b", "Intrusion (cluster B)", (1, 2, 3, 4, 5), max_missing=1),
        Subscale("c", "Avoidance (cluster C)", (6, 7), max_missing=0),
        Subscale(
            "d",
            "Negative thoughts and mood (cluster D)",
            (8, 9, 10, 11, 12, 13, 14),
            max_missing=1,
        ),
        Subscale(
            "e", "Arousal and reactivity (cluster E)", (15, 16, 17, 18, 19, 20), max_missing=1
        ),
    ),
    has_total=True,
    total_bands=(
        Band("below", "Below the screening cut-point", 0, 32, 0, concern=False),
        Band("above", "At or above the screening cut-point", 33, 80, 1, concern=True),
    ),
    headline=TOTAL,
    missing_rule=(
        "Project rule (no published rule found): clusters B, D and E may each have at most 1 "
        "item missing and are then prorated as the mean of their answered items times their "
        "number of items, rounded to 1 decimal place; cluster C has only 2 items, so neither "
        "may be missing. The total is scored only when all four clusters are."
    ),
    criteria=CriteriaRule(
        flag="pcl5_provisional_criteria",
        label=(
            "Answers match the provisional DSM-5 symptom pattern (an item rated 2 or more "
            "counts; needs B 1, C 1, D 2, E 2). This is a screening flag, not a diagnosis."
        ),
        threshold=2,
        minimum=(("b", 1), ("c", 1), ("d", 2), ("e", 2)),
    ),
    notes=(
        "Provisional cut-point 31-33; Lantern bands at 33. A change of 5 points is a response "
        "and 10 points is clinically meaningful."
    ),
)

TEMPLATES: Mapping[str, ScaleTemplate] = MappingProxyType(
    {template.key: template for template in (STSS, PROQOL5, PCL5)}
)


def validate_templates(templates: Mapping[str, ScaleTemplate]) -> None:
    """Raise TemplateError unless every template is consistent and filed under its own key."""
    for key, template in templates.items():
        if key != template.key:
            raise TemplateError(f"template {template.key!r} is filed under {key!r}")
        validate_template(template)


def get_template(key: str) -> ScaleTemplate:
    """Return the template with this key, or raise KeyError."""
    return TEMPLATES[key]


# A broken template would mis-score every response silently, so refuse to import instead.
validate_templates(TEMPLATES)
