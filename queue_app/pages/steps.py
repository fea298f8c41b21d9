"""The visit's steps as the visitor's status page lists them: each with its name and its state in words."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import pgettext

from ..i18n import text

ACTIVE = ("waiting", "called", "serving")


def step_state(step: dict, current: int | None) -> str:
    """One of done, unresolved, waiting, called, serving, pending, ended (no-show or cancelled)."""
    if step["status"] == "pending":
        return "pending"
    if step["status"] in ACTIVE:
        return step["status"] if step["step"] == current else "pending"
    if step["status"] in ("done", "transferred"):
        return "unresolved" if step.get("outcome") == "unresolved" else "done"
    return "ended"


def state_words(state: str, status) -> str:
    """What a step's state says to the visitor; the current step with its place, wait or counter."""
    counter = status.counter["name"] if status.counter else ""
    if get_locale().text_direction == "rtl":
        counter = f"\u2068{counter}\u2069"  # the counter's code keeps its own order inside Arabic text
    if state == "waiting" and status.estimated_wait_min is None:
        return _("Waiting: %(ahead)s ahead of you", ahead=status.ahead)
    if state == "waiting":
        shown = getattr(status, "estimated_wait_range_min", None)
        wait = (_("%(low)s–%(high)s min", low=shown[0], high=shown[1]) if shown
                else _("%(n)s min", n=round(status.estimated_wait_min)))
        return _("Waiting: %(ahead)s ahead of you, about %(wait)s", ahead=status.ahead, wait=wait)
    return {
        "done": pgettext("visit step", "Done"),
        "unresolved": _("Done, not resolved"),
        "called": _("Now: please go to counter %(counter)s", counter=counter),
        "serving": _("Now: at counter %(counter)s", counter=counter),
        "pending": _("To come"),
        "ended": pgettext("visit step", "Not served"),
    }[state]


def step_lines(status) -> list[dict]:
    """The steps of the status's visit, in order, for the page; none for a visit of one step."""
    steps = getattr(status, "steps", None) or []
    if len(steps) < 2:
        return []
    current = getattr(status, "step", None)
    lines = []
    for step in steps:
        state = step_state(step, current)
        lines.append({"step": step["step"], "service": step["service"], "name": text(step["service_name"]),
                      "state": state, "words": state_words(state, status)})
    return lines


def live_texts() -> dict[str, str]:
    """The words the page's script puts on the current step as it is called and served."""
    return {
        "step_waiting": _("Waiting: %(ahead)s ahead of you, about %(wait)s", ahead="{ahead}", wait="{wait}"),
        "step_waiting_unknown": _("Waiting: %(ahead)s ahead of you", ahead="{ahead}"),
        "step_called": _("Now: please go to counter %(counter)s", counter="{counter}"),
        "step_serving": _("Now: at counter %(counter)s", counter="{counter}"),
    }
