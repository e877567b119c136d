"""Item cards: the most repeated part of Wijk's pages (an agenda is twenty of them, and
the same card shows on its neighbourhood page, each category filter, the city page and
in searches).

A card is a pure function of its inputs: the fields of the ItemView the gate built for
this viewer that the card shows (SHOWN), the language, the heading level and whether it
names its neighbourhood. Each process keeps the cards it rendered last under a digest of
exactly those inputs, so a card is rendered again only when one of them differs: a
changed title, date or place changes the key at once. A card shows no personal field
(those are on the item page, through the gate), so no hidden value can enter one.

A card outside the memo (a page a worker has not shown yet, a filter, a search) is kept
cheap too: its date text comes from the wall-clock memo in wijk/filters.py, its labels
are translated with the catalogue its page already holds, and its link is filled into the
link's shape (wijk.links.url_for_id).
"""

from __future__ import annotations

import hashlib
import operator
import threading
from collections import OrderedDict
from typing import Any

from babel.support import NullTranslations
from flask import Flask
from flask_babel import get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from wijk.languages import CATALOGUE, N_, catalogue_of, language_of
from wijk.models import ItemKind
from wijk.visibility import ItemView

TEMPLATE = "_card.html"
KEPT = 6144  # cards per process: ~3 MB; the 200 neighbourhood pages of the bench show 5,000

_cards: OrderedDict[bytes, Markup] = OrderedDict()
_lock = threading.Lock()


# The fields of an ItemView the card shows (templates/_card.html and what it calls:
# item_link, picture_url, kind_label, category_label). The memo is keyed by these
# alone: the rest of a view (its description, its personal fields) never reaches a
# card. tests/test_rendering.py renders cards of every kind with a view that records
# what is read, and fails when the card reads a field not listed here.
SHOWN = (
    "id",
    "kind",
    "title",
    "starts_at",
    "moved",
    "offer_kind",
    "location_name",
    "repeats",
    "organisation_title",
    "expires_on",
    "neighbourhood_name",
    "picture_key",
    "categories",
)


_shown = operator.attrgetter(*SHOWN)


def _key(context: Context, view: ItemView, heading: str, show_place: bool) -> bytes:
    # The page's environment stands for its app; the language is the page's render's.
    app = id(context.environment)
    inputs = repr((app, language_of(context), heading, show_place, _shown(view)))
    return hashlib.blake2b(inputs.encode(), digest_size=16).digest()


@pass_context
def card(context: Context, view: ItemView, heading: str = "h3", show_place: bool = False) -> Markup:
    """The card of `view`, rendered once per distinct input. It takes the page's context
    for what the page already looked up once (its app, language and catalogue)."""
    key = _key(context, view, heading, bool(show_place))
    with _lock:
        found = _cards.get(key)
        if found is not None:
            _cards.move_to_end(key)
            return found
    template = context.environment.get_template(TEMPLATE)
    html = template.render(
        view=view,
        heading=heading,
        show_place=bool(show_place),
        **{CATALOGUE: catalogue_of(context)},
    )
    found = Markup(html)  # noqa: S704 (a rendered template)
    with _lock:
        _cards[key] = found
        while len(_cards) > KEPT:
            _cards.popitem(last=False)
    return found


KIND_MESSAGES = {
    "activity": N_("Activity"),
    "organisation": N_("Organisation"),
    "news": N_("News"),
    "offer": N_("Offer"),
    "request": N_("Request"),
}


def kind_label(view: Any, catalogue: NullTranslations | None = None) -> str:
    """What kind of item this is, in words: the tag on a card and an item page, and the
    category of an Atom entry. Takes an ItemView or an Item; translated through
    `catalogue` when the caller holds it (a template), else the current language's."""
    if view.kind == ItemKind.OFFER:
        message: str | None = KIND_MESSAGES["request" if view.offer_kind == "request" else "offer"]
    else:
        message = KIND_MESSAGES.get(view.kind)
    if message is None:
        return view.kind
    return (catalogue or get_translations()).ugettext(message)


@pass_context
def _kind_label_in(context: Context, view: Any) -> str:
    return kind_label(view, catalogue_of(context))


def register(app: Flask) -> None:
    app.jinja_env.globals["card"] = card
    app.jinja_env.globals["kind_label"] = _kind_label_in
