"""Reports always reach a person (issue 13): with no manager for the neighbourhood they go
to the admins; the reporter is told what really happens, and is led back to the item."""

from __future__ import annotations

from manage_fixtures import login, switch_on_totp
from sqlalchemy import select

from wijk.extensions import db
from wijk.mail.delivery import drain
from wijk.models import OutboxMessage


def notices() -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "report_notice"))
    )


def test_a_report_without_a_manager_reaches_the_admins_and_says_so(
    app, client, make_item, make_neighbourhood, make_user, smtp_server
):
    place = make_neighbourhood("Zonder Beheer")
    item = make_item("activity", neighbourhood=place, title="Rommelmarkt")
    admin = make_user("Ada Admin", "ada@example.org", is_admin=True)
    make_user("Bewoner", "bewoner@example.org")
    form = client.get(f"/activiteit/{item.id}/melden").get_data(as_text=True)
    assert "geen wijkbeheerder" in form and "wijkbeheerders bekijken" not in form

    response = client.post(f"/activiteit/{item.id}/melden", data={"reason": "Oplichting"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "beheerders van Wijk hebben een e-mail gekregen" in html
    assert f'href="/activiteit/{item.id}"' in html  # back to the item
    [notice] = notices()
    assert notice.to_addr == admin.email
    assert "geen wijkbeheerder" in notice.body_text

    drain(app)
    assert [m.rcpt_tos for m in smtp_server.messages] == [["ada@example.org"]]
    # The link in the mail opens the item in the manager area for the admin.
    switch_on_totp(admin)
    login(client, admin)
    path = f"/beheer/{place.slug}/items/{item.id}"
    assert path in notice.body_text
    assert client.get(path).status_code == 200


def test_with_a_manager_only_the_managers_are_told(
    client, make_item, make_neighbourhood, make_manager, make_user
):
    place = make_neighbourhood()
    manager = make_manager(place)
    make_user("Ada Admin", "ada@example.org", is_admin=True)
    item = make_item("activity", neighbourhood=place)
    html = client.post(f"/activiteit/{item.id}/melden", data={"reason": "Reclame"}).get_data(
        as_text=True
    )
    assert "wijkbeheerders van deze wijk hebben een e-mail gekregen" in html
    assert [n.to_addr for n in notices()] == [manager.email]
