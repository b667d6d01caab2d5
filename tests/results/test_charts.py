"""Server-side SVG charts: accessible names, geometry from the figures, escaped text."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from survey.results.charts import (
    BandBar,
    Whisker,
    band_chart,
    nice_ticks,
    number,
    whisker_chart,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ElementTree.Element:
    # Markup this code drew itself, so no untrusted XML is parsed here.
    return ElementTree.fromstring(markup)  # noqa: S314


def test_band_bars_span_the_coded_range_not_a_point() -> None:
    chart = band_chart(
        "Bands, Team",
        [BandBar("Mild", "20–40%", 20, 40), BandBar("Severe", "more than 80%", 80, 100)],
    )
    root = parse(chart)
    assert root.get("role") == "img"
    assert root.get("aria-label") == (
        "Bands, Team. Mild: 20–40%; Severe: more than 80%. "
        "Each share is a range; ranges never add up to 100%."
    )
    assert root.find(f"{SVG}title").text == root.get("aria-label")  # type: ignore[union-attr]
    spans = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "interval"]
    # The plot spans 2%..98% of the width: 20% sits at 2 + 0.96*20 = 21.2%, and a span from
    # 20 to 40 is 0.96*20 = 19.2% wide; 80..100 starts at 2 + 76.8 = 78.8%.
    assert [(b.get("x"), b.get("width")) for b in spans] == [
        ("21.2%", "19.2%"),
        ("78.8%", "19.2%"),
    ]
    # An interval, not a bar from 0: each range has a cap at both of its ends, none at 0.
    caps = [ln.get("x1") for ln in root.iter(f"{SVG}line") if ln.get("stroke-width") == "3"]
    assert caps == ["21.2%", "40.4%", "78.8%", "98.0%"]
    texts = [(t.text, t.get("x"), t.get("text-anchor")) for t in root.iter(f"{SVG}text")]
    # Each label on the left, its share at the right end of the same line.
    assert texts[:4] == [
        ("Mild", "2.0%", "start"),
        ("20–40%", "98.0%", "end"),
        ("Severe", "2.0%", "start"),
        ("more than 80%", "98.0%", "end"),
    ]
    assert [t[0] for t in texts[-5:]] == ["0%", "25%", "50%", "75%", "100%"]


def test_whiskers_place_mean_and_interval_on_the_scale() -> None:
    chart = whisker_chart("Score", [Whisker("Team", 51.0, 34.0, 68.0)], (17, 85))
    root = parse(chart)
    # On 17..85: 51 is halfway, so 2 + 48 = 50%; 34 is a quarter: 2 + 24 = 26%; 68 is 74%.
    (dot,) = root.iter(f"{SVG}circle")
    assert dot.get("cx") == "50.0%"
    whisker = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke-width") == "3"]
    assert (whisker[0].get("x1"), whisker[0].get("x2")) == ("26.0%", "74.0%")
    assert "Team: mean 51.0 (95% confidence interval 34.0 to 68.0)" in (
        root.get("aria-label") or ""
    )


def test_a_small_group_s_range_is_an_interval_without_a_dot() -> None:
    root = parse(whisker_chart("Score", [Whisker("Team", 41.0, 40.0, 42.0, ranged=True)], (17, 85)))
    assert list(root.iter(f"{SVG}circle")) == []
    (span,) = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "interval"]
    assert (span.get("x"), span.get("width")) == ("34.47%", "2.82%")
    caps = [ln.get("x1") for ln in root.iter(f"{SVG}line") if ln.get("stroke-width") == "3"]
    assert caps == ["34.47%", "37.29%"]
    assert "Team: mean between 40.0 and 42.0 (a small group: shown as a range)" in (
        root.get("aria-label") or ""
    )


def test_values_outside_the_axis_are_clamped_to_the_plot() -> None:
    root = parse(whisker_chart("Score", [Whisker("T", 20.0, 10.0, 95.0)], (17, 85)))
    whisker = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke-width") == "3"]
    assert (whisker[0].get("x1"), whisker[0].get("x2")) == ("2.0%", "98.0%")
    # The words still give the true interval.
    assert "10.0 to 95.0" in (root.get("aria-label") or "")


def test_a_reference_line_is_drawn_when_asked() -> None:
    root = parse(whisker_chart("Change", [Whisker("T", -2.0, -5.0, 1.0)], (-10, 10), reference=0))
    dashed = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke-dasharray") == "6 4"]
    assert [ln.get("x1") for ln in dashed] == ["50.0%"]
    assert "mean −2.0" in (root.get("aria-label") or "")


def test_text_is_escaped() -> None:
    evil = '<script>alert("x")</script> & "quotes"'
    chart = str(band_chart(evil, [BandBar(evil, "20–40%", 20, 40)]))
    assert "<script>" not in chart
    parse(chart)  # still well-formed
    chart = str(whisker_chart(evil, [Whisker(evil, 30.0)], (17, 85)))
    assert "<script>" not in chart
    parse(chart)


def test_long_labels_are_shortened_in_the_drawing_only() -> None:
    label = "An organisation with a very long name indeed: and a long team name too"
    root = parse(whisker_chart("Score", [Whisker(label, 30.0)], (17, 85)))
    first = next(root.iter(f"{SVG}text")).text or ""
    assert first.endswith("…") and len(first) == 40
    assert label in (root.get("aria-label") or "")
    # A band's share is never the part cut off: the label gives way to it.
    band = "Little or no secondary traumatic stress at all, by a long way"
    root = parse(band_chart("Bands", [BandBar(band, "more than 80%", 80, 100)]))
    name, share = [t.text or "" for t in root.iter(f"{SVG}text")][:2]
    assert share == "more than 80%" and name.endswith("…")
    assert len(name) + len(share) + 2 == 40


def test_charts_use_no_inline_styles_the_csp_would_block() -> None:
    chart = str(whisker_chart("S", [Whisker("T", 30.0, 25.0, 35.0, 29.0)], (17, 85)))
    chart += str(band_chart("B", [BandBar("Mild", "20–40%", 20, 40)]))
    assert "style=" not in chart and "<style" not in chart and "<script" not in chart
    assert not re.search(r"\bon[a-z]+=", chart)


def test_nice_ticks_and_numbers() -> None:
    # Range 68 over 4 gaps is 17, rounded up to a step of 20.
    assert nice_ticks(17, 85) == [20, 40, 60, 80]
    # Range 100 over 4 gaps is 25, rounded up to 50 (steps are 1, 2 or 5 times a power of 10).
    assert nice_ticks(0, 100) == [0, 50, 100]
    assert nice_ticks(0, 40) == [0, 10, 20, 30, 40]
    assert nice_ticks(-10, 10) == [-10, -5, 0, 5, 10]
    assert nice_ticks(5, 5) == [5]
    assert number(None) == "–" and number(-1.25, 2) == "−1.25" and number(3) == "3.0"


def test_published_bands_are_shaded_behind_the_mean() -> None:
    from survey.results.charts import BandSpan

    bands = [BandSpan("Low", 10, 22, "#eef3ea"), BandSpan("Moderate", 23, 41, "#f6f1dc")]
    root = parse(whisker_chart("Score", [Whisker("Team", 30.0, 28.0, 32.0)], (10, 50), bands=bands))
    shaded = [(r.get("x"), r.get("fill")) for r in root.iter(f"{SVG}rect")]
    # 10 is the start (2%); 23 is 13/40 of the way: 2 + 96*0.325 = 33.2%.
    assert shaded == [("2.0%", "#eef3ea"), ("33.2%", "#f6f1dc")]
    assert "Bands: Low 10 to 22; Moderate 23 to 41" in (root.get("aria-label") or "")
