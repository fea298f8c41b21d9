"""Staff bearer tokens: sign in with a password, get a token that expires; revoke it."""
from __future__ import annotations

from flask import current_app

from ..auth import bearer_token, check_password
from ..domain.errors import Unauthorized
from ..extensions import limiter
from ..limits import LOGIN_LIMIT
from ..services.people import issue_staff_token, revoke_staff_token
from .blueprint import Blueprint
from .schemas import ErrorSchema, TokenIn, TokenOut

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Staff tokens for the API.")


@blp.post("/token")
@blp.arguments(TokenIn)
@blp.response(201, TokenOut)
@blp.alt_response(401, schema=ErrorSchema)
@blp.alt_response(429, schema=ErrorSchema)
@limiter.limit(LOGIN_LIMIT)
def create_token(body):
    """Exchange a username and password for a bearer token (valid for one shift)."""
    staff = check_password(body["username"], body["password"])
    if staff is None:
        raise Unauthorized("wrong username or password, or the account is disabled")
    token, expires = issue_staff_token(staff.id, current_app.config["ONEDOOR_TOKEN_HOURS"])
    return {"token": token, "expires_at": expires, "username": staff.username, "role": staff.role}


@blp.delete("/token")
@blp.response(204)
@blp.alt_response(401, schema=ErrorSchema)
def delete_token():
    """Revoke the bearer token this request carries (signing out a device or script)."""
    token = bearer_token()
    if token is None or not revoke_staff_token(token):
        raise Unauthorized("send the staff bearer token to revoke in the Authorization header")
    return None
