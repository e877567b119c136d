"""The demo's neighbourhood manager: `flask demo` appoints one in Lombok with two-step login
on and prints how to log in; a newcomer who follows those lines reaches the manager pages.
`flask demo-code` gives codes for demo accounts only."""

from __future__ import annotations

import re
import shlex
import time

import pyotp
import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from wijk.demo.content import CONTENT_FILE, DemoDataError, load_content
from wijk.extensions import db
from wijk.models import Neighbourhood, NeighbourhoodManager, User

MANAGER = "wijkbeheer@example.org"


def run(runner, *args: str):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_a_newcomer_logs_in_as_manager_by_following_the_printed_lines(app, runner):
    started = time.monotonic()
    output = run(runner, "demo")
    password = re.search(r"password for each: (\S+)\)", output).group(1)
    email = re.search(r"Log in as neighbourhood manager: (\S+) with the password", output)[1]
    command = re.search(rf"^\s+flask (demo-code {re.escape(email)})$", output, re.M)[1]
    manage_url = re.search(r"Then open (/beheer/\S+?)\.$", output, re.M)[1]
    assert email == MANAGER and manage_url == "/beheer/lombok"

    client = app.test_client()
    step_one = client.post("/inloggen", data={"email": email, "password": password})
    assert step_one.headers["Location"].endswith("/inloggen/code")
    code = run(runner, *shlex.split(command)).strip()
    assert re.fullmatch(r"\d{6}", code)
    step_two = client.post("/inloggen/code", data={"code": code})
    assert step_two.status_code == 302
    page = client.get(manage_url)
    assert page.status_code == 200 and "Lombok" in page.get_data(as_text=True)
    assert time.monotonic() - started < 60


def test_the_printed_key_works_in_an_authenticator_app(app, runner):
    output = run(runner, "demo")
    key = re.search(r"add the key (\w+) to an authenticator app", output)[1]
    client = app.test_client()
    client.post("/inloggen", data={"email": MANAGER, "password": "wijk-demo-2026"})
    response = client.post("/inloggen/code", data={"code": pyotp.TOTP(key).now()})
    assert response.status_code == 302
    assert client.get("/beheer/lombok").status_code == 200


def test_the_manager_manages_lombok_only_and_a_second_run_keeps_the_key(app, runner):
    run(runner, "demo")
    user = db.session.scalar(select(User).where(User.email == MANAGER))
    places = db.session.scalars(
        select(Neighbourhood.slug)
        .join(NeighbourhoodManager, NeighbourhoodManager.neighbourhood_id == Neighbourhood.id)
        .where(NeighbourhoodManager.user_id == user.id)
    ).all()
    assert places == ["lombok"] and user.totp_enabled_at is not None
    secret = user.totp_secret
    again = run(runner, "demo")
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret == secret
    assert f"add the key {secret}" in again
    assert db.session.scalar(
        select(NeighbourhoodManager).where(NeighbourhoodManager.user_id == user.id)
    )


def test_a_code_counts_once_so_demo_code_gives_the_next_one(app, runner):
    run(runner, "demo")
    client = app.test_client()
    client.post("/inloggen", data={"email": MANAGER, "password": "wijk-demo-2026"})
    first = run(runner, "demo-code", MANAGER).strip()
    assert client.post("/inloggen/code", data={"code": first}).status_code == 302
    client.post("/uitloggen")
    client.post("/inloggen", data={"email": MANAGER, "password": "wijk-demo-2026"})
    second = run(runner, "demo-code", MANAGER).strip()
    assert second != first
    assert client.post("/inloggen/code", data={"code": second}).status_code == 302


def test_the_admin_sets_up_two_step_login_with_demo_code(app, runner):
    output = run(runner, "demo")
    assert "flask demo-code admin@example.org" in output
    client = app.test_client()
    client.post("/inloggen", data={"email": "admin@example.org", "password": "wijk-demo-2026"})
    assert "tweestapsverificatie" in client.get("/admin").headers["Location"]
    client.get("/account/tweestapsverificatie")  # the set-up stores a pending secret
    code = run(runner, "demo-code", "admin@example.org").strip()
    client.post("/account/tweestapsverificatie", data={"code": code})
    assert client.get("/admin").status_code == 200


def refused(runner, email: str) -> str:
    result = runner.invoke(args=["demo-code", email])
    assert result.exit_code == 1, result.output
    assert not re.search(r"\b\d{6}\b", result.output), "no code is printed"
    assert "Traceback" not in result.output
    return result.output


def test_demo_code_refuses_a_database_without_the_demo(app, runner):
    assert "run `flask demo` first" in refused(runner, MANAGER)


def test_demo_code_refuses_a_real_account(app, runner, make_user):
    run(runner, "demo")
    person = make_user(email="echte.beheerder@example.org")
    person.totp_secret, person.totp_enabled_at = pyotp.random_base32(), person.created_at
    db.session.commit()
    assert "is not one of the demo accounts" in refused(runner, person.email)


def test_demo_code_refuses_a_demo_address_with_its_own_password(app, runner):
    run(runner, "demo")
    user = db.session.scalar(select(User).where(User.email == MANAGER))
    user.password_hash = generate_password_hash("een eigen lang wachtwoord")
    db.session.commit()
    assert "no longer has the demo password" in refused(runner, MANAGER)


def test_demo_code_refuses_a_demo_account_without_two_step_login(app, runner):
    run(runner, "demo")
    assert "has not started two-step login" in refused(runner, "anna@example.org")


def test_a_manager_of_an_unknown_neighbourhood_is_named_in_the_error(tmp_path):
    broken = tmp_path / "content.toml"
    text = CONTENT_FILE.read_text(encoding="utf-8")
    broken.write_text(text.replace('manages = ["lombok"]', 'manages = ["lombk"]'), "utf-8")
    with pytest.raises(DemoDataError, match=r"accounts\[\d+\]\.manages: 'lombk' is not one of"):
        load_content(broken)
