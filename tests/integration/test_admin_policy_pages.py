"""The call-next policy's pages through the test client: /admin/policy (the network's knobs) and the
section "How the next visitor is chosen" of a centre's page — an admin changes them, a manager reads
them; a knob set apart and given the network's value back; refusals shown by their field."""
from __future__ import annotations

from sqlalchemy import select

from queue_app.extensions import db
from queue_app.models import Setting
from tests.integration.test_admin_centre_pages import centre, post
from tests.integration.test_admin_pages import page
from tests.integration.test_admin_policy import stored
from tests.integration.test_dashboard import sign_in

FOLLOW_ALL = {"appointment_lead_min": "", "primary_bonus": "", "priority_first": "", "escalate_past_target": "",
              "route_by_pressure": "", "appointment_grace_min_mode": "", "appointment_grace_min": "",
              "defer_late_min_mode": "", "defer_late_min": "", "first_come_first_served": ""}
NETWORK = {"appointment_lead_min": "5", "primary_bonus": "0.5", "priority_first": "on", "escalate_past_target": "on",
           "route_by_pressure": "on", "appointment_grace_min": "", "defer_late_min": "", "first_come_first_served": "off"}


def row(html: str, knob: str) -> str:
    start = html.index(f'data-knob="{knob}"')
    return html[start:html.index("</tr>", start)]


def test_an_admin_sets_a_centres_knobs_apart_and_back(client):
    sign_in(client, "ada", "admin", centres=())
    html = page(client, "/admin/centres/NYC?lang=en")
    assert "How the next visitor is chosen" in html and "Strictly first come, first served" in html
    sent = {**FOLLOW_ALL, "first_come_first_served": "on", "defer_late_min_mode": "set", "defer_late_min": "20",
            "appointment_grace_min_mode": "off", "primary_bonus": "1.5"}
    assert post(client, "/admin/centres/NYC/policy", "/admin/centres/NYC", **sent).status_code == 303
    assert centre("NYC").policy == {"primary_bonus": 1.5, "appointment_grace_min": False, "defer_late_min": 20,
                                    "first_come_first_served": True}
    html = page(client, "/admin/centres/NYC?lang=en")
    assert 'class="own"' in row(html, "first_come_first_served") and "Use the network" in row(html, "defer_late_min")
    assert "Use the network" not in row(html, "priority_first")
    # one knob back to the network's, by its own button
    assert post(client, "/admin/centres/NYC/policy/defer_late_min/network", "/admin/centres/NYC").status_code == 303
    assert centre("NYC").policy == {"primary_bonus": 1.5, "appointment_grace_min": False, "first_come_first_served": True}
    # every knob as the network
    assert post(client, "/admin/centres/NYC/policy", "/admin/centres/NYC", **FOLLOW_ALL).status_code == 303
    assert centre("NYC").policy == {}


def test_a_manager_reads_their_centres_knobs_and_may_not_change_them(client):
    centre("NYC").policy = {"priority_first": False}
    db.session.commit()
    sign_in(client, "max", "manager", centres=("NYC",))
    html = page(client, "/admin/centres/NYC?lang=en")
    assert "Only an administrator changes how the next visitor is chosen." in html
    assert "Save how the next visitor is chosen" not in html
    assert "<strong>Off</strong>" in row(html, "priority_first") and "As the network" in row(html, "primary_bonus")
    before = stored()
    assert post(client, "/admin/centres/NYC/policy", "/admin/centres/NYC", **FOLLOW_ALL).status_code == 403
    assert post(client, "/admin/centres/NYC/policy/priority_first/network", "/admin/centres/NYC").status_code == 403
    assert post(client, "/admin/policy", "/admin/centres/NYC", **NETWORK).status_code == 403
    assert stored() == before
    network = page(client, "/admin/policy?lang=en")
    assert "Save how the next visitor is chosen" not in network and "/admin/centres/NYC#policy" in network


def test_a_refusal_is_shown_by_its_field_and_changes_nothing(client):
    sign_in(client, "ada", "admin", centres=())
    before = stored()
    response = post(client, "/admin/centres/NYC/policy", "/admin/centres/NYC",
                    **{**FOLLOW_ALL, "appointment_lead_min": "121", "defer_late_min_mode": "set"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "A number from 0 to 120." in row(html, "appointment_lead_min")
    assert "Write the minutes, or choose another option." in row(html, "defer_late_min")
    response = post(client, "/admin/policy", "/admin/policy", **{**NETWORK, "primary_bonus": "11"})
    assert response.status_code == 422 and "A number from 0 to 10." in row(response.get_data(as_text=True), "primary_bonus")
    assert stored() == before


def test_an_admin_changes_the_networks_knobs_on_their_page(client):
    sign_in(client, "ada", "admin", centres=())
    html = page(client, "/admin/policy?lang=en")
    assert "None: every centre follows the network." in html
    response = post(client, "/admin/policy", "/admin/policy", **{**NETWORK, "defer_late_min": "20",
                                                                 "first_come_first_served": "on"})
    assert response.status_code == 303
    db.session.rollback()
    value = db.session.scalar(select(Setting.value).where(Setting.key == "policy"))
    assert (value["defer_late_min"], value["first_come_first_served"], value["appointment_grace_min"]) == (20, True, None)
    html = page(client, "/admin/policy?lang=es")
    assert "Cómo se elige al siguiente visitante" in html
