"""The neighbourhood page on a phone (390 × 844 CSS pixels, an iPhone 12 to 15): the demo's
Lombok shows its first activity without scrolling, jump links reach the other parts, and
the main menu folds into one header row, also for an admin who manages a neighbourhood."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from wijk.extensions import db
from wijk.models import User

from .support import screenshot

PHONE = {"width": 390, "height": 844}
DEMO_PASSWORD = "wijk-demo-2026"


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output


def phone(new_page):
    page = new_page()
    page.set_viewport_size(PHONE)
    return page


def log_in_as_demo(page, base: str, email: str) -> None:
    page.goto(base + "/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lambda url: "/inloggen" not in url)


def test_the_first_activity_of_lombok_shows_without_scrolling(live_server, new_page, demo):
    page = phone(new_page)
    page.goto(live_server + "/wijk/lombok")
    screenshot(page, "phone-lombok")
    first = page.locator("#agenda ~ ul .card").first
    box = first.bounding_box()
    assert page.evaluate("window.scrollY") == 0
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    assert first.locator(".card-title a").is_visible()


def test_jump_links_reach_offers_organisations_and_news(live_server, new_page, demo):
    page = phone(new_page)
    page.goto(live_server + "/wijk/lombok")
    jumps = page.get_by_role("navigation", name="Op deze pagina")
    for link, heading in (
        ("Vraag en aanbod", "#offers"),
        ("Organisaties", "#organisations"),
        ("Nieuws", "#news-heading"),
        ("Agenda", "#agenda"),
    ):
        jumps.get_by_role("link", name=link).click()
        page.wait_for_function(
            f"() => {{ const r = document.querySelector('{heading}').getBoundingClientRect();"
            f" return r.top >= 0 && r.top < {PHONE['height'] / 2}; }}"
        )


def test_the_menu_folds_into_one_header_row_on_a_phone(live_server, new_page, demo):
    admin = db.session.scalar(select(User).where(User.email == "admin@example.org"))
    assert admin.is_admin
    page = phone(new_page)
    log_in_as_demo(page, live_server, admin.email)
    page.goto(live_server + "/wijk/lombok")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 80, "brand, menu button and languages share one row"
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    assert not nav.is_visible()
    page.get_by_text("Menu", exact=True).click()
    assert nav.get_by_role("link", name="Beheer", exact=True).is_visible()
    assert nav.get_by_role("button", name="Uitloggen").is_visible()
    names = nav.get_by_role("link").all_inner_texts()
    assert [n for n in names if "beheer" in n.lower()] == ["Beheer"], "one admin entry"
    screenshot(page, "phone-admin-menu")


def test_an_admins_menu_is_one_line_on_a_laptop(live_server, new_page, demo):
    page = new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    log_in_as_demo(page, live_server, "admin@example.org")
    page.goto(live_server + "/wijk/lombok")
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    assert nav.is_visible() and not page.get_by_text("Menu", exact=True).is_visible()
    tops = {round(item.bounding_box()["y"]) for item in nav.locator("li").all()}
    assert len(tops) == 1, f"the menu wraps: rows at {sorted(tops)}"
