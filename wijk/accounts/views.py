from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash

from wijk.accounts import bp, forms, services
from wijk.errors import keeps_text
from wijk.extensions import db, limiter
from wijk.forms import add_error
from wijk.models import Neighbourhood
from wijk.models.base import utcnow
from wijk.security import totp
from wijk.security.redirects import safe_next


def _login_key() -> str:
    """Limit login attempts per account as well as per client."""
    return "login:" + services.normalise_email(request.form.get("email", ""))[:254]


@bp.route("/registreren", methods=["GET", "POST"])
@keeps_text
@limiter.limit("10/hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("neighbourhoods.home"))
    form = forms.RegisterForm()
    form.newsletters.choices = [(n.id, n.name) for n in Neighbourhood.ordered()]
    if form.validate_on_submit():
        # A known address gets a mail to its owner instead; the answer is the same.
        services.register(
            form.name.data,
            form.email.data,
            form.password.data,
            locale=str(get_locale()),
            newsletters=form.newsletters.data,
        )
        return render_template("accounts/register_sent.html", email=form.email.data)
    status = 400 if form.errors else 200
    return render_template("accounts/register.html", form=form), status


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"])
@limiter.limit("10/minute", methods=["POST"], key_func=_login_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("neighbourhoods.home"))
    form = forms.LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            next_url = safe_next(request.args.get("next"))
            if totp.is_enabled(user):  # the code step logs in (wijk.accounts.mfa)
                totp.start_second_step(user, remember=form.remember.data, next_url=next_url)
                return redirect(url_for("accounts.mfa_login"))
            return complete_login(user, remember=form.remember.data, next_url=next_url)
        add_error(form.password, _("This e-mail address and password do not match."))
    status = 400 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


def complete_login(user, *, remember: bool, next_url: str | None):
    login_user(user, remember=remember)
    if user.locale:
        session["lang"] = user.locale
    return redirect(next_url or url_for("content.mine"))


@bp.post("/uitloggen")
def logout():
    """Ends the session server-side: a copied session or remember cookie stops working."""
    if current_user.is_authenticated:
        services.end_sessions(current_user)
    logout_user()
    session.pop("lang", None)
    flash(_("You are logged out."), "success")
    return redirect(url_for("neighbourhoods.home"))


@bp.post("/account/overal-uitloggen")
@login_required
def logout_everywhere():
    services.end_sessions(current_user)
    logout_user()
    session.pop("lang", None)
    flash(_("You are logged out on every device. Log in again to continue here."), "success")
    return redirect(url_for("accounts.login"))


@bp.get("/bevestigen/<token>")
def verify(token: str):
    user = services.verify(token)
    if user is None:
        return render_template("accounts/verify_failed.html"), 400
    flash(_("Your e-mail address is confirmed. You can post now."), "success")
    return redirect(
        url_for("content.mine") if current_user.is_authenticated else url_for("accounts.login")
    )


@bp.post("/bevestigen/opnieuw")
@login_required
@limiter.limit("5/hour")
def resend_verification():
    if current_user.is_verified:
        flash(_("Your e-mail address is already confirmed."), "info")
    else:
        services.queue_verification(current_user)
        db.session.commit()
        flash(
            _("We sent a new confirmation link to %(email)s.", email=current_user.email), "success"
        )
    return redirect(url_for("accounts.account"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit("5/hour", methods=["POST"])
def forgot_password():
    form = forms.ResetRequestForm()
    if form.validate_on_submit():
        services.request_reset(form.email.data)
        return render_template("accounts/reset_sent.html", email=form.email.data)
    status = 400 if form.errors else 200
    return render_template("accounts/forgot.html", form=form), status


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@limiter.limit("10/hour", methods=["POST"])
def reset_password(token: str):
    target = services.reset_target(token)
    if target is None:
        return render_template("accounts/reset_failed.html"), 400
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        services.set_password(target.user, form.password.data or "")
        logout_user()
        flash(_("Your password has been changed. Log in with your new password."), "success")
        return redirect(url_for("accounts.login"))
    status = 400 if form.errors else 200
    return render_template("accounts/reset.html", form=form), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = forms.AccountForm(obj=current_user)
    if form.validate_on_submit():
        current_user.name = form.name.data.strip()
        current_user.locale = form.locale.data
        session["lang"] = form.locale.data
        db.session.commit()
        flash(_("Your details have been saved."), "success")
        return redirect(url_for("accounts.account"))
    status = 400 if form.errors else 200
    return render_template(
        "accounts/account.html", form=form, terms_version=current_app.config["TERMS_VERSION"]
    ), status


@bp.route("/account/e-mail", methods=["GET", "POST"])
@login_required
@limiter.limit("5/hour", methods=["POST"])
def change_email():
    form = forms.ChangeEmailForm()
    if form.validate_on_submit():
        if not check_password_hash(current_user.password_hash, form.password.data):
            add_error(form.password, _("This password is not right."))
        elif services.normalise_email(form.email.data) == current_user.email:
            add_error(form.email, _("This is already your e-mail address."))
        else:
            services.request_email_change(current_user, form.email.data)
            flash(
                _(
                    "We sent a link to %(email)s. Your address changes when you open it.",
                    email=services.normalise_email(form.email.data),
                ),
                "success",
            )
            return redirect(url_for("accounts.account"))
    status = 400 if form.errors else 200
    return render_template("accounts/change_email.html", form=form), status


@bp.get("/account/e-mail/<token>")
def confirm_email_change(token: str):
    user = services.confirm_email_change(token, utcnow())
    if user is None:
        return render_template("accounts/change_email_failed.html"), 400
    flash(_("Your e-mail address is now %(email)s.", email=user.email), "success")
    return redirect(
        url_for("accounts.account") if current_user.is_authenticated else url_for("accounts.login")
    )
