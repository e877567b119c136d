"""Recurring activities (issue 12): a series keeps its wall-clock time across the clock
changes, its dates are rows the listings page through, and bad rules are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from dateutil.rrule import rrulestr

from wijk.clock import local_now, local_to_stamp
from wijk.extensions import db
from wijk.models import Activity, ActivityOccurrence, OccurrenceStatus
from wijk.neighbourhoods.services import upcoming_activities
from wijk.privacy.retention import purge
from wijk.series import occurrences
from wijk.series.rules import RuleError, check, describe, preset_rule

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
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
    assert [row.status for row in rows] == [
        OccurrenceStatus.SCHEDULED,
        OccurrenceStatus.CANCELLED,
        OccurrenceStatus.SCHEDULED,
    ]


@pytest.mark.parametrize(
    ("rule", "first"),
    [
        ("FREQ=WEEKLY;UNTIL=20270301T000000", THURSDAY),  # ends before it starts
        ("FREQ=WEEKLY;COUNT=0", THURSDAY),
        ("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3", datetime(2027, 4, 30, 19, 0)),  # April has 30
        ("FREQ=WEEKLY", THURSDAY),  # no end
        ("FREQ=DAILY;COUNT=501", THURSDAY),
        ("FREQ=MONTHLY;UNTIL=20300101T000000", THURSDAY),  # more than two years
        ("FREQ=SOMETIMES;COUNT=2", THURSDAY),
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=2", THURSDAY),  # the first date is no Tuesday
    ],
)
def test_impossible_rules_are_refused(app, rule, first):
    with app.test_request_context(), pytest.raises(RuleError):
        check(rule, first)


def test_presets_read_as_plain_words(app):
    with app.test_request_context():
        first_saturday = datetime(2027, 3, 6, 10, 0)
        assert preset_rule("monthly", first_saturday, count=5) == "FREQ=MONTHLY;BYDAY=1SA;COUNT=5"
        assert (
            describe(preset_rule("weekly", THURSDAY, count=3), THURSDAY)
            == "elke week op donderdag, 3 keer"
        )


# --- the agenda, the form and the owner's dates page ----------------------------------

SERIES_START = datetime(2027, 3, 18, 19, 0)  # Thursdays, 28 March and 31 October between


def series_form(place, **over):
    data = {
        "neighbourhood_id": place.id,
        "title": "Breiclub",
        "description": "Breien.",
        "starts_at": SERIES_START.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": SERIES_START.replace(hour=21).strftime("%Y-%m-%dT%H:%M"),
        "location_name": "Buurthuis",
        "repeat": "weekly",
        "repeat_until": "2027-11-11",
        "contact_name": "Ans",
        "contact_email": "ans@example.org",
    }
    data.update(over)
    return data


def post_series(client, auth, make_user, place, **over):
    owner = make_user()
    auth.login(owner)
    response = client.post("/plaatsen/activiteit", data=series_form(place, **over))
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.query(Activity).one()


def agenda(place, now, limit=100):
    return [
        row.starts_at for row in upcoming_activities(place, after=None, limit=limit, now=now).dates
    ]


def test_weekly_series_from_the_form_stays_on_the_agenda_after_its_first_date(
    client, auth, make_user, make_neighbourhood
):
    place = make_neighbourhood()
    activity = post_series(client, auth, make_user, place)
    assert activity.rrule == "FREQ=WEEKLY;BYDAY=TH;UNTIL=20271111T235959"
    shown = agenda(place, now=datetime(2027, 3, 19, 12, 0))  # the day after the first
    expected = [SERIES_START + timedelta(weeks=n) for n in range(1, 35)]
    assert shown == expected
    assert datetime(2027, 4, 1, 19, 0) in shown and datetime(2027, 11, 4, 19, 0) in shown
    # The page of a series that began two weeks ago still lists it, at its next date.
    # An hour from now, two weeks ago: its third date is still to come whatever the hour
    # the suite runs (19:00 today had ended when the suite ran after 19:00).
    began = local_now().replace(second=0, microsecond=0) + timedelta(hours=1, days=-14)
    other = Activity(
        title="Koffieochtend",
        neighbourhood=place,
        owner=activity.owner,
        starts_at=began,
        rrule="FREQ=WEEKLY;COUNT=6",
    )
    db.session.add(other)
    db.session.commit()
    page = client.get(f"/wijk/{place.slug}").get_data(as_text=True)
    assert page.count("Koffieochtend") == 4  # the four dates to come, not the two past
    assert f'datetime="{(began + timedelta(weeks=2)).isoformat()}"' in page


def test_bad_rules_are_refused_beside_the_field_with_the_input_kept(
    client, auth, make_user, make_neighbourhood
):
    place = make_neighbourhood()
    auth.login(make_user())
    cases = [
        ({"repeat_until": "2027-03-01"}, "repeat_until", "2027-03-01"),  # before the start
        ({"repeat_until": "", "repeat_count": "0"}, "repeat_count", "0"),
        ({"repeat_until": "2030-01-01"}, "repeat_until", "2030-01-01"),  # over two years
        (
            {
                "repeat": "custom",
                "repeat_until": "",
                "repeat_rule": "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3",
                "starts_at": "2027-04-30T19:00",
                "ends_at": "",
            },
            "repeat_rule",
            "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3",
        ),  # April has 30 days
        (
            {"repeat": "custom", "repeat_until": "", "repeat_rule": "FREQ=DAILY;COUNT=600"},
            "repeat_rule",
            "FREQ=DAILY;COUNT=600",
        ),
    ]
    for over, name, kept in cases:
        response = client.post("/plaatsen/activiteit", data=series_form(place, **over))
        page = response.get_data(as_text=True)
        assert response.status_code == 400, over
        assert f'id="{name}-error"' in page, over
        assert f'value="{kept}"' in page, over
    assert db.session.query(Activity).count() == 0


def test_cancelling_a_date_takes_it_off_the_agenda_and_into_exdate(
    client, auth, make_user, make_neighbourhood
):
    place = make_neighbourhood()
    activity = post_series(client, auth, make_user, place)
    third = activity.occurrences[2]
    response = client.post(
        f"/activiteit/{activity.id}/datums/wijzigen",
        data={"occurrence": third.id, "action": "cancel"},
    )
    assert response.status_code == 302
    assert third.starts_at not in agenda(place, now=datetime(2027, 3, 1))
    assert len(agenda(place, now=datetime(2027, 3, 1))) == 34
    page = client.get(f"/activiteit/{activity.id}").get_data(as_text=True)
    assert "Afgelast" in page
    ics = client.get(f"/activiteit/{activity.id}/agenda.ics").get_data(as_text=True)
    assert "RRULE:FREQ=WEEKLY;UNTIL=20271111T225959Z;BYDAY=TH" in ics
    assert "EXDATE;TZID=Europe/Amsterdam:20270401T190000" in ics
    feed = client.get(f"/wijk/{place.slug}/agenda.ics").get_data(as_text=True)
    assert "EXDATE;TZID=Europe/Amsterdam:20270401T190000" in feed


def _icalendar_dates(ics: str) -> set[datetime]:
    """Dates as the icalendar library reads the file (expanded with dateutil)."""
    cal = icalendar.Calendar.from_ical(ics)
    events = cal.walk("VEVENT")
    master = next(e for e in events if "RECURRENCE-ID" not in e)
    start = master.decoded("DTSTART")
    rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=start)
    exdates = master.get("EXDATE", [])
    excluded = {
        d.dt for line in (exdates if isinstance(exdates, list) else [exdates]) for d in line.dts
    }
    moved = {
        e.decoded("RECURRENCE-ID"): e.decoded("DTSTART") for e in events if "RECURRENCE-ID" in e
    }
    return {moved.get(d, d).astimezone(UTC) for d in rule if d not in excluded}


def _vobject_dates(ics: str) -> set[datetime]:
    """The same file as vobject reads it: its own parser and rruleset (RRULE + EXDATE)."""
    cal = vobject.readOne(ics)
    events = cal.contents["vevent"]
    master = next(e for e in events if not hasattr(e, "recurrence_id"))
    moved = {e.recurrence_id.value: e.dtstart.value for e in events if hasattr(e, "recurrence_id")}
    return {moved.get(d, d).astimezone(UTC) for d in master.getrruleset()}


def test_the_ics_of_a_series_parses_in_two_libraries_with_the_same_dates(
    client, auth, make_user, make_neighbourhood
):
    place = make_neighbourhood()
    activity = post_series(client, auth, make_user, place)
    rows = activity.occurrences
    client.post(
        f"/activiteit/{activity.id}/datums/wijzigen",
        data={"occurrence": rows[1].id, "action": "cancel"},
    )
    client.post(
        f"/activiteit/{activity.id}/datums/wijzigen",
        data={
            "occurrence": rows[30].id,
            "action": "move",
            "starts_at": "2027-10-15T18:30",
            "ends_at": "2027-10-15T20:30",
        },
    )
    ics = client.get(f"/activiteit/{activity.id}/agenda.ics").get_data(as_text=True)
    ours = {
        r.starts_at
        for r in db.session.query(ActivityOccurrence).filter(
            ActivityOccurrence.status != OccurrenceStatus.CANCELLED
        )
    }
    expected = {local.replace(tzinfo=AMSTERDAM).astimezone(UTC) for local in ours}
    assert len(expected) == 34 and datetime(2027, 10, 15, 16, 30, tzinfo=UTC) in expected
    assert _icalendar_dates(ics) == expected
    assert _vobject_dates(ics) == expected
    # One VTIMEZONE, with both changes of every year the series spans.
    assert ics.count("BEGIN:VTIMEZONE") == 1
    assert ics.count("BEGIN:DAYLIGHT") >= 1 and ics.count("BEGIN:STANDARD") >= 1


def test_a_move_outside_the_series_is_refused_beside_the_field(
    client, auth, make_user, make_neighbourhood
):
    place = make_neighbourhood()
    activity = post_series(client, auth, make_user, place)
    row = activity.occurrences[0]
    response = client.post(
        f"/activiteit/{activity.id}/datums/wijzigen",
        data={"occurrence": row.id, "action": "move", "starts_at": "2028-06-01T19:00"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="starts_at-error"' in page and 'value="2028-06-01T19:00"' in page
    db.session.refresh(row)
    assert row.status == OccurrenceStatus.SCHEDULED


def test_contact_details_of_a_series_survive_until_30_days_after_its_last_date(make_item):
    last_end = datetime(2027, 5, 6, 21, 0)
    activity = make_item(
        starts_at=THURSDAY,
        ends_at=THURSDAY.replace(hour=21),
        rrule="FREQ=WEEKLY;UNTIL=20270506T235959",
        contact_name="Ans",
        contact_phone="06 0123 4567",
    )
    assert activity.occurrences[-1].ends_at == last_end
    before = local_to_stamp(last_end + timedelta(days=29))
    assert purge(before)["activity_contact"] == 0
    db.session.refresh(activity)
    assert activity.contact_name == "Ans"
    after = local_to_stamp(last_end + timedelta(days=30, minutes=1))
    assert purge(after)["activity_contact"] == 1
    db.session.refresh(activity)
    assert activity.contact_name is None and activity.contact_phone is None


def test_the_edit_form_shows_the_rule_as_it_was_chosen_and_a_plain_edit_keeps_it(
    client, auth, make_user, make_neighbourhood
):
    place = make_neighbourhood()
    activity = post_series(
        client, auth, make_user, place, repeat="biweekly", repeat_until="", repeat_count="5"
    )
    assert activity.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=5"
    page = client.get(f"/activiteit/{activity.id}/bewerken").get_data(as_text=True)
    assert '<option selected value="biweekly">' in page and 'value="5"' in page
    shown = client.get(f"/activiteit/{activity.id}").get_data(as_text=True)
    assert "elke 2 weken op donderdag, 5 keer" in shown
    response = client.post(
        f"/activiteit/{activity.id}/bewerken",
        data=series_form(
            place, title="Breiclub (nieuw)", repeat="biweekly", repeat_until="", repeat_count="5"
        ),
    )
    assert response.status_code == 302
    db.session.refresh(activity)
    assert activity.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=5"
    assert len(activity.occurrences) == 5
