"""A developer adds a personal field to content: one column with its declaration, and its
flag; nothing else. Run in a fresh interpreter by tests/test_personal_fields.py (the
column must exist before the app is built); reports as JSON what the gate, the form, the
item page, the feeds, the privacy statement and the purge make of it.

Usage: python tests/personal_field_probe.py DATABASE_URL INSTANCE_DIR"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, String, false, text
from werkzeug.security import generate_password_hash

from wijk.models import Activity, Item, Neighbourhood, User
from wijk.models.base import personal_fields, utcnow
from wijk.models.content import _contact

Item.bank_account = Column(
    String(34),
    info=_contact(
        "pay back what volunteers spent",
        _l("Bank account"),
        _l("bank account number"),
        flag="bank_account_public",
    ),
)
Item.bank_account_public = Column(Boolean, default=False, server_default=false(), nullable=False)

IBAN = "NL91PROB0417164300"
EMAIL = "probe-contact@example.org"
PASSWORD = "probe password 1"


def main(url: str, instance: str) -> dict:
    from flask_migrate import upgrade

    from wijk import create_app
    from wijk.extensions import db
    from wijk.privacy.retention import purge

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "probe",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "MAIL_FILE_DIR": f"{instance}/mail",
            "SERVER_NAME": None,
        }
    )
    facts: dict = {}
    with app.app_context():
        upgrade()
        with db.engine.begin() as connection:  # what the developer's migration would add
            connection.execute(text("ALTER TABLE item ADD COLUMN bank_account VARCHAR(34)"))
            connection.execute(
                text(
                    "ALTER TABLE item ADD COLUMN bank_account_public BOOLEAN DEFAULT false NOT NULL"
                )
            )
        facts["declared"] = [[f.name, f.flag] for f in personal_fields(Item)]
        place = Neighbourhood(
            name="Proefwijk", slug="proefwijk", city="Utrecht", description="Een wijk."
        )
        owner = User(
            name="Eigenaar",
            email="eigenaar@example.org",
            email_verified_at=utcnow(),
            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
        )
        start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=3)
        item = Activity(
            owner=owner,
            neighbourhood=place,
            title="Kascontrole",
            description="<p>Iedereen welkom.</p>",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            bank_account=IBAN,
            contact_email=EMAIL,
        )
        db.session.add(item)
        db.session.commit()
        facts["flag_default"] = item.bank_account_public
        page, feeds = (
            f"/activiteit/{item.id}",
            (f"/activiteit/{item.id}/agenda.ics", "/wijk/proefwijk/feed.atom"),
        )
        client = app.test_client()

        def public_outputs() -> dict[str, str]:
            return {path: client.get(path).get_data(as_text=True) for path in (page, *feeds)}

        facts["hidden"] = {path: IBAN in body for path, body in public_outputs().items()}

        client.post("/inloggen", data={"email": owner.email, "password": PASSWORD})
        owner_page = client.get(page).get_data(as_text=True)
        facts["owner_page"] = {
            "value": IBAN in owner_page,
            "label": "Bank account" in owner_page,
            "toggle": 'name="field" value="bank_account"' in owner_page,
        }
        form = client.get(f"{page}/bewerken").get_data(as_text=True)
        facts["form"] = {
            "value": 'name="bank_account"' in form,
            "flag": 'name="bank_account_public"' in form,
            "email_flag": 'name="contact_email_public"' in form,
        }
        facts["toggle"] = client.post(
            f"{page}/zichtbaarheid", data={"field": "bank_account", "public": "1"}
        ).status_code
        facts["email_toggle"] = client.post(
            f"{page}/zichtbaarheid", data={"field": "contact_email", "public": "1"}
        ).status_code
        client.post("/uitloggen")

        shown = public_outputs()
        facts["public"] = {path: IBAN in body for path, body in shown.items()}
        facts["email_anywhere"] = [path for path, body in shown.items() if EMAIL in body]
        facts["statement"] = "bank account number" in client.get("/privacy").get_data(as_text=True)

        db.session.expire_all()
        item = db.session.get(Activity, item.id)
        item.starts_at, item.ends_at = start - timedelta(days=60), start - timedelta(days=60)
        db.session.commit()
        purge(utcnow())
        db.session.expire_all()
        item = db.session.get(Activity, item.id)
        facts["after_purge"] = [item.bank_account, item.bank_account_public]
    return facts


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
