"""The site's own automated accessibility check (`flask accessibility-check`): it
requests the public pages through the app and checks what a machine can check of WCAG
2.1 AA (language, title, one main heading, text for images, labels for form fields, link
text, unique ids). The outcome is stored and shown in the accessibility statement; what
a machine cannot check is for the manual review the statement also names."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from html.parser import HTMLParser

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wijk.extensions import db
from wijk.models import AccessibilityCheck

# The public pages every visitor meets; each is checked as an anonymous visitor.
PAGES = (
    "/",
    "/zoeken",
    "/inloggen",
    "/registreren",
    "/wachtwoord-vergeten",
    "/privacy",
    "/privacy/verzoek",
    "/voorwaarden",
    "/toegankelijkheid",
)

# The status values of the Dutch model statement ("voldoet volledig", ...).
STATUSES = {
    "full": _l("This site fully meets the requirements (WCAG 2.1 level AA)."),
    "partial": _l("This site partially meets the requirements (WCAG 2.1 level AA)."),
    "none": _l("This site does not meet the requirements (WCAG 2.1 level AA) yet."),
}

_FIELDS = {"input", "select", "textarea"}
_UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class _PageChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.lang = False
        self.title = ""
        self.h1 = 0
        self.ids: Counter[str] = Counter()
        self.labelled: set[str] = set()
        self.fields: list[tuple[str, str | None]] = []  # (description, id)
        self._in_title = False
        self._label_depth = 0
        self._link: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids[a["id"] or ""] += 1
        if tag == "html":
            self.lang = bool(a.get("lang"))
        elif tag == "title":
            self._in_title = True
        elif tag == "h1":
            self.h1 += 1
        elif tag == "img" and a.get("alt") is None:
            self.problems.append(f"image without alt text: {a.get('src', '')}")
        elif tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.labelled.add(a["for"] or "")
        elif tag == "a" and a.get("href") is not None:
            self._link = {"href": a.get("href"), "text": a.get("aria-label") or ""}
        if tag in _FIELDS and (a.get("type") or "text") not in _UNLABELLED_TYPES:
            named = a.get("aria-label") or a.get("aria-labelledby") or a.get("title")
            if not named and not self._label_depth:
                self.fields.append((f"{tag} {a.get('name', '')}".strip(), a.get("id")))
        if tag == "img" and self._link is not None:
            self._link["text"] += a.get("alt") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "label":
            self._label_depth = max(0, self._label_depth - 1)
        elif tag == "a" and self._link is not None:
            if not self._link["text"].strip():
                self.problems.append(f"link without text: {self._link['href']}")
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._link is not None:
            self._link["text"] += data

    def finish(self) -> list[str]:
        problems = list(self.problems)
        if not self.lang:
            problems.append("no language on the html element")
        if not self.title.strip():
            problems.append("no page title")
        if self.h1 != 1:
            problems.append(f"{self.h1} main headings (h1) instead of one")
        for description, field_id in self.fields:
            if not field_id or field_id not in self.labelled:
                problems.append(f"form field without label: {description}")
        problems.extend(f"id used more than once: {i}" for i, n in self.ids.items() if n > 1)
        return problems


def check_html(page: str) -> list[str]:
    """What the automated check finds on one page of HTML."""
    checker = _PageChecker()
    checker.feed(page)
    checker.close()
    return checker.finish()


def run(now: datetime) -> AccessibilityCheck:
    """Check every page in PAGES as an anonymous visitor and store the outcome."""
    client = current_app.test_client()
    problems = []
    for path in PAGES:
        response = client.get(path)
        if response.status_code != 200:
            problems.append({"page": path, "problem": f"answered {response.status_code}"})
            continue
        problems.extend(
            {"page": path, "problem": problem}
            for problem in check_html(response.get_data(as_text=True))
        )
    check = AccessibilityCheck(checked_at=now, pages=len(PAGES), problems=problems)
    db.session.add(check)
    db.session.commit()
    return check


def latest() -> AccessibilityCheck | None:
    return db.session.scalar(
        select(AccessibilityCheck).order_by(AccessibilityCheck.checked_at.desc()).limit(1)
    )
