"""axe-core on the privacy pages (issue 5), and the one-click export in a real browser."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from wijk.extensions import db
from wijk.models import Suspension

from . import test_accessibility as shared

axe_page = shared.axe_page  # the fixtures of test_accessibility, shared
site = shared.site
check = shared.check


def log_in(page, live_server, user) -> None:
    page.goto(live_server + "/inloggen")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill("correct horse battery")
    page.get_by_role("button", name="Inloggen").click()


@pytest.mark.parametrize("path", ["/privacy", "/privacy/verzoek"])
def test_public_privacy_pages_have_no_serious_violations(live_server, axe_page, path):
    check(axe_page, live_server + path)


@pytest.mark.parametrize("path", ["/mijn/gegevens", "/mijn/gegevens/verwijderen"])
def test_my_data_pages_have_no_serious_violations(live_server, axe_page, site, path):
    item = site["item"]
    item.contact_phone = "0612345678"
    db.session.add(
        Suspension(
            user_id=site["owner"].id, neighbourhood_id=item.neighbourhood_id, reason="Reclame"
        )
    )
    db.session.commit()
    log_in(axe_page, live_server, site["owner"])
    check(axe_page, live_server + path)


def test_data_page_is_one_click_away_and_the_zip_downloads(live_server, new_page, site):
    page = new_page()
    log_in(page, live_server, site["owner"])
    page.get_by_role("link", name="Mijn gegevens").first.click()
    assert page.url.endswith("/mijn/gegevens")
    with page.expect_download() as download:
        page.get_by_role("button", name="Mijn gegevens downloaden (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == site["owner"].email
