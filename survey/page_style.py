"""The respondent pages' stylesheet, carried inside each page, and the CSP hash that admits it.

On a phone with a slow link every request costs a round trip before its first byte (400 ms
on the benchmark's profile), and a linked stylesheet blocks the first paint: the page
arrived, then the browser asked for the stylesheet and waited again. Inlined, the first
page paints as soon as its own bytes arrive (about 0.5 s sooner on that profile), and no
later page asks for a stylesheet at all. The stylesheet is small (under 2 KB gzipped)
and respondent pages are padded to one size anyway (survey/padding.py).

The Content-Security-Policy still refuses inline styles in general ('unsafe-inline' is
never used): it admits this one `<style>` by the SHA-256 of its exact text, computed here
when the app starts, so an injected style, or an edited copy, is refused.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from markupsafe import Markup

STYLESHEET = "lantern.css"  # shared with the staff pages, which link it
EXTENSION = "lantern.page_style"
_COMMENT = re.compile(r"/\*.*?\*/\n?", re.DOTALL)


@dataclass(frozen=True)
class InlineStyle:
    """The text of a `<style>` element and the CSP source that allows exactly that text."""

    css: str

    @property
    def csp_source(self) -> str:
        """`'sha256-…'`: the hash of the element's text, as a style-src source."""
        digest = hashlib.sha256(self.css.encode()).digest()
        return f"'sha256-{base64.b64encode(digest).decode()}'"


def load(static_folder: str | Path) -> InlineStyle:
    """Read the respondent stylesheet, without its comments; refuse text that would end
    its `<style>` element early."""
    text = (Path(static_folder) / STYLESHEET).read_text(encoding="utf-8")
    css = _COMMENT.sub("", text).strip()  # the file holds no "/*" inside a string
    if "</" in css:
        raise ValueError(f"{STYLESHEET} holds '</', which would end an inline <style> element")
    return InlineStyle(css)


def inline_style() -> Markup:
    """The stylesheet for the respondent pages' `<style>` element, exactly as hashed."""
    style: InlineStyle = current_app.extensions[EXTENSION]
    return Markup(style.css)  # noqa: S704  # nosec B704  (our own file, checked for '</')


def style_source(app: Flask) -> str:
    """The CSP style-src source for the app's inline stylesheet."""
    style: InlineStyle = app.extensions[EXTENSION]
    return style.csp_source


def init_app(app: Flask) -> None:
    """Read and hash the stylesheet once, at start-up, and offer it to templates."""
    if app.static_folder is None:
        raise RuntimeError("the app has no static folder to read its stylesheet from")
    app.extensions[EXTENSION] = load(app.static_folder)
    app.add_template_global(inline_style)
