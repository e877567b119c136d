"""axe-core (WCAG 2.1 AA rules) in a real browser: no serious or critical violations on
the pages residents and managers use."""

from __future__ import annotations

import json

import pytest

from .support import AXE, log_in

IMPACTS = {"serious", "critical"}


def violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in IMPACTS
    ]


@pytest.fixture
def axe_page(new_page):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install, see package.json)")
    return new_page(bypass_csp=True)  # axe is injected as a script tag


@pytest.fixture
def site(app, make_user, make_neighbourhood, make_item):
    place = make_neighbourhood("Lombok", postcodes=("3531",))
    owner = make_user()
    item = make_item(
        "activity", owner=owner, neighbourhood=place, contact_name="Kees", contact_name_public=True
    )
    make_item("offer", owner=owner, neighbourhood=place)
    make_item("organisation", owner=owner, neighbourhood=place)
    return {"place": place, "owner": owner, "item": item}


def check(page, url: str) -> None:
    page.goto(url)
    found = violations(page)
    assert found == [], json.dumps(found, indent=1)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/wijk/{slug}",
        "/activiteit/{item}",
        "/registreren",
        "/inloggen",
        "/wachtwoord-vergeten",
        "/postcode?postcode=x",
        "/voorwaarden",
        "/toegankelijkheid",
        "/privacy/versies",
        "/gemeente/utrecht",
        "/gemeente/utrecht?wijk=onbekend",  # the filter's error message
        "/gemeente/utrecht/zoeken?q=item",
        "/api",
        "/embed/wijk/{slug}",
    ],
)
def test_public_pages_have_no_serious_violations(live_server, axe_page, site, path):
    check(axe_page, live_server + path.format(slug=site["place"].slug, item=site["item"].id))


@pytest.mark.parametrize(
    "path",
    [
        "/mijn/bijdragen",
        "/account",
        "/plaatsen/activiteit",
        "/activiteit/{item}",
        "/account/e-mail",
    ],
)
def test_pages_of_a_logged_in_owner_have_no_serious_violations(live_server, axe_page, site, path):
    axe_page.goto(live_server + "/inloggen")
    axe_page.get_by_label("E-mailadres").fill(site["owner"].email)
    axe_page.get_by_label("Wachtwoord").fill("correct horse battery")
    axe_page.get_by_role("button", name="Inloggen").click()
    check(axe_page, live_server + path.format(item=site["item"].id))


def test_a_form_with_errors_has_no_serious_violations(live_server, axe_page, site):
    axe_page.goto(live_server + "/registreren")
    axe_page.get_by_role("button", name="Account maken").click()
    assert "aria-invalid" in axe_page.content()
    assert violations(axe_page) == []


@pytest.mark.parametrize(
    "path",
    [
        "/beheer",
        "/beheer/{slug}",
        "/beheer/{slug}/nieuwsbrieven",
        "/beheer/{slug}/nieuwsbrieven/nieuw",
        "/beheer/{slug}/abonnees",
        "/beheer/{slug}/items/{item}",
        "/beheer/{slug}/schorsingen",
        "/beheer/{slug}/regels",
        "/admin",
        "/admin/wijken",
        "/admin/audit",
        "/admin/gemeenten",
        "/admin/gemeenten/utrecht",
        "/gemeente/utrecht/beheer",
        "/gemeente/utrecht/beheer/nieuws",
        "/gemeente/utrecht/beheer/nieuwsbrieven/nieuw",
    ],
)
def test_manager_and_admin_pages_have_no_serious_violations(
    live_server, axe_page, site, make_user, path
):
    import pyotp

    from wijk.extensions import db
    from wijk.models import NeighbourhoodManager, Suspension
    from wijk.models.base import utcnow

    admin = make_user(is_admin=True)
    admin.totp_secret, admin.totp_enabled_at = pyotp.random_base32(), utcnow()
    db.session.add(NeighbourhoodManager(neighbourhood_id=site["place"].id, user_id=admin.id))
    db.session.add(
        Suspension(
            user_id=site["owner"].id,
            neighbourhood_id=site["place"].id,
            reason="Reclame",
            answer="Sorry",
            answered_at=utcnow(),
        )
    )
    db.session.commit()
    log_in(axe_page, live_server, admin)
    check(axe_page, live_server + path.format(slug=site["place"].slug, item=site["item"].id))
