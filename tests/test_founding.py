"""Starting a neighbourhood from an unknown postcode: the request, the admin's decision,
the first manager behind two-step login, and the request as the requester's data."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from manage_fixtures import audit_count, code_for, login, switch_on_totp
from sqlalchemy import func, select

from wijk.extensions import db
from wijk.models import (
    Neighbourhood,
    NeighbourhoodManager,
    NeighbourhoodRequest,
    OutboxMessage,
    RequestStatus,
)
from wijk.models.base import utcnow
from wijk.privacy.retention import purge

FORM = {
    "name": "Lombok",
    "municipality": "Utrecht",
    "postcodes": "3453, 3454 AB",
    "motivation": "In onze straat kent niemand elkaar nog.",
}


def mails_to(address: str, kind: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.to_addr == address, OutboxMessage.kind == kind
            )
        )
    )


@pytest.fixture
def admin(make_user):
    user = make_user(name="Beheerder", is_admin=True)
    switch_on_totp(user)
    return user


def test_unknown_postcode_offers_to_start_a_neighbourhood(client):
    response = client.get("/postcode?postcode=3453 AB")
    assert response.status_code == 404
    assert "/wijk-starten?postcode=3453" in response.get_data(as_text=True)


def test_a_visitor_is_asked_for_an_account_and_the_postcode_is_kept(client, auth, make_user):
    page = client.get("/wijk-starten?postcode=3453")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "3453" in html
    assert "/registreren" in html and "/inloggen?next=" in html
    assert 'name="motivation"' not in html  # no form before there is an account
    auth.login(make_user())
    form = client.get("/wijk-starten").get_data(as_text=True)  # no postcode in the link now
    assert 'name="postcodes"' in form and 'value="3453"' in form


def test_an_unverified_account_confirms_its_address_first(client, auth, make_user):
    auth.login(make_user(verified=False))
    response = client.post("/wijk-starten", data=FORM)
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(NeighbourhoodRequest.id))) == 0


def test_request_from_unknown_postcode_ends_in_a_neighbourhood_with_its_manager(
    client, app, make_user, admin
):
    resident = make_user(name="Fatima")
    assert client.get("/postcode?postcode=3453").status_code == 404
    login(client, resident)
    sent = client.post("/wijk-starten", data=FORM)
    assert sent.status_code == 302
    asked = db.session.scalar(select(NeighbourhoodRequest))
    assert asked.postcodes == "3453 3454" and asked.status == RequestStatus.OPEN
    assert mails_to(resident.email, "neighbourhood_request_received")
    assert audit_count("neighbourhood_request.made", subject_id=resident.id) == 1
    client.post("/uitloggen")

    login(client, admin)
    listing = client.get("/admin/wijkaanvragen").get_data(as_text=True)
    assert "Lombok" in listing
    detail = client.get(f"/admin/wijkaanvragen/{asked.id}")
    assert detail.status_code == 200 and FORM["motivation"] in detail.get_data(as_text=True)
    assert audit_count("neighbourhood_request.viewed", subject_id=resident.id) == 1
    approved = client.post(
        f"/admin/wijkaanvragen/{asked.id}/goedkeuren",
        data={"name": "Lombok", "slug": "lombok", "municipality": "Utrecht", "postcodes": "3453"},
    )
    assert approved.status_code == 302
    client.post("/uitloggen")

    place = db.session.scalar(select(Neighbourhood).where(Neighbourhood.slug == "lombok"))
    assert place is not None and place.city == "Utrecht"
    assert [p.postcode for p in place.postcodes] == ["3453"]  # the admin left one out
    assert db.session.get(NeighbourhoodManager, (place.id, resident.id)) is not None
    db.session.refresh(asked)
    assert asked.status == RequestStatus.APPROVED and asked.neighbourhood_id == place.id
    mail = mails_to(resident.email, "neighbourhood_request_approved")[0]
    assert "tweestapsverificatie" in mail.body_text  # the mail says two-step login opens it
    assert audit_count("neighbourhood_request.approved", subject_id=resident.id) == 1
    assert audit_count("manager.appointed", subject_id=resident.id) == 1
    assert client.get("/postcode?postcode=3453").headers["Location"].endswith("/wijk/lombok")

    # The manager pages stay shut until the new manager switches on two-step login.
    login(client, resident)
    shut = client.get(f"/beheer/{place.slug}")
    assert shut.status_code == 302 and "tweestapsverificatie" in shut.headers["Location"]
    client.get("/account/tweestapsverificatie")
    db.session.refresh(resident)
    done = client.post("/account/tweestapsverificatie", data={"code": code_for(resident)})
    assert done.status_code == 200
    assert client.get(f"/beheer/{place.slug}").status_code == 200


def test_taken_and_malformed_postcodes_are_named_beside_the_field(
    client, auth, make_user, make_neighbourhood
):
    make_neighbourhood("Oog in Al", postcodes=("3531",))
    auth.login(make_user())
    taken = client.post("/wijk-starten", data={**FORM, "postcodes": "3531, 3453"})
    html = taken.get_data(as_text=True)
    assert taken.status_code == 400
    assert 'id="postcodes-error"' in html and "3531 (Oog in Al)" in html
    assert FORM["motivation"] in html  # the text is kept
    bad = client.post("/wijk-starten", data={**FORM, "postcodes": "12, abcd, 0123"})
    assert bad.status_code == 400 and "12, ABCD, 0123" in bad.get_data(as_text=True)
    control = client.post("/wijk-starten", data={**FORM, "name": "Wijk\x07"})
    assert control.status_code == 400 and 'id="name-error"' in control.get_data(as_text=True)
    assert db.session.scalar(select(func.count(NeighbourhoodRequest.id))) == 0


def test_postcodes_in_an_open_request_are_not_asked_twice(client, auth, make_user):
    auth.login(make_user())
    assert client.post("/wijk-starten", data=FORM).status_code == 302
    again = client.post("/wijk-starten", data={**FORM, "postcodes": "3460"})
    assert again.status_code == 400  # one open request per person
    client.post("/uitloggen")
    auth.login(make_user())
    other = client.post("/wijk-starten", data={**FORM, "postcodes": "3454"})
    assert other.status_code == 400
    assert "3454" in other.get_data(as_text=True)
    assert db.session.scalar(select(func.count(NeighbourhoodRequest.id))) == 1


def test_a_declined_request_tells_the_requester_why(client, make_user, admin):
    resident = make_user()
    login(client, resident)
    client.post("/wijk-starten", data=FORM)
    asked = db.session.scalar(select(NeighbourhoodRequest))
    client.post("/uitloggen")
    login(client, admin)
    empty = client.post(f"/admin/wijkaanvragen/{asked.id}/afwijzen", data={"reason": ""})
    assert empty.status_code == 400 and 'id="reason-error"' in empty.get_data(as_text=True)
    reason = "Lombok valt al onder de wijk Oost; doe daar mee."
    assert (
        client.post(f"/admin/wijkaanvragen/{asked.id}/afwijzen", data={"reason": reason})
    ).status_code == 302
    twice = client.post(
        f"/admin/wijkaanvragen/{asked.id}/goedkeuren",
        data={"name": "Lombok", "slug": "lombok", "municipality": "Utrecht", "postcodes": "3453"},
    )
    assert twice.status_code == 400  # decided is decided
    assert db.session.scalar(select(func.count(Neighbourhood.id))) == 0
    client.post("/uitloggen")
    assert reason in mails_to(resident.email, "neighbourhood_request_declined")[0].body_text
    assert audit_count("neighbourhood_request.declined", subject_id=resident.id) == 1
    login(client, resident)
    assert reason in client.get("/wijk-starten").get_data(as_text=True)


def test_approval_refuses_a_taken_web_address(client, make_user, make_neighbourhood, admin):
    make_neighbourhood("Lombok oud").slug = "lombok"
    db.session.commit()
    resident = make_user()
    login(client, resident)
    client.post("/wijk-starten", data=FORM)
    asked = db.session.scalar(select(NeighbourhoodRequest))
    client.post("/uitloggen")
    login(client, admin)
    response = client.post(
        f"/admin/wijkaanvragen/{asked.id}/goedkeuren",
        data={"name": "Lombok", "slug": "lombok", "municipality": "Utrecht", "postcodes": "3453"},
    )
    assert response.status_code == 400 and 'id="slug-error"' in response.get_data(as_text=True)
    assert client.get("/admin/wijkaanvragen/99999999999999999999").status_code == 404


def test_the_request_is_the_requesters_data_until_it_goes(client, make_user, admin):
    resident = make_user()
    login(client, resident)
    client.post("/wijk-starten", data=FORM)
    mine = client.get("/mijn/gegevens").get_data(as_text=True)
    assert FORM["motivation"] in mine
    export = client.post("/mijn/gegevens/export")
    assert export.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(export.data))
    data = json.loads(archive.read("data.json"))
    assert data["neighbourhood_requests"][0]["motivation"] == FORM["motivation"]
    assert "neighbourhood_requests.csv" in archive.namelist()

    asked = db.session.scalar(select(NeighbourhoodRequest))
    asked.status, asked.decided_at = RequestStatus.DECLINED, utcnow() - timedelta(days=366)
    db.session.commit()
    assert purge()["neighbourhood_request"] == 1
    assert db.session.scalar(select(func.count(NeighbourhoodRequest.id))) == 0


def test_the_request_goes_with_the_account(make_user):
    resident = make_user()
    db.session.add(
        NeighbourhoodRequest(
            user_id=resident.id, name="X", municipality_name="Y", postcodes="3453", motivation="Z"
        )
    )
    db.session.commit()
    db.session.delete(resident)
    db.session.commit()
    assert db.session.scalar(select(func.count(NeighbourhoodRequest.id))) == 0
