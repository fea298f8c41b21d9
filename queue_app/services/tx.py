"""Transaction ownership: a service function commits on success and rolls back on any error."""
from __future__ import annotations

import functools

from ..extensions import db


def atomic(fn):
    """Run `fn` in one transaction: commit when it returns, roll back when it raises."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            result = fn(*args, **kwargs)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return result

    return wrapper
