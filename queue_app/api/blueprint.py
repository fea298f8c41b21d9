"""The API's Blueprint: flask-smorest's, reading JSON bodies through the strict parser (queue_app/parsing.py)."""
from __future__ import annotations

import flask_smorest
from marshmallow.utils import missing
from webargs.flaskparser import FlaskParser, is_json_request


class StrictParser(FlaskParser):
    """webargs would parse the body again with json.loads; take the request's strictly parsed one."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return missing
        return req.get_json(cache=True)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()

    def refusals(self, *statuses: int):
        """Document a staff view's error answers: 401 and 403, and the `statuses` given."""
        from .schemas import ErrorSchema

        def decorate(view):
            for status in (401, 403, *statuses):
                view = self.alt_response(status, schema=ErrorSchema)(view)
            return view
        return decorate
