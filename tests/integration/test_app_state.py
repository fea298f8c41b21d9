"""Two apps in one process (two SQLite databases), as when a simulated day runs inside a served
app: each hears only its own commits, sends from its own outbox and caches its own catalogue."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from queue_app.config import read_network_file as read_network
from queue_app.extensions import db
from queue_app.notifications import use_sender
from queue_app.notifications.outbox import outbox_of
from queue_app.notifications.senders import RecordingSender
from queue_app.services import apply_network, book, changes
from queue_app.services.lookup import centre_by_code, language_codes, policy_for
from tests.conftest import MSK, NETWORK, NOON, add_clerk

TOMORROW = (NOON + timedelta(days=1)).date()
PUBLIC = {"ONEDOOR_PUBLIC_URL": "https://onedoor.example.gov"}


def two_apps(make_app, **config):
    """Two apps, each with a recording sender and a listener noting the commits it hears."""
    apps = [make_app(**PUBLIC, **config), make_app(**PUBLIC, **config)]
    for app in apps:
        use_sender(app, RecordingSender())
        app.heard = []
        changes.listen(app, app.heard.append)
    return apps


def sent(app) -> list:
    return app.extensions["onedoor_sender"].messages


def book_at_hq(app, email: str) -> str:
    with app.app_context():
        add_clerk("hq0", "HQ", primary=["passport"])  # with ana's third and hq1: a place in every slot
        add_clerk("hq1", "HQ", primary=["passport"])
        code = book("HQ", "passport", datetime.combine(TOMORROW, time(10), MSK), "Olga", email=email, now=NOON).code
        db.session.remove()
        return code


def test_a_booking_is_confirmed_by_its_own_app_only(make_app):
    one, two = two_apps(make_app)
    code = book_at_hq(two, "two@example.org")
    assert [(m.kind, m.to_email) for m in sent(two)] == [("confirmation", "two@example.org")]
    assert code in sent(two)[0].body
    assert [c.appointments for c in two.heard] == [[(1, changes.BOOK, NOON)]]
    assert sent(one) == [] and one.heard == []


def test_each_apps_outbox_sends_from_its_own_worker_and_database(make_app):
    one, two = two_apps(make_app, ONEDOOR_NOTIFY_INLINE=False)
    assert outbox_of(one) is not outbox_of(two) and outbox_of(two).app is two
    book_at_hq(two, "two@example.org")
    outbox_of(two).work.join()
    book_at_hq(one, "one@example.org")
    outbox_of(one).work.join()
    assert [m.to_email for m in sent(two)] == ["two@example.org"]
    assert [m.to_email for m in sent(one)] == ["one@example.org"]


def test_each_app_caches_its_own_catalogue(make_app):
    network = read_network(NETWORK)
    other = network.model_copy(update={
        "network": network.network.model_copy(update={"languages": ["en", "ru"]}),
        "policy": network.policy.model_copy(update={"appointment_lead_min": 9}),
    })
    one, two = make_app(), make_app(other)
    with one.app_context():
        assert language_codes() == ["en", "es", "ru", "ar"]
        assert policy_for(centre_by_code("HQ")).appointment_lead_min == 5
    with two.app_context():  # within the cache's 30 s: a shared cache would answer with app one's
        assert language_codes() == ["en", "ru"]
        assert policy_for(centre_by_code("HQ")).appointment_lead_min == 9
        apply_network(network)  # app two's configuration changes: only its own cache is forgotten
        assert language_codes() == ["en", "es", "ru", "ar"]
    with one.app_context():
        assert language_codes() == ["en", "es", "ru", "ar"]
        assert one.extensions["onedoor.catalogue"]  # still cached: app two's load did not clear it
