"""The words of the privacy declarations, for translation.

Declarations in the models are plain English (Column.info cannot hold lazy strings
without tying the models to Flask-Babel). Listing them here lets `pybabel extract` find
them, so /privacy and the register appear in Dutch too; a test fails when a declaration
uses a text that is missing here, and when a declared column has no label. The personal
fields on content are the exception: their declaration is the one list of them, so it
carries their lazy labels itself (lazy strings need no app until they are rendered)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from wijk.models import Item
from wijk.models.base import personal_fields

DECLARATION_TEXTS: tuple[Any, ...] = (
    # categories
    _l("account"),
    _l("activity sign-up"),
    _l("audit trail"),
    _l("blocked sender"),
    _l("consent"),
    _l("contact details on content"),
    _l("content history"),
    _l("e-mail in transit"),
    _l("invitation"),
    _l("moderation decision"),
    _l("newsletter consent"),
    _l("privacy request"),
    _l("relayed message"),
    _l("report"),
    _l("sealed copy of a deleted account"),
    _l("contact details"),
    _l("interests"),
    _l("moderation decision"),
    # purposes of suspensions (issue 17)
    _l("tell the person why they may not post, and account for it"),
    _l("let the person answer the decision"),
    _l("tell the person why they may post again"),
    _l("the person; managers and city staff of the neighbourhood (admins for site-wide ones)"),
    # requests to start a neighbourhood (issue 14)
    _l("neighbourhood request"),
    _l("start the neighbourhood the person asked for"),
    _l("let admins judge the request"),
    _l("tell the person why the request was declined"),
    # purposes
    _l("account for every access to personal data and every moderation step"),
    _l("address the person, show the author to managers"),
    _l("answer the request"),
    _l("confirm, cancel, and let the organiser reach the person"),
    _l("deliver messages from the relay contact form"),
    _l("deliver the invitation and match it when accepted"),
    _l("deliver answers sent to the alias"),
    _l("deliver the message"),
    _l("know the address is the person's own before they post"),
    _l("let managers judge the report"),
    _l("let the recipient answer"),
    _l("let the recipient answer a relayed message"),
    _l("let the recipient recognise and unblock a sender"),
    _l("let visitors call the contact person"),
    _l("let the person answer the decision"),
    _l("log in"),
    _l("name the side in the From line of relayed mail"),
    _l("log in, account mail"),
    _l("prove the opt-in and send the newsletter"),
    _l("prove the opt-in and build the digest"),
    _l("send the digest the person asked for"),
    _l("send the newsletter to someone without an account"),
    _l("prove what the person agreed to and when: what was agreed to"),
    _l("prove what the person agreed to and when: when"),
    _l("prove what the person agreed to and when: when it ended"),
    _l("prove what the person agreed to and when: which version"),
    _l("remove unverified accounts after 7 days"),
    _l("restore an account deleted by mistake; legal claims"),
    _l("second login step (TOTP)"),
    _l("show the relay alias a relayed message comes from"),
    _l("show what a manager changed and allow undoing it"),
    _l("show where to go or whom to visit"),
    _l("tell the organiser who comes"),
    _l("tell the person why they may not post, and account for it"),
    _l("tell the person why they may post again"),
    _l("tell the recipient who wrote"),
    _l("tell visitors whom they will meet"),
    _l("tell the person why they may not post, and account for it"),
    _l("let the person answer the decision"),
    _l("tell the person why they may post again"),
    _l("write to the person in their language"),
    # audiences
    _l("admins"),
    _l("managers and city staff of the neighbourhood; admins"),
    _l("the person; managers and city staff of the neighbourhood (admins for site-wide ones)"),
    _l("nobody (a one-way hash)"),
    _l("nobody; only the mail worker uses it"),
    _l("the person"),
    _l("nobody but the mail system; admins see failed messages"),
    _l("nobody but the relay; never the other side"),
    _l("nobody; an admin command can decrypt it on request"),
    _l("the author, co-managers and managers and city staff of the neighbourhood"),
    _l("the contact person it was sent to"),
    _l("the inviting owner"),
    _l("the organiser and co-managers of the activity"),
    _l("the owner and co-managers; the public only when its flag is on"),
    _l("the person concerned; admins"),
    _l("the person; admins"),
    _l("the person; managers and admins when they handle the person's content"),
    _l("the person; managers of neighbourhoods where the person posts"),
    _l("the person; managers and city staff of the neighbourhood (active subscribers only)"),
    _l("the person; managers and city staff of the neighbourhood (admins for site-wide ones)"),
    _l("the recipient who blocked"),
    # "Hulp nodig?" and picture consent (issue 18)
    _l("help question"),
    _l("address the person in the answer"),
    _l("deliver the answer"),
    _l("answer the question"),
    _l("the administrators who answer"),
    _l("nobody; the relay delivers the answers to it"),
    _l("consent for a picture"),
    _l("know whether people can be recognised in the picture"),
    _l("prove that the people shown agreed to the picture"),
    _l("know whether children are in the picture"),
    _l("prove that a parent or guardian of each child agreed"),
    _l("know when the uploader answered"),
    _l("the owner and co-managers; managers of the neighbourhood"),
)

BASES = {
    "consent": _l("consent"),
    "contract": _l("contract (needed for the service you asked for)"),
    "legitimate_interest": _l("legitimate interest"),
}

FIELD_LABELS: dict[str, Any] = {
    "user_account.email": _l("e-mail address"),
    "user_account.name": _l("name"),
    "user_account.password_hash": _l("password (stored as a one-way hash)"),
    "user_account.email_verified_at": _l("when the e-mail address was confirmed"),
    "user_account.created_at": _l("when the account was made"),
    "user_account.locale": _l("language"),
    "user_account.totp_secret": _l("key for two-step login"),
    "consent.document": _l("document agreed to"),
    "consent.version": _l("version agreed to"),
    "consent.accepted_at": _l("time of agreement"),
    "consent.withdrawn_at": _l("time of withdrawal"),
    "newsletter_subscription.subscribed_at": _l("newsletter opt-in and its time"),
    "newsletter_subscription.email": _l("e-mail address for a newsletter without an account"),
    "follower.email": _l("e-mail address for a digest without an account"),
    "follow.created_at": _l("what you follow, and since when"),
    "blocked_sender.sender_hint": _l("masked address of a blocked sender"),
    "item_revision.snapshot": _l("earlier version of a post"),
    "invitation.email": _l("e-mail address of the invited person"),
    "relay_message.sender_name": _l("sender's name"),
    "relay_message.sender_email": _l("sender's e-mail address"),
    "relay_message.body": _l("message text"),
    "relay_alias.address": _l("e-mail address behind a relay alias"),
    "relay_alias.display_name": _l("name shown with a relay alias"),
    "signup.name": _l("name of the person signing up"),
    "signup.email": _l("e-mail address of the person signing up"),
    "signup.locale": _l("language of the person signing up"),
    "report.reason": _l("reason given in a report"),
    "suspension.reason": _l("reason for a suspension"),
    "suspension.answer": _l("the suspended person's answer"),
    "suspension.lift_reason": _l("reason for lifting a suspension"),
    "audit_entry.detail": _l("details of an access or moderation step"),
    "outbox_message.to_addr": _l("recipient address"),
    "outbox_message.from_addr": _l("sender line of a relayed e-mail"),
    "outbox_message.reply_to": _l("reply address"),
    "outbox_message.subject": _l("subject"),
    "outbox_message.body_text": _l("text of the e-mail"),
    "outbox_message.body_html": _l("text of the e-mail (HTML)"),
    "outbox_message.attachments": _l("files sent with the e-mail (a calendar file)"),
    "sealed_account.ciphertext": _l("encrypted copy of the deleted account"),
    "privacy_request.email": _l("e-mail address for the answer"),
    "privacy_request.message": _l("your request"),
    "help_request.name": _l("name given with a help question"),
    "help_request.email": _l("e-mail address for the answer to a help question"),
    "help_request.question": _l("the help question"),
    "picture_consent.people": _l("whether people can be recognised in a picture"),
    "picture_consent.people_agreed": _l("whether the people in a picture agreed"),
    "picture_consent.children": _l("whether children are in a picture"),
    "picture_consent.guardian_agreed": _l("whether a parent or guardian agreed"),
    "picture_consent.answered_at": _l("when the questions about a picture were answered"),
    "neighbourhood_request.name": _l("name of the neighbourhood you asked for"),
    "neighbourhood_request.municipality_name": _l("municipality of that neighbourhood"),
    "neighbourhood_request.postcodes": _l("postcodes of that neighbourhood"),
    "neighbourhood_request.motivation": _l("why you asked for it"),
    "neighbourhood_request.decline_reason": _l("the reason a request was declined"),
    # The personal fields on content name themselves in their declaration.
    **{f"item.{f.name}": f.register_label for f in personal_fields(Item)},
}


def translate(text: str) -> str:
    """A declaration text in the current language (the catalogue has it, see above)."""
    return gettext(text) if text else text


def field_label(key: str) -> str:
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else key.split(".", 1)[1].replace("_", " ")
