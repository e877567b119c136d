"""Every form control on every crawled page (each role, every interface language, forms
with their errors) has an accessible name in Chromium's accessibility tree, the name a
screen reader announces, and landmarks of one kind have names that tell them apart. A
duplicated id, which steals a label, makes the check fail."""

from __future__ import annotations

from page_audit import ROOT, Page, build_world, distinct_forms, duplicate_form_ids, site_pages

# Roles of the accessibility tree that a person fills in or presses.
CONTROL_ROLES = {
    "textbox",
    "searchbox",
    "combobox",
    "listbox",
    "checkbox",
    "radio",
    "switch",
    "button",
    "spinbutton",
    "slider",
    "menuitemcheckbox",
    "menuitemradio",
}
ORIGIN = "http://wijk.test"
STATIC = ROOT / "static"
LANDMARK_ROLES = {
    "banner",
    "navigation",
    "main",
    "complementary",
    "contentinfo",
    "search",
    "form",
    "region",
}


def unnamed_controls(browser, pages: list[Page]) -> dict[str, list[str]]:
    """Per page label, the controls without a name (their DOM attributes), read from
    Chromium's accessibility tree. Pages and the site's own CSS and script are served from
    memory and disk under a made-up origin, so no server is in the way."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    by_path = {f"/__page/{n}": page for n, page in enumerate(pages)}

    def serve(route):
        path = "/" + route.request.url.split("/", 3)[3].split("?")[0]
        if path in by_path:
            route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=by_path[path].html
            )
        elif path.startswith("/static/") and (STATIC / path[8:]).is_file():
            route.fulfill(path=str(STATIC / path[8:]))
        else:  # pictures and anything else: not needed to name a control
            route.fulfill(status=404, body="")

    context.route(f"{ORIGIN}/**", serve)
    tab = context.new_page()
    cdp = context.new_cdp_session(tab)
    found: dict[str, list[str]] = {}
    try:
        for path, page in by_path.items():
            tab.goto(ORIGIN + path, wait_until="load")
            tree = cdp.send("Accessibility.getFullAXTree")["nodes"]
            landmarks = [
                (node["role"]["value"], (node.get("name", {}).get("value") or "").strip())
                for node in tree
                if not node.get("ignored") and node.get("role", {}).get("value") in LANDMARK_ROLES
            ]
            # A form or a section is a landmark only when it has a name.
            landmarks = [(r, n) for r, n in landmarks if n or r not in ("form", "region")]
            for role, name in set(landmarks):
                if landmarks.count((role, name)) > 1 or (
                    not name and [r for r, _n in landmarks].count(role) > 1
                ):
                    found.setdefault(page.label, []).append(f"{role} landmark {name!r} twice")
            for node in tree:
                if node.get("ignored") or node.get("role", {}).get("value") not in CONTROL_ROLES:
                    continue
                if (node.get("name", {}).get("value") or "").strip():
                    continue
                described = cdp.send(
                    "DOM.describeNode", {"backendNodeId": node["backendDOMNodeId"]}
                )["node"]
                attributes = described.get("attributes", [])
                pairs = dict(zip(attributes[::2], attributes[1::2], strict=True))
                found.setdefault(page.label, []).append(
                    f"{node['role']['value']} <{described['localName']} {pairs}>"
                )
    finally:
        context.close()
    return found


def test_every_form_control_has_an_accessible_name(
    app, browser, make_user, make_neighbourhood, make_item
):
    world = build_world(make_user, make_neighbourhood, make_item)
    pages = site_pages(app, world)
    assert {page.lang for page in pages} == set(app.config["LANGUAGES"])
    assert len(pages) > 100
    assert unnamed_controls(browser, distinct_forms(pages)) == {}


def test_the_name_check_finds_a_label_stolen_by_a_duplicated_id(
    app, browser, make_user, make_neighbourhood, make_item
):
    world = build_world(make_user, make_neighbourhood, make_item)
    duplicate_form_ids(app)
    pages = site_pages(app, world, roles=("anonymous",), languages=["nl"])
    activity = [p for p in pages if p.url == f"/activiteit/{world.values['item_id']}"]
    found = unnamed_controls(browser, activity)
    unnamed = found[activity[0].label]
    assert any("'name': 'name'" in control for control in unnamed), unnamed
    assert any("'name': 'email'" in control for control in unnamed)
