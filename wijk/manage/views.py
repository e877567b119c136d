"""The manager area (/beheer/<slug>/...), reports, newsletter subscriptions, the public
newsletter archive and the one-click unsubscribe link.

Every manager route passes `manager_required` (logged in, a manager or admin, TOTP on)
and then `require_scope`, which answers 403 and leaves an audit entry for any
neighbourhood or item outside the manager's own."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from wijk.contact.forms import ReportForm
from wijk.content.views import KIND_PATH, load_item
from wijk.extensions import csrf, db, limiter
from wijk.manage import bp, forms, services
from wijk.manage import newsletters as letters
from wijk.models import Item, Newsletter
from wijk.neighbourhoods.services import all_neighbourhoods, get_by_slug
from wijk.sanitize import editable_text
from wijk.security.decorators import manager_required

PAGE_SIZE = 100


def _place(slug: str):
    """The neighbourhood at this URL, if the current user moderates it (else 403 + audit)."""
    place = get_by_slug(slug)
    if place is None:
        abort(404)
    services.require_scope(current_user, place)
    return place


def _item(slug: str, item_id: int) -> tuple:
    place = get_by_slug(slug)
    item = db.session.get(Item, item_id)
    if place is None or item is None:
        abort(404)
    services.require_scope(current_user, place, item)
    return place, item


def _newsletter(place, newsletter_id) -> Newsletter:
    """A newsletter of this neighbourhood; one of another neighbourhood is a forged form."""
    try:
        newsletter = db.session.get(Newsletter, int(newsletter_id))
    except (TypeError, ValueError):
        newsletter = None
    if newsletter is None:
        abort(404)
    if newsletter.neighbourhood_id != place.id:
        services.deny(current_user, newsletter.neighbourhood_id)
    return newsletter


@bp.app_template_global()
def manage_item_link(item: Item) -> str:
    return url_for("manage.item", slug=item.neighbourhood.slug, item_id=item.id)


# --- overview and queue -----------------------------------------------------------------


@bp.get("/beheer")
@manager_required
def index():
    places = services.managed_neighbourhoods(current_user)
    counts = services.open_report_counts([p.id for p in places])
    return render_template("manage/index.html", places=places, counts=counts)


@bp.get("/beheer/<slug>")
@manager_required
def queue(slug: str):
    place = _place(slug)
    return render_template("manage/queue.html", place=place,
                           queue=services.moderation_queue(place))


@bp.post("/beheer/<slug>/beoordeeld")
@manager_required
def reviewed(slug: str):
    place = _place(slug)
    services.mark_reviewed(place, current_user)
    flash(_("The queue is marked as reviewed. New posts from now on will show up here."),
          "success")
    return redirect(url_for(".queue", slug=place.slug))


# --- one item ---------------------------------------------------------------------------


def _render_item(place, item, *, hide_form=None, resolve_form=None, status=200):
    return render_template(
        "manage/item.html", place=place, item=item,
        description=Markup(item.description or ""),  # noqa: S704 (sanitised on save)
        reports=services.reports_of(item), revisions=services.revisions_of(item),
        hide_form=hide_form or forms.ReasonForm(formdata=None),
        resolve_form=resolve_form or forms.ResolveForm(formdata=None),
    ), status


@bp.get("/beheer/<slug>/items/<int:item_id>")
@manager_required
def item(slug: str, item_id: int):
    place, item = _item(slug, item_id)
    services.item_page(item, current_user)
    return _render_item(place, item)


def _moderate(slug: str, item_id: int, step) -> object:
    place, item = _item(slug, item_id)
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        return _render_item(place, item, hide_form=form, status=400)
    try:
        step(item, current_user, form.reason.data)
    except services.ModerationError:
        flash(_("This item is already in that state."), "info")
    else:
        flash(_("Done. The author has been told by e-mail."), "success")
    return redirect(url_for(".item", slug=place.slug, item_id=item.id))


@bp.post("/beheer/<slug>/items/<int:item_id>/verbergen")
@manager_required
def hide(slug: str, item_id: int):
    return _moderate(slug, item_id, services.hide)


@bp.post("/beheer/<slug>/items/<int:item_id>/herstellen")
@manager_required
def restore(slug: str, item_id: int):
    return _moderate(slug, item_id, services.restore)


@bp.route("/beheer/<slug>/items/<int:item_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit(slug: str, item_id: int):
    place, item = _item(slug, item_id)
    if item.kind not in forms.FORMS:
        abort(404)
    fields = services.editable_fields(item)
    form = forms.edit_form(item.kind, fields, obj=item)
    if request.method == "GET":
        form.description.data = editable_text(item.description)
    if form.validate_on_submit():
        data = {k: v for k, v in form.data.items() if k in fields}
        if services.edit(item, current_user, data, form.note.data):
            flash(_("Saved. The author has been told, and the previous version is kept."),
                  "success")
        else:
            flash(_("Nothing was changed."), "info")
        return redirect(url_for(".item", slug=place.slug, item_id=item.id))
    status = 400 if form.errors else 200
    return render_template("manage/edit.html", place=place, item=item, form=form), status


@bp.post("/beheer/<slug>/items/<int:item_id>/meldingen")
@manager_required
def resolve(slug: str, item_id: int):
    place, item = _item(slug, item_id)
    form = forms.ResolveForm()
    if not form.validate_on_submit():
        return _render_item(place, item, resolve_form=form, status=400)
    count = services.resolve_reports(item, current_user, form.note.data)
    if count:
        flash(_("%(n)d report(s) handled.", n=count), "success")
    else:
        flash(_("There were no open reports."), "info")
    return redirect(url_for(".item", slug=place.slug, item_id=item.id))


# --- reports, by anyone -----------------------------------------------------------------


@bp.route(f"/{KIND_PATH}/<int:item_id>/melden", methods=["GET", "POST"])
@limiter.limit("5/hour;20/day", methods=["POST"])
def report_item(kind_slug: str, item_id: int):
    item = load_item(kind_slug, item_id)
    if not item.is_published:
        abort(404)
    form = ReportForm()
    if form.validate_on_submit():
        services.report(item, form.reason.data)
        return render_template("contact/reported.html")
    status = 400 if form.errors else 200
    return render_template("contact/report.html", form=form, title=item.title), status


# --- subscribers ------------------------------------------------------------------------


@bp.get("/beheer/<slug>/abonnees")
@manager_required
def subscribers(slug: str):
    place = _place(slug)
    page = request.args.get("pagina", 1, type=int) or 1
    total = letters.subscriber_count(place.id)
    people = letters.subscribers(place, current_user, page=page, per_page=PAGE_SIZE)
    return render_template("manage/subscribers.html", place=place, people=people,
                           total=total, page=page,
                           has_next=page * PAGE_SIZE < total)


@bp.post("/beheer/<slug>/abonnees/export")
@manager_required
def export(slug: str):
    place = _place(slug)
    text, _count = letters.export_csv(place, current_user)
    filename = f"abonnees-{place.slug}-{date.today().isoformat()}.csv"
    return text, 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }


# --- newsletters ------------------------------------------------------------------------


@bp.get("/beheer/<slug>/nieuwsbrieven")
@manager_required
def newsletters(slug: str):
    place = _place(slug)
    return render_template("manage/newsletters.html", place=place,
                           drafts=letters.drafts(place), sent=letters.sent_newsletters(place),
                           count=letters.subscriber_count(place.id))


@bp.get("/beheer/<slug>/nieuwsbrieven/nieuw")
@manager_required
def newsletter_new(slug: str):
    place = _place(slug)
    return render_template("manage/newsletter_form.html", place=place,
                           form=forms.NewsletterForm(formdata=None))


@bp.get("/beheer/<slug>/nieuwsbrieven/<int:newsletter_id>/bewerken")
@manager_required
def newsletter_edit(slug: str, newsletter_id: int):
    place = _place(slug)
    newsletter = _newsletter(place, newsletter_id)
    if newsletter.sent_at is not None:
        return redirect(url_for(".newsletter_preview", slug=slug, newsletter_id=newsletter.id))
    form = forms.NewsletterForm(formdata=None, newsletter_id=newsletter.id,
                                subject=newsletter.subject,
                                body=editable_text(newsletter.body_html))
    return render_template("manage/newsletter_form.html", place=place, form=form)


@bp.post("/beheer/<slug>/nieuwsbrieven/opslaan")
@manager_required
def newsletter_save(slug: str):
    place = _place(slug)
    form = forms.NewsletterForm()
    existing = _newsletter(place, form.newsletter_id.data) if form.newsletter_id.data else None
    if form.validate_on_submit():
        try:
            newsletter = letters.save(place, current_user, form.subject.data, form.body.data,
                                      existing)
        except letters.NewsletterError as error:
            if str(error) == "sent":
                flash(_("This newsletter has been sent already and can no longer change."),
                      "info")
                return redirect(url_for(".newsletters", slug=place.slug))
            form.body.errors.append(_("The newsletter has no text. Write something first."))
        else:
            return redirect(url_for(".newsletter_preview", slug=place.slug,
                                    newsletter_id=newsletter.id))
    return render_template("manage/newsletter_form.html", place=place, form=form), 400


@bp.get("/beheer/<slug>/nieuwsbrieven/<int:newsletter_id>")
@manager_required
def newsletter_preview(slug: str, newsletter_id: int):
    place = _place(slug)
    newsletter = _newsletter(place, newsletter_id)
    return render_template("manage/newsletter_preview.html", place=place,
                           newsletter=newsletter, body=Markup(newsletter.body_html),  # noqa: S704
                           count=letters.subscriber_count(place.id),
                           form=forms.SendForm(formdata=None, newsletter_id=newsletter.id))


@bp.post("/beheer/<slug>/nieuwsbrieven/test")
@manager_required
@limiter.limit("10/hour")
def newsletter_test(slug: str):
    place = _place(slug)
    form = forms.SendForm()
    if not form.validate_on_submit():
        abort(400)
    newsletter = _newsletter(place, form.newsletter_id.data)
    letters.send_test(newsletter, current_user)
    flash(_("A test copy is on its way to %(email)s.", email=current_user.email), "success")
    return redirect(url_for(".newsletter_preview", slug=place.slug,
                            newsletter_id=newsletter.id))


@bp.post("/beheer/<slug>/nieuwsbrieven/versturen")
@manager_required
def newsletter_send(slug: str):
    place = _place(slug)
    form = forms.SendForm()
    if not form.validate_on_submit():
        abort(400)
    newsletter = _newsletter(place, form.newsletter_id.data)
    try:
        queued = letters.send(newsletter, current_user)
    except letters.NewsletterError:
        flash(_("The newsletter has no text. Write something first."), "error")
        return redirect(url_for(".newsletter_edit", slug=place.slug,
                                newsletter_id=newsletter.id))
    if queued is not None:
        flash(_("The newsletter is on its way to %(n)d subscriber(s).", n=queued), "success")
    else:
        flash(_("This newsletter has been sent already; it was not sent again."), "info")
    return redirect(url_for(".newsletters", slug=place.slug))


# --- subscriptions of the resident, and the public archive ------------------------------


@bp.app_template_global()
def newsletter_choices() -> list[tuple]:
    """(neighbourhood, subscribed?) for the account page's opt-in boxes."""
    from wijk.manage.newsletters import active_neighbourhood_ids

    active = active_neighbourhood_ids(current_user) if current_user.is_authenticated else set()
    return [(place, place.id in active) for place in all_neighbourhoods()]


@bp.post("/account/nieuwsbrieven")
@login_required
def subscriptions():
    wanted = {int(v) for v in request.form.getlist("neighbourhood") if v.isdigit()}
    letters.set_subscriptions(current_user, wanted, source="account")
    flash(_("Your newsletter choices have been saved."), "success")
    return redirect(url_for("accounts.account") + "#newsletters")


@bp.get("/wijk/<slug>/nieuwsbrieven")
def archive(slug: str):
    place = get_by_slug(slug)
    if place is None:
        abort(404)
    return render_template("manage/archive.html", place=place,
                           newsletters=letters.sent_newsletters(place))


@bp.get("/wijk/<slug>/nieuwsbrieven/<int:newsletter_id>")
def archived(slug: str, newsletter_id: int):
    place = get_by_slug(slug)
    newsletter = db.session.get(Newsletter, newsletter_id)
    if (place is None or newsletter is None or newsletter.neighbourhood_id != place.id
            or newsletter.sent_at is None):
        abort(404)
    return render_template("manage/archived.html", place=place, newsletter=newsletter,
                           body=Markup(newsletter.body_html))  # noqa: S704 (sanitised)


@bp.route("/nieuwsbrief/afmelden/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """RFC 8058: a mail program POSTs here without a CSRF token or a session, so this one
    view is exempt. The signed token is the only authority; a bad one changes nothing."""
    target = letters.read_unsubscribe_token(token)
    if target is None:
        return render_template("manage/unsubscribe_failed.html"), 400
    if request.method == "POST":
        letters.unsubscribe(target)
        return render_template("manage/unsubscribed.html", place=target.neighbourhood)
    return render_template("manage/unsubscribe.html", place=target.neighbourhood)
