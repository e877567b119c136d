"""The only HTML allowlist in the project. Rich text is cleaned once, when it is saved."""

from __future__ import annotations

import html as html_module
import re
from collections.abc import MutableMapping
from functools import lru_cache

import bleach
from bleach.linkifier import Linker

ALLOWED_TAGS = frozenset({"p", "br", "ul", "ol", "li", "em", "strong", "i", "b", "a"})
ALLOWED_ATTRIBUTES = {"a": ["href", "title"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
_BLOCK = re.compile(r"(?i)<(p|ul|ol|li|br)\b")


def _link_attributes(
    attrs: MutableMapping[tuple[str | None, str], str], new: bool = False
) -> MutableMapping[tuple[str | None, str], str]:
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)
_linker = Linker(callbacks=[_link_attributes], skip_tags={"pre", "code"})


def _paragraphs(text: str) -> str:
    """Text from a textarea: blank lines make paragraphs, newlines make breaks; the cleaner
    that runs afterwards escapes or strips whatever markup is in it."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]
    return "".join("<p>" + b.replace("\n", "<br>") + "</p>" for b in blocks)


def clean_rich_text(value: str | None) -> str:
    """Limited rich text: paragraphs, lists, emphasis and links (rel="nofollow noopener").
    Everything else is stripped; the content of <script> and <style> is dropped entirely."""
    if not value or not value.strip():
        return ""
    text = value.strip()
    html = text if _BLOCK.search(text) else _paragraphs(text)
    html = re.sub(r"(?is)<(script|style|iframe|object|template)\b.*?</\1\s*>", "", html)
    cleaned = _cleaner.clean(html)
    return _linker.linkify(cleaned).strip()


@lru_cache(maxsize=512)
def plain_text(value: str | None) -> str:
    """The text of sanitised HTML, for plain-text mail parts and summaries. Kept per
    process for the last descriptions asked (every activity page's JSON-LD asks)."""
    if not value:
        return ""
    spaced = re.sub(r"(?i)</(p|li)>|<br\s*/?>", "\n", value)
    return bleach.clean(spaced, tags=set(), strip=True).strip()


_LINK = re.compile(r'(?is)<a\b[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a\s*>')


def _link_text(match: re.Match[str]) -> str:
    href, label = match.group(1), match.group(2)  # both still escaped, as saved
    shown = bleach.clean(label, tags=set(), strip=True).strip()
    return label if not href or shown == href.removeprefix("mailto:") else f"{label} ({href})"


def readable_text(value: str | None) -> str:
    """Sanitised HTML as text a person reads in a spreadsheet or a text file: paragraphs
    apart, list items as "- ", a link's address after its words, no tags or entities."""
    if not value:
        return ""
    text = _LINK.sub(_link_text, value)
    text = re.sub(r"(?i)<li\b[^>]*>", "- ", text)
    text = re.sub(r"(?i)</(p|ul|ol)>", "\n\n", text)
    text = re.sub(r"(?i)</li>|<br\s*/?>", "\n", text)
    text = html_module.unescape(bleach.clean(text, tags=set(), strip=True))
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def editable_text(html: str | None) -> str:
    """Sanitised HTML back into the textarea form people typed it in: paragraphs become
    blank lines. Lists and inline markup stay as they are, and survive a new save."""
    if not html:
        return ""
    if re.search(r"(?i)<(ul|ol)\b", html):
        return html
    text = re.sub(r"(?i)</p>\s*<p>", "\n\n", html)
    text = re.sub(r"(?i)<br\s*/?>", "\n", text)
    return re.sub(r"(?i)^<p>|</p>$", "", text.strip())
