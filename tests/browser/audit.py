"""Accessibility checks run inside a page: axe-core (vendored) and our own measurements.

Each check returns a list of findings, one readable line per problem; an empty
list means the page passes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA (2.2 adds no new level-A axe rule tag).
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
MIN_TARGET = 24  # CSS px, WCAG 2.2 SC 2.5.8 Target Size (Minimum)
INTERACTIVE = (
    "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    "[tabindex]:not([tabindex='-1'])"
)


def axe(page: Page) -> list[str]:
    """Every axe-core violation of the WCAG 2.x A/AA rules, with the elements at fault."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, so the page's CSP (script-src 'self')
        # stays in force for the page itself while the test injects its tool.
        page.evaluate(f"() => {{ {AXE.read_text(encoding='utf-8')}\n}}")
    result: dict[str, Any] = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                      resultTypes: ['violations']})""",
        list(WCAG_TAGS),
    )
    if not result["passes"]:
        return ["axe-core passed no rule at all: it did not really run"]
    findings = []
    for violation in result["violations"]:
        for node in violation["nodes"]:
            findings.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']} "
                f"at {' '.join(node['target'])}: {node.get('failureSummary', '')} "
                f"[{violation['helpUrl']}]"
            )
    return findings


def text_zoom_overflow(page: Page) -> list[str]:
    """Elements sticking out sideways when text is 200 % (root font size doubled)."""
    found: list[str] = page.evaluate(
        """async () => {
      const root = document.documentElement;
      const before = root.style.fontSize;
      root.style.fontSize = '200%';
      await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
      const width = root.clientWidth;
      const found = [];
      if (root.scrollWidth > width) {
        found.push(`page scrolls sideways: ${root.scrollWidth}px content in ${width}px`);
        // Name only where the overflow starts: an element sticking out of a parent that fits.
        const sticksOut = el => el && el.getBoundingClientRect().right > width + 0.5;
        for (const el of document.body.querySelectorAll('*')) {
          if (!sticksOut(el) || sticksOut(el.parentElement)) continue;
          const words = (el.innerText || '').trim().split('\\n')[0].slice(0, 40);
          found.push(`<${el.tagName.toLowerCase()} class="${el.className}"> ends at `
                     + `${el.getBoundingClientRect().right.toFixed(0)}px: ${words}`);
        }
      }
      root.style.fontSize = before;
      return found;
    }"""
    )
    return found


def split_words(page: Page) -> list[str]:
    """Words broken across two lines when text is 200 %, with every <details> opened.

    Long web addresses may wrap anywhere, and a hyphen is a fine place to break; an
    ordinary word split mid-word is hard to read.
    """
    found: list[str] = page.evaluate(
        """async () => {
      const root = document.documentElement;
      const before = root.style.fontSize;
      const closed = [...document.querySelectorAll('details:not([open])')];
      closed.forEach(d => d.open = true);
      root.style.fontSize = '200%';
      await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
      const found = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || parent.closest('a, script, style') || !parent.offsetParent) continue;
        for (const match of node.data.matchAll(/[A-Za-z][A-Za-z']{3,}/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
          const tag = parent.tagName.toLowerCase();
          if (tops.size > 1) found.push(`"${match[0]}" split across lines in <${tag}>`);
        }
      }
      root.style.fontSize = before;
      closed.forEach(d => d.open = false);
      return found;
    }"""
    )
    return found


def small_targets(page: Page) -> list[str]:
    """Interactive elements smaller than 24 x 24 CSS px (among those drawn at all)."""
    found: list[str] = page.evaluate(
        """([selector, min]) => [...document.querySelectorAll(selector)].flatMap(el => {
          if (!el.checkVisibility()) return [];  // not drawn, so nothing to tap
          const r = el.getBoundingClientRect();
          if (r.width >= min && r.height >= min) return [];
          return [`${el.outerHTML.slice(0, 80)} is ${r.width.toFixed(1)} x ${r.height.toFixed(1)}`];
        })""",
        [INTERACTIVE, MIN_TARGET],
    )
    return found


def unlabelled(page: Page) -> list[str]:
    """Controls without a label (and radio groups without a legend)."""
    found: list[str] = page.evaluate(
        """() => {
      const text = el => (el ? (el.innerText || el.textContent || '').trim() : '');
      const byIds = ids => (ids || '').split(/\\s+/).map(id => text(document.getElementById(id)))
                                     .join('');
      const found = [];
      for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
        const named = [...(el.labels || [])].some(l => text(l)) || el.getAttribute('aria-label')
                      || byIds(el.getAttribute('aria-labelledby'));
        if (!named) found.push(`no label: ${el.outerHTML.slice(0, 80)}`);
        if (el.type === 'radio' && !text(el.closest('fieldset')?.querySelector('legend')))
          found.push(`radio group without a legend: ${el.name}`);
      }
      for (const el of document.querySelectorAll('button, a[href], summary')) {
        if (!text(el) && !el.getAttribute('aria-label'))
          found.push(`no accessible name: ${el.outerHTML.slice(0, 80)}`);
      }
      return found;
    }"""
    )
    return found


def structure(page: Page) -> list[str]:
    """Exactly one h1, a language on <html>, and a title."""
    facts: dict[str, Any] = page.evaluate(
        """() => ({h1: document.querySelectorAll('h1').length,
                   lang: document.documentElement.lang, title: document.title.trim()})"""
    )
    found = []
    if facts["h1"] != 1:
        found.append(f"{facts['h1']} h1 elements, not exactly one")
    lang = str(facts["lang"])
    if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang):
        found.append(f"html lang is {lang!r}")
    if not facts["title"]:
        found.append("empty <title>")
    return found


def motion(page: Page) -> list[str]:
    """Anything that still animates, transitions or scrolls smoothly under reduced motion."""
    found: list[str] = page.evaluate(
        """() => {
      if (!matchMedia('(prefers-reduced-motion: reduce)').matches)
        return ['the browser is not asking for reduced motion'];
      const found = [];
      const moving = d => d.split(',').some(x => parseFloat(x) > 0);
      for (const el of document.querySelectorAll('*')) {
        for (const pseudo of [null, '::before', '::after']) {
          const s = getComputedStyle(el, pseudo);
          const where = el.tagName.toLowerCase() + (pseudo || '');
          if (s.animationName !== 'none' && moving(s.animationDuration))
            found.push(`${where} animates (${s.animationName})`);
          if (moving(s.transitionDuration))
            found.push(`${where} transitions (${s.transitionProperty})`);
        }
      }
      if (getComputedStyle(document.documentElement).scrollBehavior === 'smooth')
        found.push('smooth scrolling');
      return found;
    }"""
    )
    return found


CHECKS = {
    "axe": axe,
    "text-zoom": text_zoom_overflow,
    "split-words": split_words,
    "targets": small_targets,
    "labels": unlabelled,
    "structure": structure,
    "motion": motion,
}
