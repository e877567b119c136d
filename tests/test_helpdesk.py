""" "Hulp nodig?": on every page a link to a form whose question reaches the admins by mail
through the outbox, from a relay alias, so they answer by mail without ever seeing the
visitor's address; nothing of it is published."""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy import select

from wijk.clock import utcnow
from wijk.contact import inbound
from wijk.extensions import db
from wijk.models import HelpRequest, OutboxMessage, RelayAlias, RelaySide

VISITOR = "vraagsteller@example.net"
QUESTION = "Hoe zet ik een activiteit op de site? Ik vind de knop niet."


def outbox(kind: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def every_field(message: OutboxMessage) -> str:
    return " ".join(
        str(v)
        for v in (
            message.to_addr,
            message.from_addr,
            message.reply_to,
            message.subject,
            message.body_text,
            message.body_html,
            message.headers,
        )
    )


def test_every_page_links_to_help(client):
    for path in ("/", "/privacy", "/inloggen"):
        html = client.get(path).get_data(as_text=True)
        assert 'href="/hulp"' in html and "Hulp nodig?" in html, path


def test_a_question_reaches_every_admin_and_publishes_nothing(client, make_user):
    make_user("Ada Admin", "ada@example.org", is_admin=True)
    make_user("Bob Admin", "bob@example.org", is_admin=True).locale = "en"
    make_user("Cor Bewoner", "cor@example.org")
    db.session.commit()
    response = client.post(
        "/hulp", data={"name": "Vera", "email": VISITOR, "question": QUESTION, "website": ""}
    )
    assert response.status_code == 200
    assert "Je vraag is verstuurd" in response.get_data(as_text=True)

    mails = outbox("help")
    assert sorted(m.to_addr for m in mails) == ["ada@example.org", "bob@example.org"]
    visitor_alias = db.session.scalar(
        select(RelayAlias).where(RelayAlias.side == RelaySide.VISITOR)
    )
    alias = f"r-{visitor_alias.token}@relay.wijk.localhost"
    for mail in mails:
        assert mail.reply_to == alias and alias in mail.from_addr and "Vera" in mail.from_addr
        assert QUESTION in mail.body_text
        assert VISITOR not in every_field(mail)  # the admins never see the address
    by_admin = {m.to_addr: m for m in mails}
    assert "Nederlands" in by_admin["ada@example.org"].body_text  # each in their language
    assert "Beantwoord" in by_admin["ada@example.org"].body_text
    assert "Reply to this e-mail" in by_admin["bob@example.org"].body_text
    asked = db.session.scalar(select(HelpRequest))
    assert (asked.email, asked.name, asked.question) == (VISITOR, "Vera", QUESTION)
    assert asked.user_id is None and asked.locale == "nl"

    # Published nowhere: not on the home page, the help page, the feeds or the sitemap.
    for path in ("/", "/hulp", "/sitemap.xml", "/zoeken?q=activiteit"):
        page = client.get(path).get_data(as_text=True)
        assert QUESTION not in page and VISITOR not in page, path


def test_an_admins_answer_reaches_the_visitor_in_their_language(app, client, make_user):
    make_user("Bob Admin", "bob@example.org", is_admin=True)  # the first to be mailed
    admin = make_user("Ada Admin", "ada@example.org", is_admin=True)  # the one who answers
    client.post(
        "/hulp?lang=en",
        data={"email": VISITOR, "question": "How do I post an activity on the site?"},
    )
    asked = db.session.scalar(select(HelpRequest))
    assert asked.locale == "en"
    visitor_alias = db.session.scalar(
        select(RelayAlias).where(RelayAlias.side == RelaySide.VISITOR)
    )
    answer = EmailMessage()
    answer["From"] = f"Ada <{admin.email}>"
    answer["To"] = f"r-{visitor_alias.token}@relay.wijk.localhost"
    answer["Subject"] = "Re: your question"
    answer.set_content("Use the button 'Post' on your neighbourhood page. Greetings, Ada")
    with app.test_request_context():
        assert inbound.relay(admin.email, answer.as_bytes(), [answer["To"]], utcnow()) == 1
    relayed = outbox("relay")[-1]
    assert relayed.to_addr == VISITOR
    assert admin.email not in every_field(relayed)
    assert "An answer through Wijk" in relayed.body_text  # English, as the visitor wrote
    assert "How do I post an activity" in relayed.body_text  # what it is about

    # The visitor's reply goes to the admin who answered, in the admin's language.
    desk = db.session.scalar(select(RelayAlias).where(RelayAlias.side == RelaySide.CONTACT))
    assert desk.address == admin.email
    reply = EmailMessage()
    reply["From"] = VISITOR
    reply["To"] = f"r-{desk.token}@relay.wijk.localhost"
    reply["Subject"] = "Re: Re: your question"
    reply.set_content("Thank you, found it!")
    with app.test_request_context():
        assert inbound.relay(VISITOR, reply.as_bytes(), [reply["To"]], utcnow()) == 1
    back = outbox("relay")[-1]
    assert back.to_addr == admin.email and VISITOR not in every_field(back)
    assert "Een antwoord via Wijk" in back.body_text


def test_a_logged_in_person_is_not_asked_for_their_address(client, auth, make_user):
    make_user("Ada Admin", "ada@example.org", is_admin=True)
    person = make_user("Kees Lid", "kees@example.org")
    auth.login(person)
    page = client.get("/hulp").get_data(as_text=True)
    assert 'name="email"' not in page and 'value="Kees Lid"' in page
    client.post("/hulp", data={"name": "Kees", "question": QUESTION, "email": "ander@x.nl"})
    asked = db.session.scalar(select(HelpRequest))
    assert asked.email == "kees@example.org" and asked.user_id == person.id
    assert "kees@example.org" not in every_field(outbox("help")[0])


def test_bad_input_comes_back_with_messages_and_the_text_kept(client, make_user):
    make_user(is_admin=True)
    typed = "Kort"
    response = client.post("/hulp", data={"name": "Ünal", "email": "geen-adres", "question": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="email-error"' in html and 'id="question-error"' in html
    assert "Kort</textarea>" in html and 'value="Ünal"' in html and 'value="geen-adres"' in html
    too_long = client.post(
        "/hulp", data={"email": VISITOR, "question": "x" * 5001, "name": "n" * 101}
    )
    assert too_long.status_code == 400
    assert 'id="name-error"' in too_long.get_data(as_text=True)
    control = client.post("/hulp", data={"email": VISITOR, "question": "\x00\x07" * 3})
    assert control.status_code == 400
    assert outbox("help") == [] and db.session.scalar(select(HelpRequest)) is None


def test_a_filled_honeypot_sends_nothing_but_looks_the_same(client, make_user):
    make_user(is_admin=True)
    response = client.post(
        "/hulp", data={"email": VISITOR, "question": QUESTION, "website": "http://spam.example"}
    )
    assert response.status_code == 200 and "Je vraag is verstuurd" in response.get_data(
        as_text=True
    )
    assert outbox("help") == [] and db.session.scalar(select(HelpRequest)) is None


def test_the_help_form_is_rate_limited(client, make_user):
    make_user(is_admin=True)
    codes = [
        client.post("/hulp", data={"email": VISITOR, "question": QUESTION}).status_code
        for _ in range(6)
    ]
    assert codes == [200] * 5 + [429]


def test_without_admins_the_question_goes_to_the_controller_contact(app, client):
    client.post("/hulp", data={"email": VISITOR, "question": QUESTION})
    assert [m.to_addr for m in outbox("help")] == [app.config["CONTROLLER_CONTACT"]]


def test_help_questions_are_erased_after_90_days(client, make_user):
    from datetime import timedelta

    from wijk.privacy.retention import purge

    make_user(is_admin=True)
    client.post("/hulp", data={"email": VISITOR, "question": QUESTION})
    assert purge(utcnow() + timedelta(days=89))["help_request"] == 0
    assert purge(utcnow() + timedelta(days=91))["help_request"] == 1
    assert db.session.scalar(select(HelpRequest)) is None


def test_the_persons_questions_are_in_their_export_and_go_with_their_account(
    client, auth, make_user
):
    import io
    import zipfile

    from wijk.privacy.erasers import erase_traces

    make_user(is_admin=True)
    person = make_user("Kees Lid", "kees@example.org")
    auth.login(person)
    client.post("/hulp", data={"question": QUESTION})
    archive = zipfile.ZipFile(io.BytesIO(client.post("/mijn/gegevens/export").data))
    assert QUESTION in archive.read("help_questions.csv").decode("utf-8-sig")
    assert QUESTION in client.get("/mijn/gegevens").get_data(as_text=True)
    erase_traces(person, utcnow())
    db.session.commit()
    assert db.session.scalar(select(HelpRequest)) is None
