"""Every feature's blueprint, with the view modules that put routes on it imported, in the
order the app registers them. A feature package's `__init__` holds only its blueprint, so
its modules import it without a cycle."""

from __future__ import annotations

from flask import Blueprint

from wijk import (
    accounts,
    admin,
    api,
    cities,
    contact,
    content,
    discover,
    embed,
    follows,
    founding,
    helpdesk,
    legal,
    manage,
    neighbourhoods,
    newsletters,
    pictures,
    privacy,
    series,
    signups,
    statistics,
    transparency,
)
from wijk.accounts import mfa as _accounts_mfa  # noqa: F401  (routes)
from wijk.accounts import views as _accounts_views  # noqa: F401
from wijk.admin import city_views as _admin_city_views  # noqa: F401
from wijk.admin import views as _admin_views  # noqa: F401
from wijk.api import views as _api_views  # noqa: F401
from wijk.cities import staff_views as _city_staff_views  # noqa: F401
from wijk.cities import views as _city_views  # noqa: F401
from wijk.contact import views as _contact_views  # noqa: F401
from wijk.content import page as _content_page  # noqa: F401
from wijk.content import views as _content_views  # noqa: F401
from wijk.discover import city_views as _discover_city_views  # noqa: F401
from wijk.discover import structured as _discover_structured  # noqa: F401  (JSON-LD)
from wijk.discover import views as _discover_views  # noqa: F401
from wijk.embed import views as _embed_views  # noqa: F401
from wijk.follows import views as _follow_views  # noqa: F401
from wijk.founding import admin_views as _founding_admin_views  # noqa: F401
from wijk.founding import views as _founding_views  # noqa: F401
from wijk.helpdesk import views as _helpdesk_views  # noqa: F401
from wijk.legal import views as _legal_views  # noqa: F401
from wijk.manage import moderation_views as _manage_moderation_views  # noqa: F401
from wijk.manage import views as _manage_views  # noqa: F401
from wijk.neighbourhoods import views as _neighbourhood_views  # noqa: F401
from wijk.newsletters import views as _newsletter_views  # noqa: F401
from wijk.pictures import views as _picture_views  # noqa: F401
from wijk.privacy import admin_views as _privacy_admin_views  # noqa: F401
from wijk.privacy import views as _privacy_views  # noqa: F401
from wijk.series import views as _series_views  # noqa: F401  (and the flush hook)
from wijk.signups import views as _signup_views  # noqa: F401
from wijk.statistics import views as _statistics_views  # noqa: F401
from wijk.transparency import views as _transparency_views  # noqa: F401

BLUEPRINTS: tuple[Blueprint, ...] = (
    neighbourhoods.bp,
    cities.bp,
    accounts.bp,
    content.bp,
    contact.bp,
    manage.bp,
    newsletters.bp,
    admin.bp,
    privacy.bp,
    legal.bp,
    discover.bp,
    signups.bp,
    series.bp,
    pictures.bp,
    follows.bp,
    helpdesk.bp,
    api.bp,
    embed.bp,
    founding.bp,
    statistics.bp,
    transparency.bp,
)
