"""A card outside the memo is cheap to render (issue 16): its date is formatted once per
language and value, its labels are translated through the catalogue its page already
holds, its link is built from the link's shape. Each shortcut must show exactly what the
slow path showed, in the language of the render."""

from __future__ import annotations

from datetime import date, datetime

import flask_babel
import pytest
from flask import g, render_template_string
from flask_babel import force_locale, format_date, format_datetime, format_time

from wijk import cards, filters
from wijk.content import categories
from wijk.models import CATEGORIES
from wijk.visibility import item_view

LANGUAGES = ("nl", "en", "tr", "ar")
WHEN = datetime(2026, 12, 19, 14, 30)


@pytest.fixture
def formatted(monkeypatch):
    """Every date or time Flask-Babel formatted for a wall-clock filter."""
    calls: list[object] = []
    for name in ("format_date", "format_datetime", "format_time"):
        original = getattr(filters, name)

        def counted(value, *args, _original=original, **kwargs):
            calls.append(value)
            return _original(value, *args, **kwargs)

        monkeypatch.setattr(filters, name, counted)
    monkeypatch.setattr(filters, "_wall_clock_texts", {})
    return calls


def test_a_kept_date_is_the_text_babel_makes_in_each_language(app, formatted):
    for code in LANGUAGES:
        with app.test_request_context(f"/?lang={code}"):
            g.__dict__.clear()  # the test's app context outlives requests (conftest)
            for _ in range(2):  # made, then kept
                assert filters.local_datetime(WHEN) == format_datetime(
                    WHEN, filters.pattern("weekday_datetime"), rebase=False
                )
                assert filters.local_datetime(WHEN, "short") == format_datetime(
                    WHEN, filters.pattern("short"), rebase=False
                )
                assert filters.local_day(WHEN) == format_datetime(
                    WHEN, filters.pattern("day"), rebase=False
                )
                assert filters.local_day(WHEN.date()) == format_date(
                    WHEN.date(), filters.pattern("day")
                )
                assert filters.local_time(WHEN) == format_time(WHEN, "short", rebase=False)
    assert len(formatted) == 5 * len(LANGUAGES)  # once per filter, format and language


def test_switching_language_changes_a_kept_date(app, formatted):
    with app.test_request_context("/?lang=nl"):
        g.__dict__.clear()
        dutch = filters.local_datetime(WHEN)
        with force_locale("en"):
            english = filters.local_datetime(WHEN)
        assert filters.local_datetime(WHEN) == dutch
    with app.test_request_context("/?lang=tr"):
        g.__dict__.clear()
        turkish = filters.local_datetime(WHEN)
    assert "december" in dutch and "December" in english and "Aralık" in turkish


def test_a_date_and_the_same_days_midnight_are_kept_apart(app, formatted):
    """A calendar date and a wall-clock time compare unequal, and stay two texts."""
    with app.test_request_context("/?lang=en"):
        g.__dict__.clear()
        day = filters.local_day(date(2026, 12, 19), "yyyy-MM-dd")
        midnight = filters.local_day(datetime(2026, 12, 19), "yyyy-MM-dd")
        assert day == midnight == "2026-12-19"
    assert formatted == [date(2026, 12, 19), datetime(2026, 12, 19)]


def test_a_wall_clock_filter_still_refuses_a_stamp(app):
    from datetime import UTC

    with app.test_request_context("/"), pytest.raises(TypeError):
        filters.local_datetime(WHEN.replace(tzinfo=UTC))


def test_labels_through_the_catalogue_are_the_labels_flask_babel_gives(app):
    for code in LANGUAGES:
        with app.test_request_context(f"/?lang={code}"):
            g.__dict__.clear()
            catalogue = flask_babel.get_translations()
            for category in CATEGORIES:
                expected = str(categories.LABELS[category])  # the lazy path
                assert categories.label(category) == expected
                assert categories.label(category, catalogue) == expected
            assert categories.label("unknown") == "unknown"


@pytest.mark.parametrize(
    ("kind", "offer_kind", "english"),
    [
        ("activity", None, "Activity"),
        ("organisation", None, "Organisation"),
        ("news", None, "News"),
        ("offer", "offer", "Offer"),
        ("offer", "request", "Request"),
    ],
)
def test_a_kind_label_is_its_gettext_in_every_language(app, make_item, kind, offer_kind, english):
    item = make_item(kind, **({"offer_kind": offer_kind} if offer_kind else {}))
    for code in LANGUAGES:
        with app.test_request_context(f"/?lang={code}"):
            g.__dict__.clear()
            view = item_view(item, None)
            expected = flask_babel.gettext(english)
            assert cards.kind_label(view) == cards.kind_label(item) == expected
            assert render_template_string("{{ kind_label(view) }}", view=view) == expected


def test_a_card_rendered_in_another_language_within_a_request_uses_that_language(app, make_item):
    """The card takes its language and catalogue from the render that asks for it, so a
    page rendered under force_locale (a mail, a language switch) gets cards in that
    language, and the request's own language keeps its own cards."""
    item = make_item("offer", offer_kind="request", title="Ladder gezocht")
    page = "{{ card(view) }}|{{ category_label('sport') }}"
    with app.test_request_context("/?lang=nl"):
        g.__dict__.clear()
        view = item_view(item, None)
        dutch = render_template_string(page, view=view)
        with force_locale("tr"):
            turkish = render_template_string(page, view=view)
        assert render_template_string(page, view=view) == dutch
    assert ">Vraag<" in dutch and "Sport en bewegen" in dutch
    assert ">İstek<" in turkish and "Spor ve hareket" in turkish


def test_category_chips_show_the_labels_the_lazy_choices_showed(app):
    """Every neighbourhood, search and city page lists the categories; the template's
    choices are translated through its catalogue and read as the form's lazy ones do."""
    page = "{% for code, label in choices %}{{ code }}={{ label }}|{% endfor %}"
    for code in LANGUAGES:
        with app.test_request_context(f"/?lang={code}"):
            g.__dict__.clear()
            lazy = render_template_string(page, choices=categories.choices())
            assert render_template_string(page.replace("choices %", "category_choices() %")) == lazy
            assert lazy.count("|") == len(CATEGORIES)
