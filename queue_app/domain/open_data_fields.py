"""Every open-data record's fields, named, typed, with unit and description (English; the
/open-data page translates them), and the JSON Schema (draft 2020-12) they make."""
from __future__ import annotations

from dataclasses import dataclass

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SUPPRESSED = "null: fewer than 5 visitors"  # domain/quarters.MIN_VISITORS

MINUTES, SHARE, COUNT = "minutes", "share from 0 to 1", "count"


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # integer | number | string | date | date-time
    description: str
    unit: str | None = None
    nullable: str | None = None  # when the value is null, if it may be
    signed: bool = False  # may be below 0

    def schema(self) -> dict:
        """This field as a JSON Schema property, its unit and null rule as annotations."""
        kind = {"date": "string", "date-time": "string"}.get(self.type, self.type)
        out: dict = {"type": [kind, "null"] if self.nullable else kind, "description": self.description}
        if self.type in ("date", "date-time"):
            out["format"] = self.type
        if self.type in ("integer", "number") and not self.signed:
            out["minimum"] = 0
        if self.unit == SHARE:
            out["maximum"] = 1
        if self.unit:
            out["x-unit"] = self.unit
        if self.nullable:
            out["x-null"] = self.nullable
        return out


CENTRE = Field("centre", "string", "the centre's code")
NOT_KEPT = "null: fewer than 5 visitors, or a record made before the figure was kept"
# how the waits told to visitors did against the real ones (domain/ranges.accuracy), in both records
ESTIMATES = (
    Field("estimate_mae_min", "number", "mean absolute error of the wait each called visitor was told at the "
          "kiosk", MINUTES, NOT_KEPT),
    Field("estimate_bias_min", "number", "mean of the estimate minus the real wait: below 0, visitors waited "
          "longer than they were told", MINUTES, NOT_KEPT, signed=True),
    Field("estimate_range_share", "number", "share of those called and told a range (such as 12–18 min) whose "
          "real wait fell inside it; the ranges are made to hold 8 in 10", SHARE, NOT_KEPT),
)

LIVE = (
    CENTRE,
    Field("start", "date-time", "the period's start on the centre's clock (ISO 8601 with offset)"),
    Field("end", "date-time", "the period's end, 15 minutes after its start"),
    Field("url", "string", "this record's own address, which never changes"),
    Field("target_wait_min", "number", "the centre's target wait", MINUTES),
    Field("waiting", "integer", "visitors waiting in a line at the period's end", COUNT),
    Field("counters_open", "integer", "counters open (calling or on a break) when the record was made",
          COUNT, "null: not seen within 5 minutes of the period's end (the record was caught up later)"),
    Field("arrivals", "integer", "visitors who came in the period (a later step or a transfer is no new arrival)",
          COUNT),
    Field("called", "integer", "visitors called to a counter in the period (each step of a visit counts)", COUNT),
    Field("wait_p50_min", "number", "half of those called had waited at most this long", MINUTES, SUPPRESSED),
    Field("wait_p90_min", "number", "9 in 10 of those called had waited at most this long", MINUTES, SUPPRESSED),
    Field("over_target_share", "number", "share of those called who waited longer than the target", SHARE,
          SUPPRESSED),
    *ESTIMATES,
    Field("visits_over", "integer", "visits that ended in the period", COUNT),
    Field("door_to_door_mean_min", "number", "mean time from arrival to the end of the last step, of the visits "
          "served to their end in the period", MINUTES, SUPPRESSED),
    Field("first_visit_resolution", "number", "share of the visits over in the period whose every step was "
          "resolved", SHARE, SUPPRESSED),
)

DAILY = (
    CENTRE,
    Field("date", "date", "the day on the centre's clock"),
    Field("arrivals", "integer", "visitors who came (a later step or a transfer is no new arrival)", COUNT),
    Field("served", "integer", "tickets served to the end", COUNT),
    Field("no_show", "integer", "visitors called who did not come", COUNT),
    Field("cancelled", "integer", "tickets cancelled, also those still waiting at closing", COUNT),
    Field("transferred", "integer", "tickets sent on to another service", COUNT),
    Field("average_wait_min", "number", "mean wait from the ticket to the first call", MINUTES, "null: nobody called"),
    Field("p90_wait_min", "number", "9 in 10 waited at most this long", MINUTES, "null: nobody called"),
    Field("within_target_share", "number", "share of those called who waited at most the target", SHARE,
          "null: nobody called"),
    Field("average_handling_min", "number", "mean time at the counter", MINUTES, "null: nobody served"),
    Field("satisfaction_average", "number", "mean rating from 1 to 5", None, "null: no rating"),
    Field("feedback_count", "integer", "ratings given", COUNT),
    Field("door_to_door_mean_min", "number", "mean time from arrival to the end of the last step, visits served "
          "to their end", MINUTES, "null: no visit served to its end"),
    Field("door_to_door_p90_min", "number", "9 in 10 visits took at most this long, door to door", MINUTES,
          "null: no visit served to its end"),
    Field("steps_per_visit", "number", "services a visit reached", None, "null: no visit"),
    Field("first_visit_resolution", "number", "share of the visits over whose every step was resolved", SHARE,
          "null: no visit over"),
    Field("repeat_visits", "integer", "visits back within 30 days for a service resolved for them", COUNT,
          SUPPRESSED),
    Field("repeat_share", "number", "repeat visits per visit with a known contact", SHARE, SUPPRESSED),
    *ESTIMATES,
)

RECORDS = {"live": LIVE, "daily": DAILY}
TITLES = {"live": "A centre's 15-minute period", "daily": "A centre's day"}


def record_schema(kind: str) -> dict:
    """One record kind as a closed JSON object schema."""
    fields = RECORDS[kind]
    return {"title": TITLES[kind], "type": "object", "additionalProperties": False,
            "required": [f.name for f in fields], "properties": {f.name: f.schema() for f in fields}}


def published_schema(schema_id: str, licence: str, licence_url: str | None) -> dict:
    """The schema of every open-data record: `$defs.live` and `$defs.daily`, with the licence line."""
    return {
        "$schema": SCHEMA_DIALECT, "$id": schema_id, "title": "OneDoor open data",
        "description": "Each centre's figures, free of personal data: no visitor, phone, token or clerk. "
                       f"Licence: {licence}.",
        "license": {"name": licence, **({"url": licence_url} if licence_url else {})},
        "$defs": {kind: record_schema(kind) for kind in RECORDS},
        "oneOf": [{"$ref": f"#/$defs/{kind}"} for kind in RECORDS],
    }
