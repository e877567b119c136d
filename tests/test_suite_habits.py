"""The suite's own habits: fixture and helper modules are loaded the way pytest rewrites
their asserts, so a failing check inside a helper explains itself."""

from __future__ import annotations

import importlib
import sys

import pytest
from _pytest.assertion.rewrite import AssertionRewritingHook


@pytest.mark.parametrize(
    "module",
    ["smtp_fixtures", "manage_fixtures", "access_world", "privacy_helpers", "xss_payloads"],
)
def test_helper_modules_have_their_asserts_rewritten(module):
    loaded = sys.modules.get(module) or importlib.import_module(module)
    assert isinstance(loaded.__loader__, AssertionRewritingHook)


def test_fixtures_of_plugin_modules_are_found_without_imports_in_conftest(request):
    import conftest

    for name in ("smtp_server", "no_stray_smtp", "make_manager", "subscribe"):
        assert not hasattr(conftest, name)
        assert request.getfixturevalue(name) is not None
