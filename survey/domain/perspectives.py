"""Anonymous perspective surveys of a review: their questionnaire, and their coded results.

A perspective survey is an ordinary wave whose questionnaire is made from a framework file
(`perspective_document`): one choice question per domain (the framework's rating levels,
in the perspective's own answer words), one optional free-text question, no scales, and
no personal result. Its release shows, per domain, how each shown group's answers split
across the rating levels, coded exactly as band breakdowns are (`code_release_bands`), with
"not answered" as a category of its own so every breakdown adds up to the released count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from survey.domain.band_release import BandRelease, code_release_bands
from survey.domain.disclosure import Plan
from survey.domain.framework_model import Framework, Perspective
from survey.domain.groups import Cell, GroupKey, build_structure
from survey.domain.questionnaire_model import Answers, Questionnaire, ReviewSpec

NOT_ANSWERED_LABEL = "Not answered"
FREE_TEXT_ID = "in_your_words"
FREE_TEXT_MAX = 500
STAFF_PAGE_SIZE = 4


def question_id(domain_key: str) -> str:
    """The question id of a domain's rating question (ids take '_' where keys take '-')."""
    return domain_key.replace("-", "_")


def perspective_document(
    framework: Framework, perspective_key: str, *, easy_read: bool = False
) -> dict[str, Any]:
    """The questionnaire document (to dump as YAML) of one perspective of a framework.

    Plain perspectives get one question per page; others a few per page. With `easy_read`
    (a plain perspective only), each question also carries the framework's easy-read words,
    which the respondent can switch to (`in_easy_read`).
    """
    perspective = framework.perspective(perspective_key)
    easy = easy_read and perspective.plain
    levels = list(reversed(framework.rating.levels))  # best first: "Yes, mostly" leads
    context: list[dict[str, Any]] = []
    domains: dict[str, str] = {}
    for domain in framework.domains:
        text = domain.prompts.get(perspective.key) or domain.easy_read.get(perspective.key)
        if not text:
            continue
        qid = question_id(domain.key)
        options = [
            {"value": lv.key, "label": perspective.answers.get(lv.key, lv.label)} for lv in levels
        ]
        question = {"id": qid, "text": text, "kind": "choice", "options": options}
        context.append(question | _easy(easy, domain.easy_read.get(perspective.key)))
        domains[qid] = domain.key
    if not context:
        raise ValueError(f"{framework.key} asks nothing of the {perspective.key} perspective")
    ids = [q["id"] for q in context]
    pages: list[dict[str, Any]]
    if perspective.plain:
        pages = [{"questions": [qid]} for qid in ids]
    else:
        pages = [
            {"title": "About your organisation", "questions": ids[i : i + STAFF_PAGE_SIZE]}
            for i in range(0, len(ids), STAFF_PAGE_SIZE)
        ]
    if perspective.free_text:
        free = {
            "id": FREE_TEXT_ID,
            "text": perspective.free_text,
            "kind": "text",
            "max_length": FREE_TEXT_MAX,
        }
        context.append(free | _easy(easy, perspective.easy_read.get("free_text")))
        pages.append({"title": "In your own words", "questions": [FREE_TEXT_ID]})
    suffix = "-easy-read" if easy else ""
    return {
        "key": f"{framework.key}-{perspective.key.replace('_', '-')}{suffix}",
        "version": framework.version,
        "title": perspective.title or f"{framework.name}: {perspective.label}",
        "description": perspective.intro,
        "minutes": max(2, -(-len(ids) // 3)),
        "language": "en-GB",
        "wording": {"demo": framework.own_wording, "note": framework.wording_note},
        "review": {
            "framework": framework.key,
            "perspective": perspective.key,
            "easy_read": easy,
            "domains": domains,
        },
        "context": context,
        "pages": pages,
    }


def _easy(offered: bool, text: str | None) -> dict[str, str]:
    return {"easy_text": text} if offered and text else {}


@dataclass(frozen=True)
class Wording:
    """What a perspective survey's own pages say around the questions, in one version."""

    easy: bool
    title: str
    intro: str
    why: str
    thanks: str


def wording_of(q: Questionnaire, perspective: Perspective, *, easy: bool) -> Wording:
    """The welcome and thank-you words: easy read where asked for and given, else the usual."""
    words = perspective.easy_read if easy else {}
    return Wording(
        easy=easy,
        title=words.get("title", q.title),
        intro=words.get("intro", q.description),
        why=words.get("why", perspective.why),
        thanks=words.get("thanks", perspective.thanks),
    )


def offers_easy_read(q: Questionnaire) -> bool:
    """Whether a respondent can switch this questionnaire to easy read."""
    return q.review is not None and q.review.easy_read


def in_easy_read(q: Questionnaire, perspective: Perspective) -> Questionnaire:
    """The same questionnaire in its easy-read words.

    Only the words change: question ids, answers and pages are the same, so answers given
    in one version are kept when the person switches to the other.
    """
    if not offers_easy_read(q):
        return q
    context = tuple(replace(c, text=c.easy_text) if c.easy_text else c for c in q.context)
    words = wording_of(q, perspective, easy=True)
    return replace(q, title=words.title, description=words.intro, context=context)


def share_labels(framework: Framework) -> list[str]:
    """The categories of a domain's breakdown: each rating level, then "not answered"."""
    return [lv.label for lv in framework.rating.levels] + [NOT_ANSWERED_LABEL]


def coarse_runs(framework: Framework) -> list[list[int]]:
    """The first coarsening: the lower and upper halves of the levels, "not answered" apart."""
    m = len(framework.rating.levels)
    middle = max(m // 2, 1)
    return [list(range(middle)), list(range(middle, m)), [m]]


class PerspectiveTally:
    """Per cell (organisation, team), how many people gave each domain each rating."""

    def __init__(self, spec: ReviewSpec, level_keys: Sequence[str]) -> None:
        self.spec = spec
        self.levels = {key: i for i, key in enumerate(level_keys)}
        self.cells: dict[Cell, dict[str, list[int]]] = {}

    def add(self, organisation_id: str, team_id: str, answers: Answers) -> None:
        """Count one response (an unknown or missing answer counts as not answered)."""
        cell: Cell = (organisation_id, team_id, ())
        tallies = self.cells.setdefault(
            cell, {key: [0] * (len(self.levels) + 1) for _, key in self.spec.domains}
        )
        for qid, domain in self.spec.domains:
            answer = answers.get(qid)
            index = self.levels.get(answer) if isinstance(answer, str) else None
            tallies[domain][len(self.levels) if index is None else index] += 1

    def cell_counts(self) -> dict[Cell, int]:
        """People per cell (for `plan_release`)."""
        return {cell: sum(next(iter(t.values()))) for cell, t in self.cells.items()}

    def group_counts(self, plan: Plan) -> dict[str, dict[GroupKey, tuple[int, ...]]]:
        """Per domain, each visible group's rating counts (summed over its cells)."""
        structure = build_structure(self.cells)
        found: dict[str, dict[GroupKey, tuple[int, ...]]] = {}
        for _, domain in self.spec.domains:
            per_group: dict[GroupKey, tuple[int, ...]] = {}
            for key in plan.visible:
                vectors = [self.cells[structure.cells[i]][domain] for i in structure.members[key]]
                per_group[key] = tuple(sum(column) for column in zip(*vectors, strict=True))
            found[domain] = per_group
        return found


def code_perspective_release(
    plan: Plan,
    counts: Mapping[str, Mapping[GroupKey, Sequence[int]]],
    framework: Framework,
    history: Mapping[str, Sequence[BandRelease]],
) -> dict[str, BandRelease]:
    """Code each domain's breakdown of every visible group with the band-breakdown rules."""
    labels, coarse = share_labels(framework), coarse_runs(framework)
    return {
        domain: code_release_bands(plan, per_group, labels, history.get(domain, ()), coarse)
        for domain, per_group in counts.items()
    }
