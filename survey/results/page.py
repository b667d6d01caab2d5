"""What a results page shows, as plain frozen data: the presenter builds it, templates read it."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from survey.results.charts import number
from survey.results.heatmap import Heatmap
from survey.results.trend import Trend


@dataclass(frozen=True)
class Summary:
    """A released summary (n, mean, SD, 95% CI), a small group's range, or hidden."""

    hidden: bool
    n: int | None = None
    mean: float | None = None
    sd: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    low: float | None = None
    high: float | None = None

    @property
    def ranged(self) -> bool:
        """Whether the mean is shown only as the range it lies in (a small group)."""
        return self.low is not None and self.high is not None

    @property
    def mean_text(self) -> str:
        """The mean as shown: '41.3', or 'between 40 and 42' for a small group."""
        if self.ranged:
            return f"between {number(self.low, 1)} and {number(self.high, 1)}"
        return number(self.mean)

    @property
    def ci_text(self) -> str:
        """The interval in words, e.g. '28.1 to 52.0' (none for a small group)."""
        if self.ci_low is None or self.ci_high is None:
            return "not shown for groups this small"
        return f"{number(self.ci_low)} to {number(self.ci_high)}"


@dataclass(frozen=True)
class BandRow:
    """One displayed category of the band breakdown: its label and coded share."""

    label: str
    text: str
    lower: float
    upper: float
    lower_open: bool = False


@dataclass(frozen=True)
class Comparison:
    """The change since the previous round, with words a lead can read at a glance."""

    previous_wave: str
    previous_mean: float | None
    current_mean: float | None
    diff: float | None
    ci_low: float | None
    ci_high: float | None
    hedges_g: float | None
    size_word: str | None
    words: str
    chart: Markup | None


@dataclass(frozen=True)
class LabelledSummary:
    """A row of a table of summaries (a subscale, a subgroup or a group)."""

    label: str
    shown: bool
    summary: Summary | None


@dataclass(frozen=True)
class SubgroupBlock:
    """One attribute's subgroups of a group (e.g. by role), for one scale."""

    heading: str
    rows: list[LabelledSummary]
    chart: Markup | None


@dataclass(frozen=True)
class ItemRow:
    """An item's released mean, with its wording where the wave's version and licence allow."""

    number: int
    text: str
    wording: str = ""
    part: str = ""
    reverse: bool = False


@dataclass(frozen=True)
class PartView:
    """One subscale of a scale: its figures, which way it points, and where it sits."""

    key: str
    label: str
    direction: str
    summary: Summary
    placement: str
    chart: Markup | None


@dataclass(frozen=True)
class ScaleView:
    """Everything shown for one scale of one released group."""

    key: str
    name: str
    score_range: str
    headline: Summary
    headline_chart: Markup | None
    bands: list[BandRow]
    band_chart: Markup | None
    comparison: Comparison | None
    subscales: list[LabelledSummary]
    items: list[ItemRow]
    subgroups: list[SubgroupBlock] = field(default_factory=list)
    direction: str = ""
    placement: str = ""
    headline_label: str = "Total"
    parts: list[PartView] = field(default_factory=list)
    band_legend: list[str] = field(default_factory=list)
    items_note: str = ""
    trend: Trend | None = None


@dataclass(frozen=True)
class Section:
    """One team, organisation or the alliance: its status and, when released, its scales."""

    key: str
    anchor: str
    level: str
    heading: str
    shown: bool
    status: str
    scales: list[ScaleView]
    # Said once when the group's figures are ranges ("shown as ranges because ...").
    precision_note: str = ""
    # Subgroups a release shows although their whole group is hidden: (scale name, blocks).
    hidden_group_subgroups: list[tuple[str, list[SubgroupBlock]]] = field(default_factory=list)
    # The first screen: plain words, then participation and what it means.
    plain_words: list[str] = field(default_factory=list)
    participation: str = ""
    rate_guidance: str = ""
    team_id: int | None = None
    organisation_id: int | None = None


@dataclass(frozen=True)
class Overview:
    """The viewer's groups side by side on one scale."""

    scale_name: str
    rows: list[LabelledSummary]
    chart: Markup | None


@dataclass(frozen=True)
class ReleasePage:
    """What the results page of one release shows to one person."""

    wave_name: str
    questionnaire: str
    sequence: int
    kind: str
    made_on: str
    k: int
    synthetic: bool
    sections: list[Section]
    overviews: list[Overview]
    notes: list[str]
    citations: list[str]
    heatmap: Heatmap | None = None
