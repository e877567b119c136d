"""The interface languages: their names and writing direction come from Babel's locale
data, and the list from the one setting `LANGUAGES`, so a new language is one config
entry plus its catalogue."""

from __future__ import annotations

import pickle
from functools import lru_cache

from babel import Locale, UnknownLocaleError, localedata
from babel.support import NullTranslations
from flask import Flask, current_app
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

# The msgids are English, so English needs no catalogue; every other entry of LANGUAGES
# has a complete one under wijk/translations/<code>/ (tests/test_i18n.py).
SOURCE_LANGUAGE = "en"


@lru_cache(maxsize=32)
def language_name(code: str) -> str:
    """The language's own name for itself ("Nederlands", "Türkçe", "العربية")."""
    name = _own_name(code)
    if name is None:
        try:
            name = Locale.parse(code).display_name or code
        except (ValueError, TypeError, UnknownLocaleError):
            return code  # a code kept from an older configuration
    return name[:1].upper() + name[1:]


def _own_name(code: str) -> str | None:
    """A plain language's name from its own CLDR file, read past Babel's cache: the
    language menu on every page names every language, and Locale.parse would keep each
    one's whole locale data (about 1 MB) in every worker for that one word. None when
    the file does not hold it (a code with a territory, an unknown code): ask Babel."""
    if not code.isalpha():
        return None
    try:
        with open(localedata.resolve_locale_filename(code), "rb") as file:
            names = pickle.load(file).get("languages", {})  # noqa: S301 (Babel's own data)
    except (OSError, ValueError, pickle.UnpicklingError):
        return None
    name = names.get(code)
    return name if isinstance(name, str) and name else None


@lru_cache(maxsize=32)
def text_direction(code: str) -> str:
    """ "rtl" for a language written right to left (Arabic), "ltr" otherwise."""
    try:
        order = Locale.parse(code).character_order
    except (ValueError, TypeError, UnknownLocaleError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def languages() -> list[tuple[str, str]]:
    """(code, own name) for every configured language, in the configured order."""
    return [(code, language_name(code)) for code in current_app.config["LANGUAGES"]]


def language_choices() -> list[tuple[str, str, dict[str, str]]]:
    """Choices for a select: each option is marked with its own language (`lang`)."""
    return [(code, name, {"lang": code}) for code, name in languages()]


# --- the catalogue templates translate with ------------------------------------------

CATALOGUE = "wijk_catalogue"
LANGUAGE = "wijk_language"


def N_(message: str) -> str:
    """Marks a msgid for `pybabel extract` (a default keyword) where the text is
    translated later, through the catalogue of the page that shows it."""
    return message


def catalogue_of(context: Context) -> NullTranslations:
    """The catalogue a template is rendered in: looked up once per render_template (the
    context processor below, which runs inside any force_locale around the render), not
    once per string. Macros imported without context fall back to Flask-Babel's lookup."""
    found = context.get(CATALOGUE)
    return found if found is not None else get_translations()


def language_of(context: Context) -> str:
    """The code of the language a template is rendered in ("nl", "ar"), looked up with its
    catalogue (see catalogue_of)."""
    found = context.get(LANGUAGE)
    return found if found is not None else str(get_locale())


@pass_context
def _gettext(context: Context, message: str) -> str:
    return catalogue_of(context).ugettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    return catalogue_of(context).ungettext(singular, plural, count)


@pass_context
def _pgettext(context: Context, msgctxt: str, message: str) -> str:
    return catalogue_of(context).upgettext(msgctxt, message)


@pass_context
def _npgettext(context: Context, msgctxt: str, singular: str, plural: str, count: int) -> str:
    return catalogue_of(context).unpgettext(msgctxt, singular, plural, count)


@pass_context
def _translate(context: Context, message: str, /, **variables: object) -> str:
    """`_("...")` and `gettext("...")` in one call: what Jinja's newstyle gettext does
    (escape-aware, always a format string) without its alias and wrapper, which made each
    translated string three template function calls (the most common call on a page)."""
    found = catalogue_of(context).ugettext(message)
    if context.eval_ctx.autoescape:
        found = Markup(found)  # noqa: S704 (our own catalogue, as Jinja does)
    return found % variables


def install_gettext(app: Flask) -> None:
    """Templates translate through the render's catalogue: Flask-Babel's own callables
    find the request's locale and catalogue again for every string (~150 per page), which
    cost more than the rest of the card rendering."""
    app.context_processor(lambda: {CATALOGUE: get_translations(), LANGUAGE: str(get_locale())})
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext,
        ngettext=_ngettext,
        newstyle=True,
        pgettext=_pgettext,
        npgettext=_npgettext,
    )
    app.jinja_env.globals.update({"_": _translate, "gettext": _translate})
