"""Public reads: the catalogue, centres and their counters, a ticket's live status."""
from __future__ import annotations

from sqlalchemy import select

from ..db import utcnow
from ..domain.lifecycle import COUNTER_OPEN
from ..extensions import db, limiter
from ..limits import PUBLIC_LIMIT
from ..models import Agency, Counter, Language, LifeEvent, Service
from ..services.lookup import centre_by_code
from ..services.reading import centre_summary, ticket_status
from ..services.offer import centre_offers
from ..services.remote import centres_overview
from .blueprint import Blueprint
from .schemas import (
    AgencyOut, CentreOut, CounterOut, ErrorSchema, LanguageOut, LifeEventOut, ServiceOfferOut, ServiceOut,
    StatusOut,
)

blp = Blueprint("public", __name__, url_prefix="/api/v1", description="Public reads: no sign-in needed.")


@blp.get("/languages")
@blp.response(200, LanguageOut(many=True))
def languages():
    """The configured languages, the default first, each in its own name."""
    return db.session.scalars(select(Language).order_by(Language.position)).all()


@blp.get("/services")
@blp.response(200, ServiceOut(many=True))
def services():
    """The network's catalogue: the same menu at every centre."""
    return db.session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.position)).all()


@blp.get("/agencies")
@blp.response(200, AgencyOut(many=True))
def agencies():
    return db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.code)).all()


@blp.get("/life-events")
@blp.response(200, LifeEventOut(many=True))
def life_events():
    """Situations that group services across agencies: the first navigation of kiosk and booking."""
    return db.session.scalars(select(LifeEvent).where(LifeEvent.active.is_(True)).order_by(LifeEvent.position)).all()


@blp.get("/centres")
@blp.response(200, CentreOut(many=True))
def centres():
    """Every centre with whether it is open now, how many wait and the estimated wait.

    Recomputed at most every few seconds: 150 centres' queues per request would let anyone
    load the database at will.
    """
    return centres_overview()


@blp.get("/centres/<string:centre>")
@blp.response(200, CentreOut)
@blp.alt_response(404, schema=ErrorSchema)
def centre_detail(centre):
    return centre_summary(centre_by_code(centre), utcnow())


@blp.get("/centres/<string:centre>/counters")
@blp.response(200, CounterOut(many=True))
@blp.alt_response(404, schema=ErrorSchema)
def counters(centre):
    """The centre's counters, open or not (no staff names)."""
    place = centre_by_code(centre)
    rows = db.session.scalars(select(Counter).where(Counter.centre_id == place.id, Counter.active.is_(True)).order_by(Counter.number)).all()
    return [{"code": c.code, "number": c.number, "name": c.name, "open": c.state == COUNTER_OPEN, "state": c.state}
            for c in rows]


@blp.get("/centres/<string:centre>/services")
@blp.response(200, ServiceOfferOut(many=True))
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(429, schema=ErrorSchema)
@limiter.limit(PUBLIC_LIMIT)
def centre_services(centre):
    """The menu at this centre, in menu order: each service served now, from when later today, or
    when next (a closed centre serves nothing now), with how many wait and a newcomer's wait."""
    place = centre_by_code(centre)
    now = utcnow()
    return [{**o, "next_served_at": o["next_served_at"] and o["next_served_at"].astimezone(place.tz)}
            for o in centre_offers(place, now)]


@blp.get("/tickets/<string:token>")
@blp.response(200, StatusOut)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(429, schema=ErrorSchema)
@limiter.limit(PUBLIC_LIMIT)
def status(token):
    """A ticket's live status by its token (the URL in the ticket's QR code)."""
    return ticket_status(token, utcnow())
