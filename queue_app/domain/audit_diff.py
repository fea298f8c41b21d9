"""What an audited change changed: the difference of its before and after JSON, as a reader wants it.

Objects are compared key by key (a path like `hours.mon`); lists as collections of items, each
item that is only before "removed" and each only after "added" (a roster's shifts have no key, and
a list's order says nothing to the reader). A value of its own (text, number) that differs is "changed".
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class Change:
    """One difference: where (`path`, "" for the whole value), what kind, and the values either side."""

    path: str
    kind: str
    before: Any = None
    after: Any = None


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _only_in(values: list, others: list) -> list:
    """The items of `values` left once each item of `others` has matched one equal to it."""
    unmatched = [_key(v) for v in others]
    left = []
    for value in values:
        key = _key(value)
        if key in unmatched:
            unmatched.remove(key)
        else:
            left.append(value)
    return left


def _list_changes(path: str, before: list, after: list) -> list[Change]:
    return ([Change(path, REMOVED, before=v) for v in _only_in(before, after)]
            + [Change(path, ADDED, after=v) for v in _only_in(after, before)])


def diff(before: Any, after: Any, path: str = "") -> list[Change]:
    """The changes from `before` to `after` (JSON values; None is nothing), in a stable order."""
    if _key(before) == _key(after):
        return []
    if before is None:
        return [Change(path, ADDED, after=after)] if not isinstance(after, list) else _list_changes(path, [], after)
    if after is None:
        return [Change(path, REMOVED, before=before)] if not isinstance(before, list) else _list_changes(path, before, [])
    if isinstance(before, dict) and isinstance(after, dict):
        changes: list[Change] = []
        for key in sorted(set(before) | set(after), key=str):
            changes += diff(before.get(key), after.get(key), _join(path, str(key)))
        return changes
    if isinstance(before, list) and isinstance(after, list):
        return _list_changes(path, before, after)
    return [Change(path, CHANGED, before=before, after=after)]


def shown(value: Any) -> str:
    """A JSON value in one line for a person: text as it is, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), sort_keys=True)
