"""Arabic in a real browser: the page is laid out right to left (the header mirrors, the
main menu runs from the right), and at 390 px nothing sticks out sideways."""

from __future__ import annotations

import pytest

from . import test_accessibility as shared

axe_page = shared.axe_page  # the fixtures of test_accessibility, shared


@pytest.fixture
def place(app, make_user, make_neighbourhood, make_item):
    lombok = make_neighbourhood("Lombok", postcodes=("3531",))
    owner = make_user()
    make_item("activity", owner=owner, neighbourhood=lombok, title="Taalcafé")
    make_item("offer", owner=owner, neighbourhood=lombok)
    make_item("organisation", owner=owner, neighbourhood=lombok)
    return lombok


def boxes(page) -> dict[str, dict]:
    return page.evaluate(
        """() => {
          const box = (el) => { const r = el.getBoundingClientRect();
            return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
          const items = [...document.querySelectorAll('.site-nav li')].map(box);
          return {brand: box(document.querySelector('.brand')),
                  nav: box(document.querySelector('.site-nav')),
                  first: items[0], second: items[1],
                  switch: box(document.querySelector('.lang-switch summary')),
                  row: box(document.querySelector('.header-row'))};
        }"""
    )


def test_an_arabic_page_is_laid_out_right_to_left(live_server, new_page, place):
    page = new_page()
    page.goto(f"{live_server}/?lang=ar")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    b = boxes(page)
    # The brand sits at the right edge, the menu to its left, the language switch at the
    # left edge; within the menu the first entry is the rightmost.
    assert b["brand"]["right"] > b["nav"]["right"] > b["switch"]["right"]
    assert b["row"]["right"] - b["brand"]["right"] < 40
    assert b["switch"]["left"] - b["row"]["left"] < 40
    assert b["first"]["left"] > b["second"]["right"]

    page.goto(f"{live_server}/?lang=nl")
    assert page.evaluate("document.documentElement.dir") == "ltr"
    b = boxes(page)
    assert b["brand"]["left"] < b["nav"]["left"] < b["switch"]["left"]
    assert b["first"]["right"] < b["second"]["left"]


def test_arabic_at_390_px_stays_within_the_screen(live_server, new_page, place):
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/", f"/wijk/{place.slug}"):
        page.goto(f"{live_server}{path}?lang=ar")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide"
    b = boxes(page)
    assert b["brand"]["left"] > b["switch"]["right"], "brand and language switch overlap"
    page.locator(".lang-switch summary").click()
    menu = page.locator(".lang-switch form").bounding_box()
    assert menu is not None and menu["x"] >= 0 and menu["x"] + menu["width"] <= 390
    assert page.get_by_role("button", name="Türkçe").is_visible()
    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_url(f"**/wijk/{place.slug}*")
    assert page.evaluate("document.documentElement.lang") == "nl"


@pytest.mark.parametrize("path", ["/", "/wijk/{slug}", "/inloggen", "/registreren", "/privacy"])
def test_arabic_pages_have_no_serious_violations(live_server, axe_page, place, path):
    shared.check(axe_page, f"{live_server}{path.format(slug=place.slug)}?lang=ar")
