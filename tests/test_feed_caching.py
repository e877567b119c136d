"""Feeds leave shared caches within a minute, so a field hidden again does not linger,
and carry an ETag so calendar programs and feed readers poll cheaply."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from wijk.extensions import db


@pytest.fixture
def activity(make_item):
    start = datetime(2030, 6, 1, 19, 30)
    return make_item(
        "activity",
        title="Buurtbarbecue",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        address="Lindelaan 4",
        address_public=True,
    )


def feed_urls(item):
    slug = item.neighbourhood.slug
    return [
        f"/activiteit/{item.id}/agenda.ics",
        f"/wijk/{slug}/agenda.ics",
        f"/wijk/{slug}/feed.atom",
    ]


def test_feeds_stay_in_shared_caches_less_than_a_minute(client, activity):
    for url in feed_urls(activity):
        response = client.get(url)
        control = response.cache_control
        assert response.status_code == 200 and control.public, url
        assert control.max_age is not None and control.max_age <= 60, url
        assert control.must_revalidate, url


def test_an_unchanged_feed_answers_304_and_a_hidden_field_changes_the_etag(client, activity):
    for url in feed_urls(activity):
        first = client.get(url)
        etag = first.headers["ETag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"", url
    before = {url: client.get(url).headers["ETag"] for url in feed_urls(activity)}
    activity.address_public = False
    db.session.commit()
    for url in feed_urls(activity):
        response = client.get(url, headers={"If-None-Match": before[url]})
        assert response.status_code == 200, url
        assert "Lindelaan" not in response.get_data(as_text=True), url
