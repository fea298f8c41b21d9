"""The demo network books every bookable service somewhere on every opening day (issue 17): the
shipped network with `queue-app demo`'s rosters (this week and the next), the next 7 days from
Thursday 2026-12-10, noon in Moscow, as the booking site would ask."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from queue_app.extensions import db
from queue_app.models import Centre, Service
from queue_app.services import slots
from queue_app.services.demo import keep_rosters
from tests.integration.test_demo_roster import demo_network

NOW = datetime(2026, 12, 10, 9, 0, tzinfo=timezone.utc)


def free_places() -> dict[tuple[str, str], int]:
    """(service, ISO day) → the free places of all centres, for the next 7 days from NOW."""
    found = {}
    centres = list(db.session.scalars(select(Centre).where(Centre.active.is_(True))))
    for service in db.session.scalars(select(Service).where(Service.bookable.is_(True), Service.active.is_(True))):
        for offset in range(7):
            total = 0
            for centre in centres:
                day = NOW.astimezone(centre.tz).date() + timedelta(days=offset)
                total += sum(s.available for s in slots(centre.code, service.code, day, NOW))
            found[(service.code, (NOW.date() + timedelta(days=offset)).isoformat())] = total
    return found


def test_every_bookable_service_has_free_slots_somewhere_every_day_of_the_week_ahead(api):
    demo_network()
    keep_rosters(NOW)
    places = free_places()
    assert len(places) == 7 * len({s for s, _ in places}) >= 7 * 20
    uncovered = sorted(k for k, n in places.items() if n == 0)
    assert not uncovered, uncovered
