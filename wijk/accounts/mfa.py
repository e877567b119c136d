"""Two-step login pages: switching TOTP on (QR code, confirmation, recovery codes),
renewing the codes, switching it off, and the code step after the password."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from wijk.accounts import bp
from wijk.accounts.views import complete_login
from wijk.clock import utcnow
from wijk.extensions import limiter
from wijk.forms import add_error
from wijk.security import totp
from wijk.security.permissions import needs_mfa
from wijk.security.redirects import safe_next


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Fill in the code.")), Length(max=40)],
        description=_l("The 6 digits your authenticator app shows, or one of your recovery codes."),
    )


class SetupCodeForm(CodeForm):
    """The set-up step: recovery codes do not exist yet, so the field does not mention them."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Fill in the code.")), Length(max=40)],
        description=_l("The 6 digits your authenticator app shows."),
    )


def recovery_file(codes: list[str], email: str, made_on: str) -> str:
    """The recovery codes as the text file the person downloads from the page that shows
    them; built in the page itself, so the codes never travel to the server again."""
    lines = [
        _("Wijk: recovery codes for %(email)s, made on %(date)s.", email=email, date=made_on),
        _("Each code works once, instead of a code from your phone. Keep this file safe."),
        "",
        *codes,
        "",
    ]
    return "\r\n".join(lines)


def _codes_page(codes: list[str], next_url: str | None):
    text = recovery_file(codes, current_user.email, format_date(utcnow(), "medium"))
    response = make_response(
        render_template("mfa/codes.html", codes=codes, file=text, next=next_url)
    )
    response.headers["Cache-Control"] = "no-store"  # shown once: not kept in any cache
    return response


def _pending_key() -> str:
    """Limit code attempts per account as well as per client."""
    pending = session.get(totp.PENDING_KEY)
    uid = pending.get("uid") if isinstance(pending, dict) else None
    return f"mfa:{uid}"


def _account_key() -> str:
    return f"mfa-setup:{current_user.get_id() if current_user.is_authenticated else '-'}"


def _next() -> str | None:
    return safe_next(request.values.get("next"))


@bp.get("/account/tweestapsverificatie")
@login_required
def mfa_setup():
    if totp.is_enabled(current_user):
        return render_template(
            "mfa/status.html",
            form=CodeForm(formdata=None),
            left=totp.recovery_codes_left(current_user),
            required=needs_mfa(current_user),
        )
    secret = totp.begin_setup(current_user)
    uri = totp.provisioning_uri(current_user, secret)
    return render_template(
        "mfa/setup.html",
        form=SetupCodeForm(formdata=None),
        secret=secret,
        qr=totp.qr_data_uri(uri),
        next=_next(),
    )


@bp.post("/account/tweestapsverificatie")
@login_required
@limiter.limit("10/10 minutes", key_func=_account_key)
def mfa_enable():
    form = SetupCodeForm()
    if totp.is_enabled(current_user):
        return redirect(url_for(".mfa_setup"))
    codes = totp.enable(current_user, form.code.data) if form.validate_on_submit() else None
    if codes is None:
        if not form.code.errors:
            add_error(
                form.code,
                _("This code is not right. Check the time on your phone and use the newest code."),
            )
        secret = current_user.totp_secret or totp.begin_setup(current_user)
        uri = totp.provisioning_uri(current_user, secret)
        return render_template(
            "mfa/setup.html", form=form, secret=secret, qr=totp.qr_data_uri(uri), next=_next()
        ), 400
    # Switching on ended every session (the ones opened with the password alone); this
    # one, which just proved the code, goes on under the new session token.
    remember = bool(
        request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    )
    login_user(current_user._get_current_object(), remember=remember)
    flash(_("Two-step login is on."), "success")
    return _codes_page(codes, _next())


@bp.post("/account/tweestapsverificatie/herstelcodes")
@login_required
@limiter.limit("10/10 minutes", key_func=_account_key)
def mfa_renew():
    form = CodeForm()
    codes = totp.renew(current_user, form.code.data) if form.validate_on_submit() else None
    if codes is None:
        flash(_("This code is not right. Your recovery codes did not change."), "error")
        return redirect(url_for(".mfa_setup"))
    return _codes_page(codes, None)


@bp.post("/account/tweestapsverificatie/uitzetten")
@login_required
@limiter.limit("10/10 minutes", key_func=_account_key)
def mfa_disable():
    form = CodeForm()
    if form.validate_on_submit() and totp.disable(current_user, form.code.data):
        flash(_("Two-step login is off."), "success")
        return redirect(url_for("accounts.account"))
    flash(_("This code is not right. Two-step login stays on."), "error")
    return redirect(url_for(".mfa_setup"))


@bp.route("/inloggen/code", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"])
@limiter.limit("5/minute;30/hour", methods=["POST"], key_func=_pending_key)
def mfa_login():
    """The second step: the password was right, now the code. Only then logged in."""

    pending = totp.pending_user()
    if pending is None:
        flash(_("Log in again, please: the code step took too long."), "info")
        return redirect(url_for("accounts.login"))
    user, state = pending
    form = CodeForm()
    if form.validate_on_submit():
        if totp.check_second_factor(user, form.code.data):
            totp.clear_pending()
            return complete_login(
                user, remember=state.get("remember", False), next_url=safe_next(state.get("next"))
            )
        add_error(form.code, _("This code is not right."))
    status = 400 if form.errors else 200
    return render_template("mfa/login.html", form=form), status
