"""Newsletters: the manager's drafts, preview, test copy and sending; the subscriber list
and its audited export; a resident's opt-ins; the public archive; and the RFC 8058
one-click unsubscribe link (the only view exempt from CSRF, by name)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from wijk.clock import local_now
from wijk.extensions import csrf, db, limiter
from wijk.forms import add_error
from wijk.manage.services import deny, place_in_scope
from wijk.models import Municipality, Neighbourhood, Newsletter
from wijk.models.base import utcnow
from wijk.newsletters import bp, forms, optin
from wijk.newsletters import services as letters
from wijk.newsletters import subscriptions as subs
from wijk.newsletters.formatting import agenda_for
from wijk.sanitize import editable_text
from wijk.security.decorators import manager_required

PAGE_SIZE = 100


def _newsletter(place, newsletter_id) -> Newsletter:
    """A newsletter of this neighbourhood; one of another neighbourhood is a forged form."""
    try:
        newsletter = db.session.get(Newsletter, int(newsletter_id))
    except (TypeError, ValueError, OverflowError):
        newsletter = None
    if newsletter is None:
        abort(404)
    if newsletter.neighbourhood_id != place.id:
        deny(current_user, newsletter.neighbourhood_id)
    return newsletter


# --- subscribers ------------------------------------------------------------------------


@bp.get("/beheer/<slug>/abonnees")
@manager_required
def subscribers(slug: str):
    place = place_in_scope(current_user, slug)
    page = request.args.get("pagina", 1, type=int) or 1
    total = letters.account_subscriber_count(place.id)
    people = letters.subscribers(place, current_user, page=page, per_page=PAGE_SIZE)
    return render_template(
        "newsletters/subscribers.html",
        place=place,
        people=people,
        total=total,
        page=page,
        by_email=letters.email_subscriber_count(place.id),
        has_next=page * PAGE_SIZE < total,
    )


@bp.post("/beheer/<slug>/abonnees/export")
@manager_required
def export(slug: str):
    place = place_in_scope(current_user, slug)
    text, _count = letters.export_csv(place, current_user)
    filename = f"abonnees-{place.slug}-{local_now().date().isoformat()}.csv"
    return (
        text,
        200,
        {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


# --- newsletters ------------------------------------------------------------------------


@bp.get("/beheer/<slug>/nieuwsbrieven")
@manager_required
def newsletters(slug: str):
    place = place_in_scope(current_user, slug)
    return render_template(
        "newsletters/newsletters.html",
        place=place,
        drafts=letters.drafts(place),
        sent=letters.sent_newsletters(place),
        count=letters.subscriber_count(place.id),
    )


@bp.get("/beheer/<slug>/nieuwsbrieven/nieuw")
@manager_required
def newsletter_new(slug: str):
    place = place_in_scope(current_user, slug)
    return render_template(
        "newsletters/newsletter_form.html", place=place, form=forms.NewsletterForm(formdata=None)
    )


@bp.get("/beheer/<slug>/nieuwsbrieven/<int:newsletter_id>/bewerken")
@manager_required
def newsletter_edit(slug: str, newsletter_id: int):
    place = place_in_scope(current_user, slug)
    newsletter = _newsletter(place, newsletter_id)
    if newsletter.sent_at is not None:
        return redirect(url_for(".newsletter_preview", slug=slug, newsletter_id=newsletter.id))
    form = forms.NewsletterForm(
        formdata=None,
        newsletter_id=newsletter.id,
        subject=newsletter.subject,
        body=newsletter.body_source or editable_text(newsletter.body_html),
        with_agenda=newsletter.with_agenda,
    )
    return render_template("newsletters/newsletter_form.html", place=place, form=form)


@bp.post("/beheer/<slug>/nieuwsbrieven/opslaan")
@manager_required
def newsletter_save(slug: str):
    place = place_in_scope(current_user, slug)
    form = forms.NewsletterForm()
    existing = _newsletter(place, form.newsletter_id.data) if form.newsletter_id.data else None
    if form.validate_on_submit():
        try:
            newsletter = letters.save(
                place,
                current_user,
                form.subject.data or "",
                form.body.data or "",
                existing,
                with_agenda=form.with_agenda.data,
            )
        except letters.NewsletterError as error:
            if str(error) == "sent":
                flash(_("This newsletter has been sent already and can no longer change."), "info")
                return redirect(url_for(".newsletters", slug=place.slug))
            add_error(form.body, _("The newsletter has no text. Write something first."))
        else:
            return redirect(
                url_for(".newsletter_preview", slug=place.slug, newsletter_id=newsletter.id)
            )
    return render_template("newsletters/newsletter_form.html", place=place, form=form), 400


@bp.get("/beheer/<slug>/nieuwsbrieven/<int:newsletter_id>")
@manager_required
def newsletter_preview(slug: str, newsletter_id: int):
    place = place_in_scope(current_user, slug)
    newsletter = _newsletter(place, newsletter_id)
    return render_template(
        "newsletters/newsletter_preview.html",
        place=place,
        newsletter=newsletter,
        body=Markup(newsletter.body_html),  # noqa: S704
        count=letters.subscriber_count(place.id),
        agenda=agenda_for(newsletter),
        form=forms.SendForm(formdata=None, newsletter_id=newsletter.id),
    )


@bp.post("/beheer/<slug>/nieuwsbrieven/test")
@manager_required
@limiter.limit("10/hour")
def newsletter_test(slug: str):
    place = place_in_scope(current_user, slug)
    form = forms.SendForm()
    if not form.validate_on_submit():
        abort(400)
    newsletter = _newsletter(place, form.newsletter_id.data)
    letters.send_test(newsletter, current_user)
    flash(_("A test copy is on its way to %(email)s.", email=current_user.email), "success")
    return redirect(url_for(".newsletter_preview", slug=place.slug, newsletter_id=newsletter.id))


@bp.post("/beheer/<slug>/nieuwsbrieven/versturen")
@manager_required
def newsletter_send(slug: str):
    place = place_in_scope(current_user, slug)
    form = forms.SendForm()
    if not form.validate_on_submit():
        abort(400)
    newsletter = _newsletter(place, form.newsletter_id.data)
    if newsletter.sent_at is None and not request.form.get("confirmed"):
        # Step one: name the number of recipients; nothing is queued until confirmed.
        return render_template(
            "newsletters/newsletter_confirm.html",
            place=place,
            newsletter=newsletter,
            count=letters.subscriber_count(place.id),
            form=forms.ConfirmSendForm(formdata=None, newsletter_id=newsletter.id, confirmed="1"),
        )
    try:
        queued = letters.send(newsletter, current_user)
    except letters.NewsletterError:
        flash(_("The newsletter has no text. Write something first."), "error")
        return redirect(url_for(".newsletter_edit", slug=place.slug, newsletter_id=newsletter.id))
    if queued is not None:
        flash(_("The newsletter is on its way to %(n)d subscriber(s).", n=queued), "success")
    else:
        flash(_("This newsletter has been sent already; it was not sent again."), "info")
    return redirect(url_for(".newsletters", slug=place.slug))


# --- subscriptions of the resident, and the public archive ------------------------------


@bp.app_template_global()
def newsletter_choices() -> list[tuple]:
    """(neighbourhood, subscribed?) for the account page's opt-in boxes."""
    active = subs.active_neighbourhood_ids(current_user) if current_user.is_authenticated else set()
    return [(place, place.id in active) for place in Neighbourhood.ordered()]


@bp.app_template_global()
def letter_url(place: Neighbourhood | Municipality, endpoint: str, **values: Any) -> str:
    """A page of the newsletter screens, for a neighbourhood's managers or (the same
    view names in `cities`) for a city's staff."""
    if isinstance(place, Municipality):
        return url_for(f"cities.{endpoint}", city_slug=place.slug, **values)
    return url_for(f"newsletters.{endpoint}", slug=place.slug, **values)


@bp.app_template_global()
def is_city(place: object) -> bool:
    return isinstance(place, Municipality)


def _ids(values: list[str]) -> set[int]:
    """Ids from checkboxes; anything that is not a plain short number is dropped."""
    return {int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 10}


@bp.app_template_global()
def city_newsletter_choices() -> list[tuple]:
    """(municipality, subscribed?) for the account page's city newsletter boxes."""
    active = subs.active_municipality_ids(current_user) if current_user.is_authenticated else set()
    return [(city, city.id in active) for city in Municipality.ordered()]


@bp.post("/account/nieuwsbrieven")
@login_required
def subscriptions():
    wanted = _ids(request.form.getlist("neighbourhood"))
    cities = None  # city boxes untouched unless the form showed them
    if request.form.get("cities_shown"):
        cities = _ids(request.form.getlist("municipality"))
    subs.set_subscriptions(current_user, wanted, source="account", cities=cities)
    flash(_("Your newsletter choices have been saved."), "success")
    return redirect(url_for("accounts.account") + "#newsletters")


@bp.get("/wijk/<slug>/nieuwsbrieven")
def archive(slug: str):
    place = Neighbourhood.by_slug(slug)
    if place is None:
        abort(404)
    return render_template(
        "newsletters/archive.html", place=place, newsletters=letters.sent_newsletters(place)
    )


@bp.get("/wijk/<slug>/nieuwsbrieven/<int:newsletter_id>")
def archived(slug: str, newsletter_id: int):
    place = Neighbourhood.by_slug(slug)
    newsletter = db.session.get(Newsletter, newsletter_id)
    if (
        place is None
        or newsletter is None
        or newsletter.neighbourhood_id != place.id
        or newsletter.sent_at is None
    ):
        abort(404)
    return render_template(
        "newsletters/archived.html",
        place=place,
        newsletter=newsletter,
        body=Markup(newsletter.body_html),  # noqa: S704 (sanitised on save)
    )


@bp.route("/nieuwsbrief/afmelden/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """RFC 8058: a mail program POSTs here without a CSRF token or a session, so this one
    view is exempt. The signed token is the only authority; a bad one changes nothing."""
    target = subs.read_unsubscribe_token(token)
    if target is None:
        return render_template("newsletters/unsubscribe_failed.html"), 400
    by_email = target.subscription_id is not None
    if request.method == "POST":
        stopped = subs.unsubscribe(target)
        return render_template(
            "newsletters/unsubscribed.html",
            place=target.place,
            by_email=by_email,
            already=not stopped,
        )
    if not subs.is_subscribed(target):  # a used link: nothing left to ask
        return render_template(
            "newsletters/unsubscribed.html",
            place=target.place,
            by_email=by_email,
            already=True,
        )
    return render_template("newsletters/unsubscribe.html", place=target.place)


# --- without an account: double opt-in from the neighbourhood page ----------------------


@bp.post("/wijk/<slug>/nieuwsbrief")
@limiter.limit("10/hour")
def subscribe_email(slug: str):
    """An account opts in at once; an address alone gets a confirmation mail first."""
    place = Neighbourhood.by_slug(slug)
    if place is None:
        abort(404)
    if current_user.is_authenticated and current_user.email_verified_at is not None:
        subs.subscribe(current_user, place.id, "page")
        db.session.commit()
        flash(_("You will receive the newsletter of %(name)s.", name=place.name), "success")
        return redirect(url_for("neighbourhoods.neighbourhood", slug=place.slug))
    form = forms.EmailSubscribeForm()
    if not form.validate_on_submit():
        return render_template("newsletters/optin.html", place=place, form=form), 400
    optin.request_subscription(place, form.email.data or "", str(get_locale() or ""), utcnow())
    return render_template(
        "newsletters/optin_sent.html", place=place, days=optin.CONFIRM_WITHIN.days
    )


@bp.route("/nieuwsbrief/bevestigen/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The link from the confirmation mail shows a button; only the POST confirms, so a
    mail scanner that opens links does not subscribe anyone."""
    row = optin.pending(token)
    if row is None:
        return render_template("newsletters/optin_failed.html"), 400
    if request.method == "POST":
        optin.confirm(row, utcnow())
        return render_template("newsletters/optin_confirmed.html", place=row.place)
    return render_template("newsletters/optin_confirm.html", place=row.place)
