"""Property-based fuzzing of the YAML loaders: any text gives a questionnaire or one clear error.

Every input, however hostile (alias chains, deep nesting, tags, huge scalars, broken
syntax, the demo file cut or spliced), must end in a Questionnaire (or wording) or a
QuestionnaireError whose message is short, within a time and memory bound per input.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from survey.domain.questionnaire import QuestionnaireError, load_questionnaire
from survey.domain.templates import TEMPLATES
from survey.services.wording import read_wording

DEMO = (Path(__file__).resolve().parents[2] / "questionnaires" / "demo-sts.yaml").read_text()
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Generous for a shared, loaded machine; an alias bomb or deep recursion takes minutes.
SECONDS = 5.0
MEGABYTES = 24
MAX_PROBLEMS = 200  # a 17-item scale, each item wrong, with every other field wrong too
MESSAGE_LIMIT = 600

# Pieces that make YAML parsers work hard or go wrong.
hostile = st.sampled_from(
    [
        "&a [x, x, x, x, x, x, x, x, x, x]",
        "[*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
        "&b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
        "[*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
        "*nowhere",
        "&c [*c]",
        "!!python/object/apply:os.system ['true']",
        "!!binary AAAA",
        "!!timestamp 2026-13-45",
        "!!float nan",
        "[" * 400,
        "{" * 400,
        "- " * 200,
        "9" * 5000,
        "'" + "x" * 20_000 + "'",
        "? [a]\n: b",
        "<<: *a",
        "\x00",
        "\ufeff",
        "%YAML 1.1\n---",
        "---\n...\n---",
        "\t",
    ]
)
yaml_alphabet = st.sampled_from(list("[]{}&*:,-!|>'\"\n #%@?<=~.0123456789abc\t\\"))
fragments = st.one_of(hostile, st.text(yaml_alphabet, max_size=80))


@st.composite
def spliced_demo(draw: st.DrawFn) -> str:
    """The demo file with hostile fragments spliced in at chosen places, or cut short."""
    text = DEMO
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(fragments) + text[at:]
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    return text


@st.composite
def field_values(draw: st.DrawFn) -> str:
    """The demo file with one real field's value replaced by something hostile."""
    field = draw(st.sampled_from(["minutes: 4", "version: 1", "key: demo-sts", "language: en-GB"]))
    name = field.split(":")[0]
    return DEMO.replace(field, f"{name}: {draw(fragments)}")


documents = st.one_of(spliced_demo(), field_values(), st.text(yaml_alphabet, max_size=400))


def bounded(call: Callable[[], object]) -> None:
    """Run one loader call: a result or a short QuestionnaireError, within time and memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        call()
    except QuestionnaireError as error:
        # Every problem of a file is reported at once; each is short, and so is the list.
        assert 1 <= len(error.problems) <= MAX_PROBLEMS, len(error.problems)
        for problem in error.problems:
            assert len(str(problem)) < MESSAGE_LIMIT, str(problem)[:300]
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < SECONDS, f"took {elapsed:.2f} s"
    assert peak < MEGABYTES * 2**20, f"peaked at {peak / 2**20:.0f} MB"


@FUZZ
@given(text=documents)
def test_any_questionnaire_text_loads_or_gives_one_short_error(text: str) -> None:
    bounded(lambda: load_questionnaire(text, "fuzz.yaml"))


@FUZZ
@given(text=st.one_of(documents, st.lists(fragments, max_size=20).map("\n".join)))
# Found by this test on PostgreSQL CI: an explicit tag PyYAML's constructor trips over.
@example(text="!!timestamp 2026-13-45\n&a [x, x, x, x, x, x, x, x, x, x]")
def test_any_wording_file_reads_or_gives_one_short_error(text: str) -> None:
    template = TEMPLATES["stss"]
    bounded(lambda: read_wording(text.encode("utf-8", "surrogatepass"), "w.yaml", template))


@pytest.mark.parametrize("name", ["w.yaml", "w.csv"])
@FUZZ
@given(data=st.binary(max_size=300))
def test_any_bytes_as_a_wording_file_give_one_short_error(name: str, data: bytes) -> None:
    bounded(lambda: read_wording(data, name, TEMPLATES["stss"]))
