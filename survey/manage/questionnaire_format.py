"""The questionnaire format as a workspace page, rendered from docs/questionnaire-format.md.

One source: the page and the repository's documentation are the same Markdown file, read
with raw HTML switched off, so the page can only ever show what the file says.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import render_template
from markdown_it import MarkdownIt
from markupsafe import Markup

from survey.access import role_required
from survey.manage import bp

FORMAT_FILE = Path(__file__).resolve().parents[2] / "docs" / "questionnaire-format.md"


@lru_cache(maxsize=1)
def format_html() -> Markup:
    """The format document as HTML (raw HTML in the Markdown is escaped, not passed on)."""
    renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
    text = FORMAT_FILE.read_text(encoding="utf-8")
    # The title is the page's own heading; the rest renders one level down from it.
    body = text.split("\n", 1)[1] if text.startswith("# ") else text
    # Examples keep their lines (YAML's indentation is its meaning) and scroll sideways in
    # their own box, which keyboard users can reach to scroll.
    html = renderer.render(body).replace("<pre>", '<pre tabindex="0">')
    # Raw HTML is off, so every character of the file reaches the page escaped.
    return Markup(html)  # noqa: S704  # nosec B704


@bp.get("/questionnaires/format")
@role_required("core")
def questionnaire_format() -> str:
    """How a questionnaire file is written, for whoever uploads or edits one."""
    return render_template(
        "manage/questionnaires/format.html",
        body=format_html(),
        page_title="The questionnaire format",
    )
