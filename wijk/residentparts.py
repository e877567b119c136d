"""A logged-in visitor's fragments (the account menu, the follow and newsletter boxes,
the post buttons), kept per process by what they asked about the visitor.

Around a cached page, every logged-in visitor still gets these fragments rendered for
them (wijk/pagecache.py `personal`). They differ little between people: the menu of a
resident is the menu of every resident. A fragment kept for one visitor is given to
another only when it would have rendered the same for them, and that is made true by
construction, not by reading the templates:

- While a fragment renders to be kept, the visitor it can reach is a stand-in (`_Asked`),
  both as the template's `current_user` and as flask_login's `current_user` in the code it
  calls. The stand-in answers only plain account facts (`FACTS`) and the visitor helpers
  (`helpers()`: permissions, what they follow), and records every question with its answer.
  Anything else about the visitor (their id, name, e-mail, session, request, flashes)
  raises `NotKept`: that fragment is rendered for each visitor, as before.
- The text is kept under the template, its context, the language and the script root,
  with the questions and answers. It is given to a visitor for whom every recorded
  question has the same answer (same type, same value). Equal answers mean the template
  took the same branches, so asked the same questions, so wrote the same text.

Answers are asked again on every request (the helpers read the appointments every
logged-in request reads anyway), so a follow, an appointment or a verified address shows
at once. CSRF tokens and the page's path stay placeholders in the kept text.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request
from flask_babel import get_locale
from flask_login import current_user

from wijk.security.permissions import template_helpers

# Account facts a kept fragment may read: plain values of the loaded row, the same for
# everyone in the same situation. Never an identifier: an id would let code look up
# something about this one person that the recorded answer does not describe.
FACTS = frozenset({"is_authenticated", "is_active", "is_anonymous", "is_verified", "is_admin"})
PLAIN = (bool, int, str, type(None))
KEPT_KEYS = 1024  # template x context x language: a few per neighbourhood and language
ALTERNATIVES = 8  # kept texts per key, one per distinct set of answers
# Template variables that are the visitor's own in another shape.
REFUSED = ("session", "request", "g", "get_flashed_messages")

Question = tuple[str, ...]
Answers = tuple[tuple[Question, Any], ...]
Kept = OrderedDict[tuple, list[tuple[Answers, str]] | None]


# Lookups read without it; changes to the kept texts (threaded servers) take it.
_LOCK = threading.Lock()


class NotKept(Exception):
    """The fragment asked something about the visitor that is not a recorded question.
    Not an AttributeError on purpose: Jinja turns those into silent undefined values."""


def _kept() -> Kept:
    """This app's kept texts (per app: its templates, URLs and languages)."""
    found = current_app.extensions.get("wijk_resident_parts")
    if found is None:
        found = current_app.extensions["wijk_resident_parts"] = OrderedDict()
    return found


def helpers() -> dict[str, Callable[..., Any]]:
    """The template helpers that answer about the visitor (through current_user): the
    permission helpers and what they follow. Built once per app."""
    found = current_app.extensions.get("wijk_visitor_helpers")
    if found is None:
        globals_ = current_app.jinja_env.globals
        found = {**template_helpers(), "following": globals_["following"]}
        current_app.extensions["wijk_visitor_helpers"] = found
    return found


def _same(one: Any, other: Any) -> bool:
    return type(one) is type(other) and one == other


def _answer(question: Question, found: dict[str, Callable[..., Any]]) -> Any:
    """The current visitor's answer to a recorded question."""
    if question[0] == "fact":
        return getattr(current_user, question[1])
    return found[question[1]](*json.loads(question[2]))


class _Refused:
    """A template variable that is the visitor's own (session, request, flashes)."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def _refuse(self, *_args: Any, **_kwargs: Any) -> Any:
        raise NotKept(self._name)

    __getattr__ = __getitem__ = __call__ = __iter__ = __str__ = __html__ = _refuse  # noqa: PLW3201


class _Asked:
    """The visitor as a kept fragment sees them: FACTS, each read recorded."""

    __slots__ = ("_answers", "_user")

    def __init__(self, user: Any, answers: list[tuple[Question, Any]]) -> None:
        self._user, self._answers = user, answers

    def __getattr__(self, name: str) -> Any:
        if name not in FACTS:
            raise NotKept(name)
        value = getattr(self._user, name)
        if not isinstance(value, PLAIN):
            raise NotKept(name)
        self._answers.append((("fact", name), value))
        return value

    def _refuse(self, *_args: Any, **_kwargs: Any) -> Any:
        raise NotKept("the visitor itself")

    __getitem__ = __iter__ = __str__ = __repr__ = __html__ = _refuse  # noqa: PLW3201


def _asking(name: str, helper: Callable[..., Any], user: Any, answers: list) -> Callable:
    """A helper that answers with the real visitor and records question and answer."""

    def asked(*args: Any) -> Any:
        try:
            arguments = json.dumps(args)
        except TypeError:
            raise NotKept(name) from None
        stand_in = g._login_user
        g._login_user = user
        try:
            answer = helper(*args)
        finally:
            g._login_user = stand_in
        if not isinstance(answer, PLAIN):
            raise NotKept(name)
        answers.append((("call", name, arguments), answer))
        return answer

    return asked


def render(
    template: str, context: dict, shared: Callable[[], dict], per_person: Callable[[], str]
) -> str:
    """The fragment for the logged-in visitor: a kept text when one answers as they
    would, else rendered (and kept when it asked only recorded questions). `shared` gives
    the request's template context; `per_person` renders for this visitor alone."""
    key = (
        template,
        json.dumps(context, sort_keys=True),
        str(get_locale()),
        request.script_root,
    )
    everything = _kept()
    kept = everything.get(key, [])
    if kept is None:
        return per_person()
    found = helpers()
    for answers, kept_text in kept:
        if all(_same(_answer(question, found), answer) for question, answer in answers):
            with _LOCK:
                if key in everything:
                    everything.move_to_end(key)
            return kept_text
    recorded: list[tuple[Question, Any]] = []
    user = current_user._get_current_object()
    stand_in = _Asked(user, recorded)
    values = {
        **shared(),
        **{name: _asking(name, helper, user, recorded) for name, helper in found.items()},
        **{name: _Refused(name) for name in REFUSED},
        "current_user": stand_in,
        **context,
    }
    g._login_user = stand_in
    try:
        text: str | None = current_app.jinja_env.get_template(template).render(values)
    except NotKept:
        text = None
    finally:
        g._login_user = user
    with _LOCK:
        if text is None:
            everything[key] = None  # this fragment asks more: rendered for each visitor
        else:
            kept = (everything.get(key) or []) + [(_unique(recorded), text)]
            everything[key] = kept[-ALTERNATIVES:]
            everything.move_to_end(key)
        while len(everything) > KEPT_KEYS:
            everything.popitem(last=False)
    return per_person() if text is None else text


def _unique(recorded: list[tuple[Question, Any]]) -> Answers:
    """Each question once (a helper asked twice answers the same within a render)."""
    return tuple({question: answer for question, answer in recorded}.items())
