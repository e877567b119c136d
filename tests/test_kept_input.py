"""What a person typed survives an over-size picture and an expired form: the form comes
back with a message and the text, instead of a bare 413 or 400 page."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from conftest import _fresh_g
from flask import request_started
from sqlalchemy import func, select

from wijk import create_app
from wijk.extensions import db
from wijk.models import Item, RelayMessage

TITLE = "Buurtfeest op het plein"
DESCRIPTION = "Met muziek, een springkussen en soep van de buren."


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")


def test_a_picture_over_max_content_length_keeps_the_typed_text(
    app, client, auth, make_user, make_neighbourhood
):
    place = make_neighbourhood()
    auth.login(make_user())
    size = app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024
    response = client.post(
        "/plaatsen/activiteit",
        content_type="multipart/form-data",
        data={
            "neighbourhood_id": place.id,
            "title": TITLE,
            "description": DESCRIPTION,
            "starts_at": "2030-06-01T19:30",
            "picture": (BytesIO(b"\xff" * size), "groot.jpg"),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="picture-error"' in html and "5 MB" in html
    assert TITLE in html and DESCRIPTION in html
    assert db.session.scalar(select(func.count(Item.id))) == 0


def test_a_request_beyond_the_read_limit_still_gets_the_friendly_413(app, client, auth, make_user):
    app.config["UPLOAD_READ_LIMIT"] = app.config["MAX_CONTENT_LENGTH"]
    auth.login(make_user())
    size = app.config["MAX_CONTENT_LENGTH"] + 1024
    response = client.post(
        "/plaatsen/activiteit",
        content_type="multipart/form-data",
        data={"title": TITLE, "picture": (BytesIO(b"x" * size), "a.jpg")},
    )
    assert response.status_code == 413 and "<h1>" in response.get_data(as_text=True)


@pytest.fixture
def strict_app(_schema, tmp_path):
    url, _ = _schema
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "csrf-test",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": False,
        }
    )
    # One app context spans the test; give each request a clean `g` (see conftest), or
    # the token cached there by an earlier request would be reused.
    request_started.connect(_fresh_g, app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def token_in(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_an_expired_contact_form_comes_back_with_the_text_and_then_sends(strict_app, make_item):
    item = make_item("offer", contact_email="eigenaar@example.org")
    page = strict_app.test_client().get(f"/vraag-aanbod/{item.id}").get_data(as_text=True)
    old_token = token_in(page)
    later = strict_app.test_client()  # the session that issued the token is gone
    message = "Hallo, is de ladder nog beschikbaar? Ik kan zaterdag langskomen."
    data = {"name": "Vera", "email": "vera@example.net", "message": message}
    response = later.post(
        f"/vraag-aanbod/{item.id}/contact", data={**data, "csrf_token": old_token}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and 'value="Vera"' in html
    assert "expired" in html or "verlopen" in html
    assert db.session.scalar(select(func.count(RelayMessage.id))) == 0
    again = later.post(
        f"/vraag-aanbod/{item.id}/contact", data={**data, "csrf_token": token_in(html)}
    )
    assert again.status_code == 302
    assert db.session.scalar(select(func.count(RelayMessage.id))) == 1


def test_an_expired_registration_form_keeps_the_name_and_creates_nothing(strict_app):
    client = strict_app.test_client()
    response = client.post(
        "/registreren",
        data={"name": "Anna de Vries", "email": "anna@example.org", "csrf_token": "verlopen"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="Anna de Vries"' in html


def test_a_route_without_the_mark_keeps_the_plain_expired_page(strict_app):
    response = strict_app.test_client().post("/uitloggen", data={"csrf_token": "verlopen"})
    assert response.status_code == 400


def test_an_expired_help_form_keeps_the_question_and_then_sends(strict_app, make_user):
    from wijk.models import HelpRequest

    make_user(is_admin=True)
    page = strict_app.test_client().get("/hulp").get_data(as_text=True)
    old_token = token_in(page)
    later = strict_app.test_client()
    question = "Waar vind ik de agenda van Lombok? Ik zie alleen het aanbod."
    data = {"name": "Ünal", "email": "unal@example.net", "question": question}
    response = later.post("/hulp", data={**data, "csrf_token": old_token})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert question in html and 'value="Ünal"' in html and "verlopen" in html
    assert db.session.scalar(select(func.count(HelpRequest.id))) == 0
    again = later.post("/hulp", data={**data, "csrf_token": token_in(html)})
    assert again.status_code == 200
    assert db.session.scalar(select(func.count(HelpRequest.id))) == 1
