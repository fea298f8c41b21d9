"""The API's Blueprint: flask-smorest's, reading JSON bodies through the strict parser (queue_app/parsing.py)."""
from __future__ import annotations

import functools

import flask_smorest
from marshmallow import Schema
from marshmallow.utils import missing
from webargs.flaskparser import FlaskParser, is_json_request


class StrictParser(FlaskParser):
    """webargs would parse the body again with json.loads; take the request's strictly parsed one.
    And it would build the view's schema anew for every request (a deep copy of its fields, a
    twentieth of an issue's time): one instance per schema class serves them all, as the response
    schemas do (marshmallow keeps no state of a load on the schema)."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return missing
        return req.get_json(cache=True)

    def _get_schema(self, argmap, req):
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            return _instance(argmap)
        return super()._get_schema(argmap, req)


@functools.cache
def _instance(schema: type[Schema]) -> Schema:
    return schema()


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
