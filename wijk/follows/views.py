"""Follow buttons, the confirmation of a follow by e-mail, and the RFC 8058 one-click
stop link of a digest (exempt from CSRF by name, like the newsletter's)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wijk.clock import utcnow
from wijk.extensions import csrf, limiter
from wijk.follows import bp, forms, services
from wijk.security.permissions import followed_targets
from wijk.security.redirects import safe_next


@bp.app_template_global()
def follow_frequencies() -> list[tuple[str, str]]:
    """The choices of the follow box's "how often" (the FollowForm's own)."""
    return [(value, str(label)) for value, label in forms.FREQUENCY_CHOICES]


@bp.app_template_global()
def following(key: str) -> bool:
    """Whether the person follows this target: read with the appointments every
    logged-in page reads anyway (wijk.security.permissions), however many boxes a page
    shows."""
    if not current_user.is_authenticated:
        return False
    return key in followed_targets(current_user)


@bp.post("/volgen")
@limiter.limit("10/hour")
def follow():
    form = forms.FollowForm()
    found = services.target(form.target.data)
    if found is None:
        abort(400)
    back = safe_next(request.form.get("next")) or url_for("neighbourhoods.home")
    if current_user.is_authenticated and current_user.email_verified_at is not None:
        if not form.validate_on_submit():
            abort(400)
        services.follow_as_account(current_user, found, form.frequency.data, utcnow())
        flash(
            _(
                "You follow %(name)s. New activities and offers come in your digest.",
                name=found.label,
            ),
            "success",
        )
        return redirect(back)
    if not form.validate_on_submit() or not form.email.data:
        if not form.email.errors:
            form.email.errors = [_("Fill in your e-mail address.")]
        return render_template("follows/follow.html", form=form, target=found, back=back), 400
    services.request_follow(
        form.email.data, found, form.frequency.data, str(get_locale() or ""), utcnow()
    )
    return render_template(
        "follows/sent.html", target=found, back=back, days=services.CONFIRM_WITHIN.days
    )


@bp.route("/volgen/bevestigen/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """GET shows a button and only POST confirms, so a mail scanner confirms nothing."""
    row = services.pending(token)
    if row is None:
        return render_template("follows/failed.html"), 400
    name = services.label(row.target)
    if request.method == "POST":
        services.confirm(row, utcnow())
        return render_template("follows/confirmed.html", name=name)
    return render_template("follows/confirm.html", name=name)


@bp.route("/volgen/afmelden/<token>", methods=["GET", "POST"])
@csrf.exempt
def stop(token: str):
    """RFC 8058: the signed token is the only authority; a bad one changes nothing."""
    found = services.read_stop_token(token)
    if found is None:
        return render_template("follows/failed.html"), 400
    if request.method == "POST":
        services.stop(found)
        return render_template("follows/stopped.html", frequency=found.frequency)
    return render_template("follows/stop.html", frequency=found.frequency)


@bp.post("/account/volgen/<int:follow_id>/stoppen")
@login_required
def stop_one(follow_id: int):
    if services.stop_one(current_user, follow_id):
        flash(_("You no longer follow that."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("privacy.mine"))


@bp.app_template_global()
def follow_label(key: str) -> str:
    return services.label(key)
