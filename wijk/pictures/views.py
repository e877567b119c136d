"""Pictures are served by item and random key, never by a name someone typed."""

from __future__ import annotations

import hmac

from flask import abort, send_file, url_for
from flask_login import current_user

from wijk.extensions import db
from wijk.models import Item, PictureConsent
from wijk.pictures import bp, consent, services
from wijk.security.permissions import can_view

PUBLIC_MAX_AGE = 24 * 3600  # a picture of an item taken offline drops out of caches in a day


@bp.get("/afbeelding/<int:item_id>/<key>/<int:width>.webp")
def show(item_id: int, key: str, width: int):
    item = db.session.get(Item, item_id)
    if (
        item is None
        or not item.picture_key
        or width not in services.WIDTHS
        or not hmac.compare_digest(item.picture_key, key)
        or not can_view(current_user, item)
    ):
        abort(404)
    path = services.path_for(item.picture_key, width)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=services.MIMETYPE, conditional=True, etag=True)
    if item.is_published:
        response.cache_control.public = True
        response.cache_control.max_age = PUBLIC_MAX_AGE
    else:  # only its editors see it: keep it out of shared caches
        response.cache_control.private = True
        response.cache_control.no_store = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.app_template_global()
def picture_consent(item: Item) -> PictureConsent | None:
    """What the uploader answered about the people in the item's picture (managers)."""
    return consent.of(item)


@bp.app_template_global()
def picture_url(view, width: int = services.WIDTHS[0]) -> str | None:
    """URL of an item's picture at one of the stored widths, from an ItemView."""
    if not view.picture_key:
        return None
    return url_for("pictures.show", item_id=view.id, key=view.picture_key, width=width)
