"""Recurring activities (issue 12): a series keeps its wall-clock time across the clock
changes, its dates are rows the listings page through, and bad rules are refused."""

from __future__ import annotations

from datetime import datetime

import pytest

from wijk.extensions import db
from wijk.models import ActivityOccurrence, OccurrenceStatus
from wijk.series import occurrences
from wijk.series.rules import RuleError, check, describe, preset_rule

THURSDAY = datetime(2027, 3, 4, 19, 0)  # before the March clock change (28 March 2027)


def test_weekly_series_keeps_19_00_across_both_clock_changes(app, make_item):
    rule = "FREQ=WEEKLY;BYDAY=TH;UNTIL=20271104T235959"
    activity = make_item(starts_at=THURSDAY, ends_at=THURSDAY.replace(hour=21), rrule=rule)
    starts = [row.starts_at for row in activity.occurrences]
    assert starts[0] == THURSDAY and starts[-1] == datetime(2027, 11, 4, 19, 0)
    assert len(starts) == 36
    assert {(s.hour, s.minute, s.weekday()) for s in starts} == {(19, 0, 3)}
    assert datetime(2027, 4, 1, 19, 0) in starts  # after the change to summer time
    assert datetime(2027, 10, 28, 19, 0) in starts  # after the change back
    assert all(row.ends_at.hour == 21 for row in activity.occurrences)


def test_rows_follow_an_edited_rule_and_keep_a_cancellation(app, make_item):
    activity = make_item(starts_at=THURSDAY, rrule="FREQ=WEEKLY;COUNT=4")
    second = activity.occurrences[1]
    occurrences.cancel(second)
    db.session.commit()
    activity.rrule = "FREQ=WEEKLY;COUNT=3"
    db.session.commit()
    rows = db.session.query(ActivityOccurrence).order_by(ActivityOccurrence.starts_at).all()
    assert [row.status for row in rows] == [OccurrenceStatus.SCHEDULED,
                                           OccurrenceStatus.CANCELLED,
                                           OccurrenceStatus.SCHEDULED]


@pytest.mark.parametrize(("rule", "first"), [
    ("FREQ=WEEKLY;UNTIL=20270301T000000", THURSDAY),  # ends before it starts
    ("FREQ=WEEKLY;COUNT=0", THURSDAY),
    ("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3", datetime(2027, 4, 30, 19, 0)),  # April has 30
    ("FREQ=WEEKLY", THURSDAY),  # no end
    ("FREQ=DAILY;COUNT=501", THURSDAY),
    ("FREQ=MONTHLY;UNTIL=20300101T000000", THURSDAY),  # more than two years
    ("FREQ=SOMETIMES;COUNT=2", THURSDAY),
    ("FREQ=WEEKLY;BYDAY=TU;COUNT=2", THURSDAY),  # the first date is no Tuesday
])
def test_impossible_rules_are_refused(app, rule, first):
    with app.test_request_context(), pytest.raises(RuleError):
        check(rule, first)


def test_presets_read_as_plain_words(app):
    with app.test_request_context():
        first_saturday = datetime(2027, 3, 6, 10, 0)
        assert preset_rule("monthly", first_saturday, count=5) == "FREQ=MONTHLY;BYDAY=1SA;COUNT=5"
        assert describe(preset_rule("weekly", THURSDAY, count=3), THURSDAY) == \
            "elke week op donderdag, 3 keer"
