"""The item page: its URL, the lookup that 404s what the viewer may not see, and the page
itself with every form on it (the relay contact form, the sign-up form, the co-manager
invitation). The forms' own POST views live here too, because their errors re-render
the page; contact and signups provide the services and forms and import nothing of it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from wijk import links, pagecache
from wijk.clock import local_now, utcnow
from wijk.contact import services as relay
from wijk.contact.forms import ContactForm
from wijk.content import bp, services
from wijk.content.forms import InviteForm
from wijk.errors import keeps_text
from wijk.extensions import db, limiter
from wijk.filters import local_datetime
from wijk.models import ALIAS_LIFETIME, Item, ItemKind, SignUpStatus
from wijk.security.permissions import can_view
from wijk.signups import services as signup_services
from wijk.signups.forms import SignupForm
from wijk.visibility import item_view

KIND_PATH = "<any(activiteit, organisatie, 'vraag-aanbod'):kind_slug>"


def item_url(item: Item, endpoint: str = "content.show", **values) -> str:
    if item.kind == ItemKind.NEWS and endpoint == "content.show":
        return url_for("discover.news_page", item_id=item.id, **values)
    return url_for(endpoint, kind_slug=services.KIND_SLUGS[item.kind], item_id=item.id, **values)


# Built once, the id bound: building the statement cost more than running it.
_WITH_PLACE = (
    select(Item)
    .options(joinedload(Item.neighbourhood), joinedload(Item.organisation))
    .where(Item.id == bindparam("item_id"))
)


def load_item(kind_slug: str, item_id: int) -> Item:
    """The item at this URL, or 404; unpublished items only for those who edit them.
    Read with its neighbourhood and organisation, which every item page shows: one
    statement instead of three (each a round trip on PostgreSQL)."""
    item = db.session.scalars(_WITH_PLACE, {"item_id": item_id}).first()
    if item is None or services.KIND_SLUGS.get(item.kind) != kind_slug:
        abort(404)
    if not can_view(current_user, item):
        abort(404)
    return item


@bp.app_template_global()
def item_link(view, endpoint: str = "show") -> str:
    """URL of an item page (or one of its actions), from an ItemView."""
    if "." not in endpoint:
        endpoint = f"content.{endpoint}"
    if view.kind == ItemKind.NEWS:  # news has its own routes, for managers only
        news_endpoint = NEWS_ENDPOINTS.get(endpoint, "discover.news_page")
        return links.url_for_id(news_endpoint, "item_id", view.id)
    kind_slug = services.KIND_SLUGS[view.kind]
    return links.url_for_id(endpoint, "item_id", view.id, kind_slug=kind_slug)


@bp.app_template_global()
def blank_contact_form() -> ContactForm:
    """The relay form as a visitor first sees it, rendered once per language
    (templates/content/show.html); its CSRF token is the page's own, outside that part."""
    return ContactForm(formdata=None, meta={"csrf": False})


NEWS_ENDPOINTS = {"content.edit": "discover.edit_news", "content.delete": "discover.delete_news"}


def date_choice(starts_at, counts) -> str:
    """A date of a series in the sign-up form, with how full it is."""
    when = local_datetime(starts_at)
    if counts.full:
        return _("%(when)s (full: waiting list)", when=when)
    if counts.places_left is not None:
        return _("%(when)s (%(left)d places left)", when=when, left=counts.places_left)
    return when


def render_item_page(
    item: Item,
    *,
    invite_form: InviteForm | None = None,
    contact_form: ContactForm | None = None,  # None: blank (the same for every visitor)
    signup_form: SignupForm | None = None,
) -> str:
    """The item page, also when a form on it comes back with errors."""
    with_signups = item.kind == ItemKind.ACTIVITY and item.signups_enabled
    dates = signup_services.open_dates(item, local_now()) if with_signups else []
    counts = signup_services.date_counts(item, dates) if dates else {}
    if with_signups:  # forms only where the page shows them: each costs its set-up
        signup_form = signup_form or SignupForm(formdata=None)
        signup_form.occurrence.choices = [
            (row.id, date_choice(row.starts_at, counts[row.id])) for row in dates
        ]
    first = counts[dates[0].id] if dates else None
    view = item_view(
        item,
        current_user,
        signups=(first or signup_services.counts(item)) if with_signups else None,
    )
    if view.can_invite:
        invite_form = invite_form or InviteForm(formdata=None)
    return render_template(
        "content/show.html",
        item=view,
        invite_form=invite_form,
        contact_form=contact_form,
        signup_form=signup_form,
        signup_dates=bool(dates),
        signups_open=with_signups and signup_services.is_open(item),
        relay_open=relay.relay_open(item, local_now().date()) and not view.editable,
        relay_days=ALIAS_LIFETIME.days,
        co_managers=[m.user.name for m in item.co_managers] if view.can_invite else [],
    )


@bp.get(f"/{KIND_PATH}/<int:item_id>")
def show(kind_slug: str, item_id: int):
    item = load_item(kind_slug, item_id)
    pagecache.shows(neighbourhood_id=item.neighbourhood_id, item_id=item.id)
    return render_item_page(item)


def _recipient_key() -> str:
    """Rate-limit key per recipient (a keyed hash), whichever visitor writes."""
    item = db.session.get(Item, (request.view_args or {}).get("item_id", 0))
    if item is None:
        return "relay:none"
    address, _owner = relay.recipient(item)
    return "relay:" + relay.address_hash(address)[:32]


@bp.post(f"/{KIND_PATH}/<int:item_id>/contact")
@keeps_text
@limiter.limit("5/10 minutes;20/day")
@limiter.limit(
    "20/hour;60/day",
    key_func=_recipient_key,
    deduct_when=lambda response: response.status_code == 302,
)
def contact(kind_slug: str, item_id: int):
    """The relay form on the item page; its errors re-render the page."""
    item = load_item(kind_slug, item_id)
    if not relay.relay_open(item, local_now().date()):
        return render_template("contact/closed.html", title=item.title), 410
    form = ContactForm()
    if not form.validate_on_submit():
        return render_item_page(item, contact_form=form), 400
    if not form.website.data:  # a filled honeypot gets the same answer, nothing is sent
        relay.send(
            item,
            form.name.data or "",
            form.email.data or "",
            form.message.data or "",
            utcnow(),
            locale=str(get_locale() or "") or None,
        )
    flash(
        _("Thank you, your message has been sent. The contact person can answer you by e-mail."),
        "success",
    )
    return redirect(item_url(item))


@bp.post("/activiteit/<int:item_id>/aanmelden")
@keeps_text
@limiter.limit("5/10 minutes;30/day")
def sign_up(item_id: int):
    """The sign-up form on an activity page; its errors re-render the page."""
    activity = load_item("activiteit", item_id)
    if not signup_services.is_open(activity):
        return render_template("signups/closed.html", title=activity.title), 410
    form = SignupForm()
    if not form.validate_on_submit():
        return render_item_page(activity, signup_form=form), 400
    if form.website.data:  # a filled honeypot gets the same answer, nothing is stored
        flash(_("Thank you! Check your mail for the confirmation."), "success")
        return redirect(item_url(activity))
    occurrence = None
    if activity.rrule:  # a series: one of its open dates, chosen in the form
        occurrence = next(
            (
                row
                for row in signup_services.open_dates(activity, local_now())
                if row.id == form.occurrence.data
            ),
            None,
        )
        if occurrence is None:
            form.occurrence.errors = [_("Choose one of the dates.")]
            return render_item_page(activity, signup_form=form), 400
    signup = signup_services.sign_up(
        activity, form.name.data or "", form.email.data or "", occurrence
    )
    if signup.status == SignUpStatus.WAITING:
        flash(
            _(
                "The activity is full, so you are on the waiting list. We will mail you when "
                "a place comes free."
            ),
            "success",
        )
    else:
        flash(_("Thank you! Check your mail for the confirmation."), "success")
    return redirect(item_url(activity))
