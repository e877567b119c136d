"""The city staff's own pages (/gemeente/<slug>/beheer): an overview of the city's
neighbourhoods with their open reports, city news, and the city newsletter (write,
preview, test copy, confirm, send). Moderation itself is the manager area's, which
`can_moderate` opens to city staff for every neighbourhood of their city.

Each route passes `manager_required` (city staff need two-step login like managers)
and then `city_in_scope`: another city answers 403 and leaves an audit entry."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from wijk import audit
from wijk.cities import bp, services
from wijk.discover.forms import NewsForm
from wijk.extensions import db, limiter
from wijk.forms import add_error
from wijk.manage.services import open_report_counts
from wijk.models import CityNews, Municipality, Newsletter
from wijk.newsletters import forms
from wijk.newsletters import services as letters
from wijk.newsletters.formatting import agenda_for
from wijk.sanitize import editable_text
from wijk.security.decorators import manager_required
from wijk.security.permissions import can_act_for_city


def city_in_scope(city_slug: str) -> Municipality:
    """The city at this URL if the user acts for it: 404 when there is none, 403 with an
    audit entry when it is another city."""
    city = Municipality.by_slug(city_slug)
    if city is None:
        abort(404)
    if not can_act_for_city(current_user, city):
        audit.record(
            current_user,
            "access.denied",
            detail=f"{request.method} {request.path}"[:500],
        )
        db.session.commit()
        abort(403)
    return city


def _news(city: Municipality, news_id: int) -> CityNews:
    news = db.session.get(CityNews, news_id)
    if news is None or news.municipality_id != city.id:
        abort(404)
    return news


def _newsletter(city: Municipality, newsletter_id: object) -> Newsletter:
    """A newsletter of this city; one of another place is a forged form (404)."""
    try:
        wanted = int(str(newsletter_id))
    except (TypeError, ValueError):
        wanted = 0
    newsletter = db.session.get(Newsletter, wanted) if 0 < wanted < 2**31 else None
    if newsletter is None or newsletter.municipality_id != city.id:
        abort(404)
    return newsletter


@bp.get("/gemeente/<city_slug>/beheer")
@manager_required
def staff_city(city_slug: str):
    city = city_in_scope(city_slug)
    places = city.neighbourhoods
    return render_template(
        "cities/staff.html",
        place=city,
        places=places,
        counts=open_report_counts([p.id for p in places]),
        staff=services.staff_of(city),
        news=services.news_archive(city, 1)[0],
        count=letters.subscriber_count(city),
    )


# --- city news ------------------------------------------------------------------------------


@bp.route("/gemeente/<city_slug>/beheer/nieuws", methods=["GET", "POST"])
@manager_required
def post_news(city_slug: str):
    city = city_in_scope(city_slug)
    form = NewsForm()
    if form.validate_on_submit():
        news = services.post_news(city, current_user, form.title.data or "", form.body.data or "")
        flash(_("The news is on the city page and on the pages of its neighbourhoods."), "success")
        return redirect(url_for(".news_page", city_slug=city.slug, news_id=news.id))
    return render_template(
        "cities/news_form.html", form=form, place=city, news=None
    ), 400 if form.errors else 200


@bp.route("/gemeente/<city_slug>/beheer/nieuws/<int:news_id>", methods=["GET", "POST"])
@manager_required
def edit_news(city_slug: str, news_id: int):
    city = city_in_scope(city_slug)
    news = _news(city, news_id)
    form = NewsForm(obj=news)
    if request.method == "GET":
        form.body.data = editable_text(news.body_html)
    if form.validate_on_submit():
        services.edit_news(news, form.title.data or "", form.body.data or "")
        flash(_("Your changes have been saved."), "success")
        return redirect(url_for(".news_page", city_slug=city.slug, news_id=news.id))
    return render_template(
        "cities/news_form.html", form=form, place=city, news=news
    ), 400 if form.errors else 200


@bp.post("/gemeente/<city_slug>/beheer/nieuws/<int:news_id>/verwijderen")
@manager_required
def delete_news(city_slug: str, news_id: int):
    city = city_in_scope(city_slug)
    services.remove_news(_news(city, news_id))
    flash(_("Deleted."), "success")
    return redirect(url_for(".city", city_slug=city.slug))


# --- the city newsletter --------------------------------------------------------------------


@bp.get("/gemeente/<city_slug>/beheer/nieuwsbrieven")
@manager_required
def newsletters(city_slug: str):
    city = city_in_scope(city_slug)
    return render_template(
        "newsletters/newsletters.html",
        place=city,
        drafts=letters.drafts(city),
        sent=letters.sent_newsletters(city),
        count=letters.subscriber_count(city),
    )


@bp.get("/gemeente/<city_slug>/beheer/nieuwsbrieven/nieuw")
@manager_required
def newsletter_new(city_slug: str):
    city = city_in_scope(city_slug)
    return render_template(
        "newsletters/newsletter_form.html", place=city, form=forms.NewsletterForm(formdata=None)
    )


@bp.get("/gemeente/<city_slug>/beheer/nieuwsbrieven/<int:newsletter_id>/bewerken")
@manager_required
def newsletter_edit(city_slug: str, newsletter_id: int):
    city = city_in_scope(city_slug)
    newsletter = _newsletter(city, newsletter_id)
    if newsletter.sent_at is not None:
        return redirect(
            url_for(".newsletter_preview", city_slug=city.slug, newsletter_id=newsletter.id)
        )
    form = forms.NewsletterForm(
        formdata=None,
        newsletter_id=newsletter.id,
        subject=newsletter.subject,
        body=newsletter.body_source or editable_text(newsletter.body_html),
        with_agenda=newsletter.with_agenda,
    )
    return render_template("newsletters/newsletter_form.html", place=city, form=form)


@bp.post("/gemeente/<city_slug>/beheer/nieuwsbrieven/opslaan")
@manager_required
def newsletter_save(city_slug: str):
    city = city_in_scope(city_slug)
    form = forms.NewsletterForm()
    existing = _newsletter(city, form.newsletter_id.data) if form.newsletter_id.data else None
    if form.validate_on_submit():
        try:
            newsletter = letters.save(
                city,
                current_user,
                form.subject.data or "",
                form.body.data or "",
                existing,
                with_agenda=form.with_agenda.data,
            )
        except letters.NewsletterError as error:
            if str(error) == "sent":
                flash(_("This newsletter has been sent already and can no longer change."), "info")
                return redirect(url_for(".newsletters", city_slug=city.slug))
            add_error(form.body, _("The newsletter has no text. Write something first."))
        else:
            return redirect(
                url_for(".newsletter_preview", city_slug=city.slug, newsletter_id=newsletter.id)
            )
    return render_template("newsletters/newsletter_form.html", place=city, form=form), 400


@bp.get("/gemeente/<city_slug>/beheer/nieuwsbrieven/<int:newsletter_id>")
@manager_required
def newsletter_preview(city_slug: str, newsletter_id: int):
    city = city_in_scope(city_slug)
    newsletter = _newsletter(city, newsletter_id)
    return render_template(
        "newsletters/newsletter_preview.html",
        place=city,
        newsletter=newsletter,
        body=Markup(newsletter.body_html),  # noqa: S704 (sanitised on save)
        count=letters.subscriber_count(city),
        agenda=agenda_for(newsletter),
        form=forms.SendForm(formdata=None, newsletter_id=newsletter.id),
    )


@bp.post("/gemeente/<city_slug>/beheer/nieuwsbrieven/test")
@manager_required
@limiter.limit("10/hour")
def newsletter_test(city_slug: str):
    city = city_in_scope(city_slug)
    form = forms.SendForm()
    if not form.validate_on_submit():
        abort(400)
    newsletter = _newsletter(city, form.newsletter_id.data)
    letters.send_test(newsletter, current_user)
    flash(_("A test copy is on its way to %(email)s.", email=current_user.email), "success")
    return redirect(
        url_for(".newsletter_preview", city_slug=city.slug, newsletter_id=newsletter.id)
    )


@bp.post("/gemeente/<city_slug>/beheer/nieuwsbrieven/versturen")
@manager_required
def newsletter_send(city_slug: str):
    city = city_in_scope(city_slug)
    form = forms.SendForm()
    if not form.validate_on_submit():
        abort(400)
    newsletter = _newsletter(city, form.newsletter_id.data)
    if newsletter.sent_at is None and not request.form.get("confirmed"):
        # Step one: name the number of recipients; nothing is queued until confirmed.
        return render_template(
            "newsletters/newsletter_confirm.html",
            place=city,
            newsletter=newsletter,
            count=letters.subscriber_count(city),
            form=forms.ConfirmSendForm(formdata=None, newsletter_id=newsletter.id, confirmed="1"),
        )
    try:
        queued = letters.send(newsletter, current_user)
    except letters.NewsletterError:
        flash(_("The newsletter has no text. Write something first."), "error")
        return redirect(
            url_for(".newsletter_edit", city_slug=city.slug, newsletter_id=newsletter.id)
        )
    if queued is not None:
        flash(_("The newsletter is on its way to %(n)d subscriber(s).", n=queued), "success")
    else:
        flash(_("This newsletter has been sent already; it was not sent again."), "info")
    return redirect(url_for(".newsletters", city_slug=city.slug))
