"""The Nu HTML checker over every page the crawl reaches, as each role and in every
interface language: no errors. One JVM run for all pages together keeps it quick."""

from __future__ import annotations

import pytest
from page_audit import (
    build_world,
    duplicate_form_ids,
    site_pages,
    vnu_available,
    vnu_errors,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def vnu():
    reason = vnu_available()
    if reason:
        pytest.skip(reason)


def test_every_crawled_page_is_valid_html(
    app, vnu, tmp_path, make_user, make_neighbourhood, make_item
):
    world = build_world(make_user, make_neighbourhood, make_item)
    pages = site_pages(app, world)
    langs = {page.lang for page in pages}
    assert langs == set(app.config["LANGUAGES"])
    assert len(pages) > 100, "the crawl reaches the pages of every role"
    assert any("/nieuwsbrieven/" in p.url and p.role == "manager" for p in pages)
    assert any(p.url.startswith("POST /activiteit/") for p in pages)
    errors = vnu_errors(pages, tmp_path)
    assert errors == {}


def test_the_checker_finds_a_duplicated_id(
    app, vnu, tmp_path, make_user, make_neighbourhood, make_item
):
    world = build_world(make_user, make_neighbourhood, make_item)
    duplicate_form_ids(app)
    pages = site_pages(app, world, roles=("anonymous",), languages=["nl"])
    errors = vnu_errors(pages, tmp_path)
    activity = f"anonymous nl /activiteit/{world.values['item_id']}"
    assert any("Duplicate ID “signup-name”" in e for e in errors[activity]), errors
    assert any("Duplicate ID “signup-email”" in e for e in errors[activity])
