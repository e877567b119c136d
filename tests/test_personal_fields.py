"""The personal fields on content are one list: the column declarations. A new personal
column with its flag joins the gate, the form, the item page, the feeds, the privacy
statement and retention by declaring itself; the contact e-mail is never public."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import DeclarativeBase, mapped_column

from wijk.models import Item
from wijk.models.base import FieldDeclaration, personal, personal_fields
from wijk.privacy.retention import cleared_contact
from wijk.privacy.vocabulary import field_label
from wijk.visibility import item_view

PROBE = Path(__file__).with_name("personal_field_probe.py")


def _declared(**field) -> dict:
    return personal(
        category="contact details on content",
        purpose="a purpose",
        basis="consent",
        retention="content_contact",
        audience="the owner",
        **field,
    )


class _Base(DeclarativeBase):
    pass


class Notice(_Base):
    """A throwaway model: two personal fields, a personal column that is not a field."""

    __tablename__ = "notice"
    id = mapped_column(Integer, primary_key=True)
    bank_account = mapped_column(
        String(34),
        info=_declared(
            flag="bank_account_public",
            label=_l("Bank account"),
            register_label=_l("bank account number"),
        ),
    )
    bank_account_public = mapped_column(Boolean, default=False)
    reply_email = mapped_column(
        String(254),
        info=_declared(
            never_public=True, label=_l("Reply e-mail"), register_label=_l("reply address")
        ),
    )
    internal_note = mapped_column(String(200), info=_declared())


def test_personal_fields_are_the_declared_columns_in_column_order():
    assert personal_fields(Notice) == (
        FieldDeclaration(
            "bank_account", "bank_account_public", _l("Bank account"), _l("bank account number")
        ),
        FieldDeclaration("reply_email", None, _l("Reply e-mail"), _l("reply address")),
    )
    assert [f.never_public for f in personal_fields(Notice)] == [False, True]


@pytest.mark.parametrize(
    "field",
    [
        {"label": _l("Bank account"), "register_label": _l("bank account number")},  # no flag
        {
            "label": _l("Bank account"),
            "register_label": _l("bank account number"),
            "flag": "bank_account_public",
            "never_public": True,
        },
        {"label": _l("Bank account"), "flag": "bank_account_public"},  # no register label
        {"flag": "bank_account_public"},  # a flag without a field to show
    ],
)
def test_a_personal_field_must_say_how_it_becomes_public(field):
    with pytest.raises(ValueError):
        _declared(**field)


def test_contact_email_is_declared_never_public(app):
    email = next(f for f in personal_fields(Item) if f.name == "contact_email")
    assert email.never_public
    assert "contact_email_public" not in Item.__table__.columns
    assert "contact_email" in cleared_contact()  # but it is erased with the others
    assert field_label("item.contact_email") == str(email.register_label)


def test_contact_email_reaches_only_those_who_edit(app, make_item, make_user):
    owner = make_user()
    flags = {f.flag: True for f in personal_fields(Item) if f.flag}
    item = make_item("activity", owner=owner, contact_email="nooit@example.org", **flags)
    assert [f.name for f in item_view(item, None).fields if f.name == "contact_email"] == []
    assert [f.name for f in item_view(item, make_user()).fields if f.name == "contact_email"] == []
    mine = item_view(item, owner).field("contact_email")
    assert mine.value == "nooit@example.org" and mine.never_public and not mine.public


def test_a_new_personal_column_joins_every_output_by_declaring_itself(tmp_path):
    """The probe adds `bank_account` (with `bank_account_public`) to Item before the app
    is built, as a developer would; nothing else in the code names it."""
    result = subprocess.run(
        [sys.executable, str(PROBE), f"sqlite:///{tmp_path / 'probe.sqlite'}", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROBE.parent.parent,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    facts = json.loads(result.stdout.strip().splitlines()[-1])

    assert facts["declared"][-1] == ["bank_account", "bank_account_public"]
    assert facts["flag_default"] is False
    assert not any(facts["hidden"].values()), f"hidden bank account leaked: {facts['hidden']}"
    assert facts["owner_page"] == {"value": True, "label": True, "toggle": True}
    assert facts["form"] == {"value": True, "flag": True, "email_flag": False}
    assert facts["toggle"] == 302
    assert facts["email_toggle"] == 400, "the contact e-mail has no flag to switch on"
    assert all(facts["public"].values()), f"public bank account missing: {facts['public']}"
    assert facts["email_anywhere"] == [], "the contact e-mail reached a public output"
    assert facts["statement"], "the privacy statement does not name the new field"
    assert facts["after_purge"] == [None, False], "retention left the new field behind"
