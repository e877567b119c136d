"""Newsletters and their subscribers (the opt-ins themselves: subscriptions.py).

Only verified, not-deleted accounts count as subscribers. A newsletter and an opt-in
belong to a neighbourhood or to a municipality (the city newsletter, issue 14): `Place`.
A newsletter is queued in the outbox with bulk inserts: the mail is rendered once per
language and only the personal unsubscribe link is filled in per person. No tracking
pixels, no tracked links."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import func, select, update

from wijk import audit
from wijk.extensions import changed_rows, db
from wijk.mail import Mail, queue_bulk, queue_mail, render_mail
from wijk.models import Neighbourhood, Newsletter, NewsletterSubscription, User
from wijk.models.base import utcnow
from wijk.newsletters.formatting import agenda_for, render_markdown, text_part
from wijk.newsletters.places import Place, archive_url, of_place, place_ids
from wijk.newsletters.subscriptions import email_unsubscribe_token, place_unsubscribe_token
from wijk.sanitize import plain_text

# Stands in for the personal unsubscribe URL while the mail is rendered once; only
# characters that neither HTML nor text escaping changes.
_LINK_MARK = "WIJKUNSUBSCRIBELINKMARK"
SUBJECT_MAX = 200


class NewsletterError(Exception):
    """The newsletter cannot be saved or sent as it is; str(error) names the reason."""


# --- subscribers, as the manager sees them ----------------------------------------------


def split_name(name: str) -> tuple[str, str]:
    """'Jan de Vries' -> ('Jan', 'de Vries'): first name up to the first space."""
    first, _, last = (name or "").strip().partition(" ")
    return first, last.strip()


def _subscribers(place: Place):
    """Verified, living accounts with an active opt-in for the place."""
    active = select(NewsletterSubscription.user_id).where(
        of_place(NewsletterSubscription, place), NewsletterSubscription.withdrawn_at.is_(None)
    )
    return select(User.id, User.name, User.email, User.locale).where(
        User.id.in_(active), User.email_verified_at.is_not(None), User.deleted_at.is_(None)
    )


def _email_subscribers(place: Place):
    """Confirmed opt-ins without an account (double opt-in done, not withdrawn)."""
    return select(
        NewsletterSubscription.id, NewsletterSubscription.email, NewsletterSubscription.locale
    ).where(
        of_place(NewsletterSubscription, place),
        NewsletterSubscription.user_id.is_(None),
        NewsletterSubscription.confirmed_at.is_not(None),
        NewsletterSubscription.withdrawn_at.is_(None),
    )


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _place(place: Place | int) -> Place:
    """Callers of the neighbourhood newsletter pass an id; they still may."""
    if isinstance(place, int):
        found = db.session.get(Neighbourhood, place)
        if found is None:
            raise ValueError(place)
        return found
    return place


def account_subscriber_count(place: Place | int) -> int:
    return _count(_subscribers(_place(place)))


def email_subscriber_count(place: Place | int) -> int:
    return _count(_email_subscribers(_place(place)))


def subscriber_count(place: Place | int) -> int:
    """Everyone a newsletter of the place goes to: accounts and e-mail opt-ins."""
    return account_subscriber_count(place) + email_subscriber_count(place)


@dataclass(frozen=True)
class Subscriber:
    user_id: int
    first_name: str
    last_name: str
    email: str


def subscribers(
    neighbourhood: Neighbourhood, actor: User, *, page: int = 1, per_page: int = 100
) -> list[Subscriber]:
    """One page of active subscribers, for the manager's screen. Each person shown gets
    an audit entry: the list is a view of their personal data."""
    rows = db.session.execute(
        _subscribers(neighbourhood)
        .order_by(User.name, User.id)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    ).all()
    people = [Subscriber(r.id, *split_name(r.name), r.email) for r in rows]
    audit.record_each(
        actor, "subscribers.viewed", [p.user_id for p in people], neighbourhood=neighbourhood
    )
    db.session.commit()
    return people


CSV_HEADER = ("Email Address", "First Name", "Last Name")


def _cell(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(neighbourhood: Neighbourhood, actor: User) -> tuple[str, int]:
    """Every active subscriber as CSV for a mail program, with one audit entry per
    person exported. Returns (csv text, number of people)."""
    rows = db.session.execute(_subscribers(neighbourhood).order_by(User.name, User.id)).all()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        first, last = split_name(row.name)
        writer.writerow([_cell(row.email), _cell(first), _cell(last)])
    audit.record_each(
        actor,
        "subscribers.exported",
        [r.id for r in rows],
        neighbourhood=neighbourhood,
        detail=f"{len(rows)} in CSV",
    )
    db.session.commit()
    return out.getvalue(), len(rows)


# --- newsletters ------------------------------------------------------------------------


def save(
    place: Place,
    author: User,
    subject: str,
    body: str,
    newsletter: Newsletter | None = None,
    *,
    with_agenda: bool = False,
) -> Newsletter:
    """Create or change a draft. The body is markdown (the subset the form names),
    rendered and then sanitised by the one allowlist; the source is kept as the text
    part and for editing. An empty body or subject is refused. A sent newsletter cannot
    change."""
    subject = " ".join((subject or "").split())[:SUBJECT_MAX]
    body_html = render_markdown(body)
    body_text = text_part(body_html)
    if not subject:
        raise NewsletterError("subject")
    if not body_text.strip():
        raise NewsletterError("empty")
    if newsletter is None:
        newsletter = Newsletter(author_id=author.id, **place_ids(place))
        db.session.add(newsletter)
    elif newsletter.sent_at is not None:
        raise NewsletterError("sent")
    newsletter.subject = subject
    newsletter.body_html = body_html
    newsletter.body_text = body_text
    newsletter.body_source = (body or "").replace("\r\n", "\n").strip()
    newsletter.with_agenda = with_agenda
    db.session.commit()
    return newsletter


def _context(newsletter: Newsletter, unsubscribe_link: str) -> dict:
    # The mail names the place as `neighbourhood`; a city has a name just the same.
    return {
        "newsletter": newsletter,
        "neighbourhood": newsletter.place,
        "unsubscribe_link": unsubscribe_link,
        "archive_link": archive_url(newsletter.place, external=True),
    }


def headers_for(link: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe; the worker puts these on the mail."""
    return {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def unsubscribe_link(user_id: int, place: Place) -> str:
    return url_for(
        "newsletters.unsubscribe",
        token=place_unsubscribe_token(user_id, place),
        _external=True,
    )


def send_test(newsletter: Newsletter, manager: User) -> None:
    """One copy to the manager, with a working unsubscribe link of their own."""
    link = unsubscribe_link(manager.id, newsletter.place)
    queue_mail(
        "newsletter_test",
        manager.email,
        "newsletter",
        locale=manager.locale,
        headers=headers_for(link),
        test=True,
        agenda=agenda_for(newsletter),
        **_context(newsletter, link),
    )
    db.session.commit()


def send(newsletter: Newsletter, actor: User) -> int | None:
    """Queue one message per active subscriber, once. The conditional UPDATE makes a
    double click (or two managers at once) queue a single time: only the request that
    stamps `sent_at` queues. Returns the number queued, None when it was sent before."""
    if not plain_text(newsletter.body_html or "").strip():
        raise NewsletterError("empty")
    now = utcnow()
    claimed = changed_rows(
        update(Newsletter)
        .where(Newsletter.id == newsletter.id, Newsletter.sent_at.is_(None))
        .values(sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed != 1:
        db.session.rollback()
        return None
    people = db.session.execute(_subscribers(newsletter.place)).all()
    by_email = db.session.execute(_email_subscribers(newsletter.place)).all()
    rows = _outbox_rows(newsletter, people, by_email)
    queue_bulk("newsletter", rows, now=now)
    db.session.execute(
        update(Newsletter)
        .where(Newsletter.id == newsletter.id)
        .values(recipient_count=len(rows))
        .execution_options(synchronize_session=False)
    )
    audit.record(
        actor,
        "newsletter.sent",
        neighbourhood=newsletter.neighbourhood_id,
        detail=f"{newsletter.place.name}: “{newsletter.subject}” to {len(rows)} subscribers",
    )
    db.session.commit()
    db.session.refresh(newsletter)
    return len(rows)


def _outbox_rows(newsletter: Newsletter, people: Sequence, by_email: Sequence = ()) -> list[Mail]:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    rendered: dict[str, tuple[str, str, str]] = {}
    # The link differs per person only in its token: build the rest once.
    base = url_for("newsletters.unsubscribe", token=_LINK_MARK, _external=True)
    agenda = agenda_for(newsletter)
    recipients = [
        (p.email, p.locale, place_unsubscribe_token(p.id, newsletter.place)) for p in people
    ]
    recipients += [(p.email, p.locale, email_unsubscribe_token(p.id)) for p in by_email]
    rows = []
    for email, wanted, token in recipients:
        locale = wanted if wanted in languages else default
        if locale not in rendered:
            rendered[locale] = render_mail(
                "newsletter", locale, agenda=agenda, **_context(newsletter, _LINK_MARK)
            )
        subject, text, html = rendered[locale]
        link = base.replace(_LINK_MARK, token)
        rows.append(
            Mail(
                email,
                subject,
                text.replace(_LINK_MARK, link),
                html.replace(_LINK_MARK, link),
                headers=headers_for(link),
            )
        )
    return rows


def sent_newsletters(place: Place) -> list[Newsletter]:
    return list(
        db.session.scalars(
            select(Newsletter)
            .where(of_place(Newsletter, place), Newsletter.sent_at.is_not(None))
            .order_by(Newsletter.sent_at.desc(), Newsletter.id.desc())
        )
    )


def drafts(place: Place) -> list[Newsletter]:
    return list(
        db.session.scalars(
            select(Newsletter)
            .where(of_place(Newsletter, place), Newsletter.sent_at.is_(None))
            .order_by(Newsletter.created_at.desc(), Newsletter.id.desc())
        )
    )
