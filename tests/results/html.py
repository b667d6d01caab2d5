"""Reading the structure of rendered results pages: headings, charts, tables and rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Outline:
    """What a page holds, in document order."""

    h1: list[str] = field(default_factory=list)
    # ("chart", accessible name) or ("table", caption), in order of appearance.
    blocks: list[tuple[str, str]] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    text: str = ""


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.outline = Outline()
        self._capture: str | None = None
        self._buffer: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._svg_depth = 0
        self._words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "svg":
            if self._svg_depth == 0:
                self.outline.blocks.append(("chart", a.get("aria-label") or ""))
                assert a.get("role") == "img", "a chart without role=img"
            self._svg_depth += 1
        elif tag in ("h1", "caption"):
            self._capture, self._buffer = tag, []
        elif tag == "table":
            self.outline.blocks.append(("table", ""))
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg_depth -= 1
        elif tag == self._capture:
            content = " ".join("".join(self._buffer).split())
            if tag == "h1":
                self.outline.h1.append(content)
            else:
                self.outline.blocks[-1] = ("table", content)
            self._capture = None
        elif tag in ("th", "td") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.outline.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._buffer.append(data)
        if self._cell is not None:
            self._cell.append(data)
        self._words.append(data)

    def close(self) -> None:
        super().close()
        self.outline.text = " ".join(" ".join(self._words).split())


def outline(html: str) -> Outline:
    """Parse a page."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.outline


def every_chart_has_a_table(page: Outline) -> bool:
    """Each chart is followed by a captioned table before the next chart."""
    for index, (kind, _) in enumerate(page.blocks):
        if kind != "chart":
            continue
        after = page.blocks[index + 1 : index + 2]
        if not after or after[0][0] != "table" or not after[0][1]:
            return False
    return True
