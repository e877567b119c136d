"""The access matrix: every route against eight roles, each cell the expected status.
A route missing from the table fails the suite, so no new page skips the question.

GET routes are requested with GET; POST-only routes with an empty POST (CSRF is off in
the test app), which shows who gets past the permission check without changing anything.
Statuses: 200 ok, 302 redirect (to login, or after a harmless no-op), 400 invalid input
that passed the permission check, 403 forbidden, 404 not found/not visible, 405 method.
"""

from __future__ import annotations

import os

import pytest
from access_world import ROLES, build, fresh_city_news, fresh_news, log_in

from wijk.extensions import limiter

A, R, AU, CO, M, OM, AD, CS = ROLES  # column order of every row below

# endpoint: (method, {role: status} as an 8-tuple in ROLES order)
TABLE: dict[str, tuple[str, tuple[int, ...]]] = {
    #                                          anon  resid author  co   mgr  other admin city
    "accounts.account": ("GET", (302, 200, 200, 200, 200, 200, 200, 200)),
    "accounts.change_email": ("GET", (302, 200, 200, 200, 200, 200, 200, 200)),
    "accounts.confirm_email_change": ("GET", (400, 400, 400, 400, 400, 400, 400, 400)),
    "accounts.forgot_password": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "accounts.login": ("GET", (200, 302, 302, 302, 302, 302, 302, 302)),
    "accounts.logout": ("POST", (302, 302, 302, 302, 302, 302, 302, 302)),
    "accounts.logout_everywhere": ("POST", (302, 302, 302, 302, 302, 302, 302, 302)),
    "accounts.register": ("GET", (200, 302, 302, 302, 302, 302, 302, 302)),
    "accounts.resend_verification": ("POST", (302, 302, 302, 302, 302, 302, 302, 302)),
    "accounts.reset_password": ("GET", (400, 400, 400, 400, 400, 400, 400, 400)),
    "accounts.verify": ("GET", (400, 400, 400, 400, 400, 400, 400, 400)),
    "admin.appoint": ("POST", (302, 403, 403, 403, 403, 403, 400, 403)),
    "admin.audit_log": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "admin.index": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "admin.neighbourhood": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "admin.neighbourhood_delete": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "admin.neighbourhood_new": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "admin.neighbourhoods": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "admin.outbox": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "admin.remove_manager": ("POST", (302, 403, 403, 403, 403, 403, 302, 403)),
    "admin.retry": ("POST", (302, 403, 403, 403, 403, 403, 302, 403)),
    "admin.user": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "admin.users": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    # The open-data API and the embeds: public, the same for every role (the API always
    # answers as an anonymous visitor). `slug` is a neighbourhood's, so the municipality
    # and city-embed cells are 404; `item_id` an activity's, so other kinds are 404.
    "api.activities": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "api.activity": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "api.index": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "api.municipalities": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "api.municipality": ("GET", (404, 404, 404, 404, 404, 404, 404, 404)),
    "api.neighbourhood": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "api.neighbourhoods": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "api.news": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "api.news_item": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "api.offer": ("GET", (404, 404, 404, 404, 404, 404, 404, 404)),
    "api.offers": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "api.openapi_document": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "api.organisation": ("GET", (404, 404, 404, 404, 404, 404, 404, 404)),
    "api.organisations": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "embed.city": ("GET", (404, 404, 404, 404, 404, 404, 404, 404)),
    "embed.neighbourhood": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "contact.block": ("GET", (404, 404, 404, 404, 404, 404, 404, 404)),
    "contact.report_message": ("GET", (404, 404, 404, 404, 404, 404, 404, 404)),
    "content.contact": ("POST", (400, 400, 400, 400, 400, 400, 400, 400)),
    "content.accept_invitation": ("GET", (302, 400, 400, 400, 400, 400, 400, 400)),
    "content.create": ("GET", (302, 200, 200, 200, 200, 200, 200, 200)),
    "content.delete": ("GET", (302, 403, 200, 403, 403, 403, 403, 403)),
    "content.edit": ("GET", (302, 403, 200, 200, 403, 403, 403, 403)),
    "content.invite": ("POST", (302, 403, 400, 403, 403, 403, 403, 403)),
    "content.mine": ("GET", (302, 200, 200, 200, 200, 200, 200, 200)),
    "content.show": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "content.visibility": ("POST", (302, 403, 400, 400, 403, 403, 403, 403)),
    "follows.confirm": ("GET", (400, 400, 400, 400, 400, 400, 400, 400)),
    "follows.follow": ("POST", (400, 400, 400, 400, 400, 400, 400, 400)),
    "follows.stop": ("GET", (400, 400, 400, 400, 400, 400, 400, 400)),
    "follows.stop_one": ("POST", (302, 302, 302, 302, 302, 302, 302, 302)),
    "discover.activity_calendar": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "discover.delete_news": ("POST", (302, 403, 403, 403, 302, 403, 302, 302)),
    "discover.edit_news": ("GET", (302, 403, 403, 403, 200, 403, 200, 200)),
    "discover.extend_offer": ("GET", (404, 404, 404, 404, 404, 404, 404, 404)),
    "discover.neighbourhood_atom": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "discover.neighbourhood_calendar": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "discover.news_archive": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "discover.news_page": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "discover.organisation_atom": ("GET", (404, 404, 404, 404, 404, 404, 404, 404)),
    "discover.organisation_calendar": ("GET", (404, 404, 404, 404, 404, 404, 404, 404)),
    "discover.post_news": ("GET", (302, 403, 403, 403, 200, 403, 200, 200)),
    "discover.robots": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "discover.search_all": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "discover.search_neighbourhood": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "discover.sitemap": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "founding.approve": ("POST", (302, 403, 403, 403, 403, 403, 400, 403)),
    "founding.decline": ("POST", (302, 403, 403, 403, 403, 403, 400, 403)),
    "founding.request_detail": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "founding.requests": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "founding.start": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "help.ask": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "legal.accessibility_statement": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "legal.privacy_version": ("GET", (404, 404, 404, 404, 404, 404, 404, 404)),
    "legal.privacy_versions": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "legal.terms": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "legal.terms_version": ("GET", (404, 404, 404, 404, 404, 404, 404, 404)),
    "legal.terms_versions": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "newsletters.archive": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "newsletters.archived": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "manage.answer_suspension": ("POST", (302, 302, 302, 302, 302, 302, 302, 302)),
    "manage.approve": ("POST", (302, 403, 403, 403, 302, 403, 302, 302)),
    "manage.edit": ("GET", (302, 403, 403, 403, 200, 403, 200, 200)),
    "newsletters.export": ("POST", (302, 403, 403, 403, 200, 403, 200, 200)),
    "manage.hide": ("POST", (302, 403, 403, 403, 400, 403, 400, 400)),
    "manage.index": ("GET", (302, 403, 403, 403, 200, 200, 200, 200)),
    "manage.item": ("GET", (302, 403, 403, 403, 200, 403, 200, 200)),
    "manage.lift": ("POST", (302, 403, 403, 403, 400, 403, 400, 400)),
    "accounts.mfa_disable": ("POST", (302, 302, 302, 302, 302, 302, 302, 302)),
    "accounts.mfa_enable": ("POST", (302, 400, 400, 400, 302, 302, 302, 302)),
    "accounts.mfa_login": ("GET", (302, 302, 302, 302, 302, 302, 302, 302)),
    "accounts.mfa_renew": ("POST", (302, 302, 302, 302, 302, 302, 302, 302)),
    "accounts.mfa_setup": ("GET", (302, 200, 200, 200, 200, 200, 200, 200)),
    "newsletters.newsletter_edit": ("GET", (302, 403, 403, 403, 302, 403, 302, 302)),
    "newsletters.newsletter_new": ("GET", (302, 403, 403, 403, 200, 403, 200, 200)),
    "newsletters.newsletter_preview": ("GET", (302, 403, 403, 403, 200, 403, 200, 200)),
    "newsletters.newsletter_save": ("POST", (302, 403, 403, 403, 400, 403, 400, 400)),
    "newsletters.newsletter_send": ("POST", (302, 403, 403, 403, 400, 403, 400, 400)),
    "newsletters.newsletter_test": ("POST", (302, 403, 403, 403, 400, 403, 400, 400)),
    "newsletters.newsletters": ("GET", (302, 403, 403, 403, 200, 403, 200, 200)),
    "manage.queue": ("GET", (302, 403, 403, 403, 200, 403, 200, 200)),
    "manage.report_item": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "manage.resolve": ("POST", (302, 403, 403, 403, 400, 403, 400, 400)),
    "manage.restore": ("POST", (302, 403, 403, 403, 400, 403, 400, 400)),
    "manage.reviewed": ("POST", (302, 403, 403, 403, 302, 403, 302, 302)),
    "manage.rules": ("GET", (302, 403, 403, 403, 200, 403, 200, 200)),
    "manage.suspend": ("POST", (302, 403, 403, 403, 400, 403, 400, 400)),
    "manage.suspensions": ("GET", (302, 403, 403, 403, 200, 403, 200, 200)),
    "newsletters.confirm_email": ("GET", (400, 400, 400, 400, 400, 400, 400, 400)),
    "newsletters.subscribe_email": ("POST", (400, 302, 302, 302, 302, 302, 302, 302)),
    "newsletters.subscribers": ("GET", (302, 403, 403, 403, 200, 403, 200, 200)),
    "newsletters.subscriptions": ("POST", (302, 302, 302, 302, 302, 302, 302, 302)),
    "newsletters.unsubscribe": ("GET", (400, 400, 400, 400, 400, 400, 400, 400)),
    "neighbourhoods.home": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "neighbourhoods.language": ("POST", (302, 302, 302, 302, 302, 302, 302, 302)),
    "neighbourhoods.neighbourhood": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "neighbourhoods.postcode": ("GET", (400, 400, 400, 400, 400, 400, 400, 400)),
    "pictures.show": ("GET", (404, 404, 404, 404, 404, 404, 404, 404)),
    "privacy.accept_terms": ("GET", (302, 302, 302, 302, 302, 302, 302, 302)),
    "privacy.account_deleted": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "privacy.breach": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "privacy.breach_notify": ("POST", (302, 403, 403, 403, 403, 403, 302, 403)),
    "privacy.breach_reported": ("POST", (302, 403, 403, 403, 403, 403, 302, 403)),
    "privacy.breaches": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "privacy.delete_account": ("GET", (302, 200, 200, 200, 200, 200, 200, 200)),
    "privacy.export": ("POST", (302, 200, 200, 200, 200, 200, 200, 200)),
    "privacy.mine": ("GET", (302, 200, 200, 200, 200, 200, 200, 200)),
    "privacy.register": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "privacy.register_download": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "privacy.request_detail": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "privacy.request_form": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "privacy.requests": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "privacy.statement": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "privacy.toggle": ("POST", (302, 403, 400, 400, 403, 403, 403, 403)),
    "series.change": ("POST", (302, 403, 400, 400, 403, 403, 403, 403)),
    "series.dates": ("GET", (302, 403, 200, 200, 403, 403, 403, 403)),
    "signups.cancel": ("GET", (404, 404, 404, 404, 404, 404, 404, 404)),
    "signups.export": ("GET", (302, 403, 200, 200, 403, 403, 403, 403)),
    "signups.organiser_list": ("GET", (302, 403, 200, 200, 403, 403, 403, 403)),
    "signups.write": ("POST", (302, 403, 400, 400, 403, 403, 403, 403)),
    "admin.appoint_city_staff": ("POST", (302, 403, 403, 403, 403, 403, 400, 403)),
    "admin.municipalities": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "admin.municipality": ("GET", (302, 403, 403, 403, 403, 403, 200, 403)),
    "admin.remove_city_staff": ("POST", (302, 403, 403, 403, 403, 403, 302, 403)),
    "cities.city": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "cities.delete_news": ("POST", (302, 403, 403, 403, 403, 403, 302, 302)),
    "cities.edit_news": ("GET", (302, 403, 403, 403, 403, 403, 200, 200)),
    "cities.news_archive": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "cities.news_page": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "cities.newsletter_archive": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "cities.newsletter_archived": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "cities.newsletter_edit": ("GET", (302, 403, 403, 403, 403, 403, 302, 302)),
    "cities.newsletter_new": ("GET", (302, 403, 403, 403, 403, 403, 200, 200)),
    "cities.newsletter_preview": ("GET", (302, 403, 403, 403, 403, 403, 200, 200)),
    "cities.newsletter_save": ("POST", (302, 403, 403, 403, 403, 403, 400, 400)),
    "cities.newsletter_send": ("POST", (302, 403, 403, 403, 403, 403, 400, 400)),
    "cities.newsletter_test": ("POST", (302, 403, 403, 403, 403, 403, 400, 400)),
    "cities.newsletters": ("GET", (302, 403, 403, 403, 403, 403, 200, 200)),
    "cities.post_news": ("GET", (302, 403, 403, 403, 403, 403, 200, 200)),
    "cities.staff_city": ("GET", (302, 403, 403, 403, 403, 403, 200, 200)),
    "cities.subscribe": ("POST", (400, 302, 302, 302, 302, 302, 302, 302)),
    "discover.city_atom": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "discover.city_calendar": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "discover.search_city": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "content.sign_up": ("POST", (400, 400, 400, 400, 400, 400, 400, 400)),
    "statistics.city": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "statistics.city_csv": ("GET", (302, 403, 403, 403, 403, 403, 200, 200)),
    "statistics.neighbourhood": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "statistics.overview": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "transparency.index": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
    "transparency.report": ("GET", (200, 200, 200, 200, 200, 200, 200, 200)),
}

# Routes that cannot be exercised as a cell (with the reason).
NOT_IN_MATRIX = {
    "static": "files, no data",
}


@pytest.fixture
def world(app, make_user, make_neighbourhood, make_item):
    limiter.enabled = False  # many logins in a row; limits have their own tests
    world = build(make_user, make_neighbourhood, make_item)
    world.make_item = make_item
    yield world
    limiter.enabled = True


# Routes whose `item_id` means a news item rather than the activity. Each of their cells
# gets a fresh news item, since an allowed delete removes it.
NEWS_ROUTES = {
    "discover.news_page",
    "discover.edit_news",
    "discover.delete_news",
    "api.news_item",
}
# City routes: `news_id` and `newsletter_id` mean the city's own news and newsletter.
CITY_NEWS_ROUTES = {"cities.news_page", "cities.edit_news", "cities.delete_news"}


def url_for_rule(rule, values) -> str:
    values = dict(values)
    if rule.endpoint in NEWS_ROUTES:
        values["item_id"] = values["news_id"]
    if rule.endpoint.startswith("cities."):
        values["news_id"] = values["city_news_id"]
        values["newsletter_id"] = values["city_newsletter_id"]
    return rule.build({k: values[k] for k in rule.arguments})[1]


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = endpoints - set(TABLE) - set(NOT_IN_MATRIX)
    assert missing == set(), "add these routes to the access matrix"
    stale = set(TABLE) - endpoints
    assert stale == set(), "these routes no longer exist"


def run_cell(app, world, rule, method: str, role: str) -> int:
    if rule.endpoint in NEWS_ROUTES:
        fresh_news(world, world.make_item)
    if rule.endpoint in CITY_NEWS_ROUTES:
        fresh_city_news(world)
    client = app.test_client()
    log_in(client, world.users[role])
    url = url_for_rule(rule, world.values)
    response = client.get(url) if method == "GET" else client.post(url, data={})
    return response.status_code


def test_access_matrix(app, world):
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    if os.environ.get("MATRIX_PRINT"):
        for endpoint in sorted(rules):
            if endpoint in NOT_IN_MATRIX:
                continue
            rule = rules[endpoint]
            method = "GET" if "GET" in rule.methods else "POST"
            cells = tuple(run_cell(app, world, rule, method, role) for role in ROLES)
            print(f'    "{endpoint}": ("{method}", {cells}),')
        return
    wrong = {}
    for endpoint, (method, expected) in TABLE.items():
        actual = tuple(run_cell(app, world, rules[endpoint], method, role) for role in ROLES)
        if actual != expected:
            wrong[endpoint] = {
                role: (e, a) for role, e, a in zip(ROLES, expected, actual, strict=True) if e != a
            }
    assert wrong == {}, "role: (expected, actual)"
