"""Rating a finished visit: once per ticket, only when done, 1–5, and one row under a double post."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from queue_app.domain.access import SYSTEM
from queue_app.domain.feedback import FeedbackRefused
from queue_app.extensions import db
from queue_app.models import Feedback
from queue_app.services import call_next, finish, issue_ticket, start, transfer
from queue_app.services.feedback import give_feedback
from tests.conftest import error_of, open_desk
from tests.integration.test_concurrency import run_threads


def finished_ticket(outcome: str = "resolved"):
    open_desk("HQ-07", "c7", primary=["birth", "passport"])
    ticket = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    call_next("HQ-07", by=SYSTEM)
    start(ticket.id, by=SYSTEM)
    finish(ticket.id, outcome, "missing_documents" if outcome == "unresolved" else None, by=SYSTEM)
    return ticket


def rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Feedback))


def rate(api, token, **body):
    return api.post(f"/api/v1/tickets/{token}/feedback", json=body)


def test_a_finished_visit_is_rated_once(api):
    ticket = finished_ticket()
    response = rate(api, ticket.token, rating=4, comment="  Quick and kind.  ")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["rating"] == 4 and response.get_json()["comment"] == "Quick and kind."
    stored = db.session.scalar(select(Feedback))
    assert (stored.ticket_id, stored.rating, stored.comment) == (ticket.id, 4, "Quick and kind.")
    again = rate(api, ticket.token, rating=1)
    assert error_of(again) == (409, "already_rated")
    assert rows() == 1 and db.session.scalar(select(Feedback.rating)) == 4


def test_an_unresolved_visit_is_rated_too_and_the_comment_is_optional(api):
    ticket = finished_ticket("unresolved")
    assert rate(api, ticket.token, rating=2).status_code == 201
    assert db.session.scalar(select(Feedback.comment)) is None


def test_a_visit_not_finished_is_not_rated(api):
    open_desk("HQ-07", "c7", primary=["birth"])
    ticket = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    assert error_of(rate(api, ticket.token, rating=5)) == (409, "not_finished")
    call_next("HQ-07", by=SYSTEM)
    assert error_of(rate(api, ticket.token, rating=5)) == (409, "not_finished")
    assert rows() == 0


def test_a_transferred_visit_is_rated_as_the_visit_it_became(api):
    open_desk("HQ-07", "c7", primary=["birth", "passport"])
    first = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    call_next("HQ-07", by=SYSTEM)
    start(first.id, by=SYSTEM)
    second = transfer(first.id, "passport", by=SYSTEM)
    assert error_of(rate(api, first.token, rating=5)) == (409, "not_finished")
    call_next("HQ-07", by=SYSTEM)
    start(second.id, by=SYSTEM)
    finish(second.id, "resolved", by=SYSTEM)
    assert rate(api, first.token, rating=5).status_code == 201
    assert db.session.scalar(select(Feedback.ticket_id)) == second.id


@pytest.mark.parametrize("body", [
    {"rating": 0}, {"rating": 6}, {"rating": -1}, {"rating": 2.5}, {"rating": "5"}, {"rating": True},
    {"rating": None}, {}, {"rating": 3, "comment": "x" * 1001}, {"rating": 3, "stars": 3},
])
def test_a_bad_rating_is_422_and_stores_nothing(api, body):
    ticket = finished_ticket()
    assert error_of(rate(api, ticket.token, **body)) == (422, "invalid")
    assert rows() == 0


def test_an_unknown_ticket_is_404(api):
    assert error_of(rate(api, "no-such-token", rating=5)) == (404, "not_found")
    assert error_of(rate(api, "x" * 65, rating=5)) == (404, "not_found")


def test_two_posts_at_once_store_one_rating(ctx):
    ticket = finished_ticket()

    def post(i: int):
        try:
            give_feedback(ticket.token, 1 + i % 5)
            return "stored"
        except FeedbackRefused as refusal:
            return refusal.code

    results = run_threads(ctx, 8, post)
    assert sorted(results) == ["already_rated"] * 7 + ["stored"]
    assert rows() == 1


def test_the_page_form_rates_without_javascript(client):
    ticket = finished_ticket()
    page = client.get(f"/t/{ticket.token}").get_data(as_text=True)
    assert 'name="rating"' in page and "Rate your visit" in page
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    bad = client.post(f"/t/{ticket.token}/feedback", data={"csrf_token": csrf, "rating": "9"})
    assert bad.status_code == 422 and "Choose a rating from 1 to 5." in bad.get_data(as_text=True)
    assert client.post(f"/t/{ticket.token}/feedback", data={"rating": "4"}).status_code == 400  # no CSRF token
    assert rows() == 0
    done = client.post(f"/t/{ticket.token}/feedback", data={"csrf_token": csrf, "rating": "4", "comment": "Fine"},
                       follow_redirects=True)
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert "Thank you for your feedback!" in text and 'name="rating"' not in text
    assert db.session.scalar(select(Feedback.rating)) == 4
    again = client.post(f"/t/{ticket.token}/feedback", data={"csrf_token": csrf, "rating": "1"}, follow_redirects=True)
    assert again.status_code == 200 and db.session.scalar(select(Feedback.rating)) == 4
