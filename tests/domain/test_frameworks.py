"""Review frameworks as data: Roots loads from its file, another framework's shape needs no code."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.domain.frameworks import (
    NOT_DISCUSSED,
    FrameworkError,
    domain_mean,
    load_framework,
    load_framework_file,
)

ROOT = Path(__file__).resolve().parents[2]
ROOTS = ROOT / "frameworks" / "roots.yaml"

# The shape of the STSI-OA (six domains, 40 items rated 1-5 with "not applicable", domain
# means, all staff anonymously). Items by number only: its wording is by request only.
SECOND = """
key: organisational-assessment
version: 1
name: An organisational self-assessment (shape only)
citation: Shape only, for the test of a second framework.
licence: By request only; no wording bundled.
wording: {own: true}
method: survey
cycle_months: 12
summary: domain_mean
rating: {kind: scale, low: 1, high: 5, not_applicable: true}
perspectives:
  - {key: staff, label: All staff}
domains:
  - {key: resilience-training, name: Domain 1, items: 7}
  - {key: safety, name: Domain 2, items: 7}
  - {key: policies, name: Domain 3, items: 7}
  - {key: leadership, name: Domain 4, items: 7}
  - {key: routine-practices, name: Domain 5, items: 6}
  - {key: evaluation, name: Domain 6, items: 6}
"""


def test_roots_carries_the_published_structure() -> None:
    roots = load_framework_file(ROOTS)
    assert [d.name for d in roots.domains] == [
        "Safety",
        "Language",
        "Social",
        "Trauma-specific Interventions",
        "Empowerment",
        "Whole System",
        "Compassionate Leadership",
    ]
    assert roots.rating.kind == "levels"
    assert roots.rating.keys == ("red", "amber", "green")
    assert roots.agreed_choices == ("red", "amber", "green", NOT_DISCUSSED)
    assert [p.key for p in roots.perspectives] == ["staff", "service_user"]
    assert roots.perspective("service_user").plain
    assert "Thirkle" in roots.citation and "medRxiv" in roots.citation
    assert roots.own_wording and roots.method == "discussion" and roots.cycle_months == 12
    # Every domain can be asked from both perspectives, and has an easy-read service-user form.
    for domain in roots.domains:
        assert set(domain.prompts) == {"staff", "service_user"}
        assert set(domain.easy_read) == {"service_user"}
        assert set(domain.descriptors) == {"red", "amber", "green"}


def test_a_second_framework_of_another_shape_is_data_only() -> None:
    framework = load_framework(SECOND, "second.yaml")
    assert len(framework.domains) == 6
    assert sum(d.items for d in framework.domains) == 40
    assert framework.rating.keys == ("1", "2", "3", "4", "5")
    assert framework.rating.not_applicable and framework.summary == "domain_mean"
    # Not applicable (None) and skipped items leave the mean.
    assert domain_mean(framework, {1: 4, 2: None, 3: 2, 4: 3}) == 3.0
    assert domain_mean(framework, {1: None}) is None
    with pytest.raises(ValueError, match="outside"):
        domain_mean(framework, {1: 6})
    roots = load_framework_file(ROOTS)
    with pytest.raises(ValueError, match="by level"):
        domain_mean(roots, {1: 1})


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        (("method: survey", "method: vote"), "method", "expected one of discussion, survey"),
        (("kind: scale", "kind: stars"), "rating.kind", "levels, scale"),
        (("summary: domain_mean", "summary: agreed\nscoring: x"), "scoring", "scale template"),
        (
            ("name: Domain 2, items: 7", "name: Domain 2, items: 0"),
            "domains[1].items",
            "domain_mean",
        ),
        (("key: safety,", "key: policies,"), "domains[2].key", "used twice"),
        (("key: staff,", "key: Staff,"), "perspectives[0].key", "not valid"),
        (
            (
                "{key: evaluation, name: Domain 6, items: 6}",
                "{key: evaluation, name: D, items: 6, prompts: {public: Hi}}",
            ),
            "domains[5].prompts.public",
            "not a perspective",
        ),
        (("cycle_months: 12", "cycle_months: 0"), "cycle_months", "whole number from 1 to 60"),
        (
            ("licence: By request only; no wording bundled.\n", ""),
            "licence",
            "required field is missing",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_the_file_and_field(
    change: tuple[str, str], field: str, says: str
) -> None:
    old, new = change
    assert old in SECOND
    with pytest.raises(FrameworkError) as raised:
        load_framework(SECOND.replace(old, new, 1), "second.yaml")
    assert raised.value.source == "second.yaml"
    assert raised.value.path == field
    assert says in raised.value.message


def test_descriptors_must_name_a_rating_level_and_easy_read_a_plain_perspective() -> None:
    text = ROOTS.read_text(encoding="utf-8")
    with pytest.raises(FrameworkError) as raised:
        load_framework(
            text.replace("      amber: Some teams plan", "      yellow: Some teams plan"),
            "roots.yaml",
        )
    assert raised.value.path == "domains[0].descriptors.yellow"
    with pytest.raises(FrameworkError) as raised:
        load_framework(
            text.replace(
                "    easy_read:\n      service_user: Do you feel safe here?",
                "    easy_read:\n      staff: Safe?",
            ),
            "roots.yaml",
        )
    assert raised.value.path == "domains[0].easy_read.staff"
    # A perspective's own easy-read words: known texts only, and only when it is plain.
    with pytest.raises(FrameworkError) as raised:
        load_framework(
            text.replace("      free_text: Do you want", "      footer: Do you want"), "roots.yaml"
        )
    assert raised.value.path == "perspectives[1].easy_read.footer"
    assert "title, intro, why, free_text, thanks" in raised.value.message
    staff_easy = "    answers:\n      red: Not yet in place"
    assert staff_easy in text
    with pytest.raises(FrameworkError) as raised:
        load_framework(
            text.replace(staff_easy, "    easy_read: {why: Simple.}\n" + staff_easy, 1),
            "roots.yaml",
        )
    assert raised.value.path == "perspectives[0].easy_read"
    assert "plain perspectives only" in raised.value.message


def test_yaml_errors_are_framework_errors_with_a_line() -> None:
    with pytest.raises(FrameworkError) as raised:
        load_framework("key: [roots\n", "broken.yaml")
    assert raised.value.source == "broken.yaml" and raised.value.path.startswith("line ")
