"""Holding a post for review: a neighbourhood may want to see each person's first posts
there, and posts with a word on its list, before they are public. Nothing is rejected
here; the post waits with status "held" until a manager approves or hides it.

The reason is stored as a short code ("first_posts", "word:<word>") and worded for the
reader by `describe`, in the reader's language."""

from __future__ import annotations

import html
import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from wijk import audit
from wijk.extensions import db
from wijk.models import Item, ItemStatus, ModerationRules, Neighbourhood, User

MAX_FIRST_POSTS = 20
TAGS = re.compile(r"<[^>]+>")


def rules_of(neighbourhood: Neighbourhood | int) -> ModerationRules | None:
    neighbourhood_id = neighbourhood if isinstance(neighbourhood, int) else neighbourhood.id
    return db.session.get(ModerationRules, neighbourhood_id)


def save_rules(
    neighbourhood: Neighbourhood, actor: User, hold_first_posts: int, words: str
) -> ModerationRules:
    """Store the rules (the caller checked the actor moderates the neighbourhood)."""
    rules = rules_of(neighbourhood) or ModerationRules(neighbourhood_id=neighbourhood.id)
    rules.hold_first_posts = max(0, min(int(hold_first_posts or 0), MAX_FIRST_POSTS))
    listed = dict.fromkeys(w.strip().lower() for w in (words or "").splitlines() if w.strip())
    rules.held_words = "\n".join(listed)
    db.session.add(rules)
    audit.record(
        actor,
        "moderation_rules.changed",
        neighbourhood=neighbourhood,
        detail=f"{rules.hold_first_posts}; {len(listed)}",
    )
    db.session.commit()
    return rules


def _text_of(item: Item) -> str:
    parts = [item.title, TAGS.sub(" ", item.description or ""), item.location_name]
    return html.unescape(" ".join(p for p in parts if p)).casefold()


def listed_word(rules: ModerationRules, item: Item) -> str | None:
    """The first listed word that occurs in the item as a whole word, if any."""
    text = _text_of(item)
    for word in rules.words():
        if re.search(rf"(?<!\w){re.escape(word.casefold())}(?!\w)", text):
            return word
    return None


def _earlier_posts(item: Item) -> int:
    """The author's posts in this neighbourhood that went public (now or before)."""
    return (
        db.session.scalar(
            select(func.count(Item.id)).where(
                Item.owner_id == item.owner_id,
                Item.neighbourhood_id == item.neighbourhood_id,
                Item.id != item.id,
                Item.status.in_((ItemStatus.PUBLISHED, ItemStatus.SUSPENDED)),
            )
        )
        or 0
    )


def hold_reason(item: Item, *, new: bool) -> str | None:
    rules = rules_of(item.neighbourhood_id)
    if rules is None:
        return None
    word = listed_word(rules, item)
    if word:
        return f"word:{word}"
    if new and rules.hold_first_posts and _earlier_posts(item) < rules.hold_first_posts:
        return "first_posts"
    return None


def hold_if_needed(item: Item, *, new: bool) -> bool:
    """Called by the content service before it commits a post or an edit by its author:
    a public item that meets a rule waits for review. True when it was held."""
    if item.status != "published":
        return False
    db.session.flush()
    reason = hold_reason(item, new=new)
    if reason is None:
        return False
    item.status = ItemStatus.HELD
    item.moderation_reason = reason
    audit.record(
        None,
        "item.held",
        subject=item.owner_id,
        item=item,
        neighbourhood=item.neighbourhood_id,
        detail=describe(reason),
    )
    return True


def describe(reason: Any) -> str:
    """A stored hold reason in words; other reasons (a manager's text) as they are."""
    if not reason:
        return ""
    if reason == "first_posts":
        return _("the first posts of each person in this neighbourhood are reviewed")
    if str(reason).startswith("word:"):
        return _("it contains the listed word “%(word)s”", word=reason[5:])
    return str(reason)


def held_items(neighbourhood: Neighbourhood) -> list[Item]:
    """Posts waiting for a manager of this neighbourhood, oldest first."""
    return list(
        db.session.scalars(
            select(Item)
            .where(Item.neighbourhood_id == neighbourhood.id, Item.status == ItemStatus.HELD)
            .order_by(Item.created_at, Item.id)
        )
    )
