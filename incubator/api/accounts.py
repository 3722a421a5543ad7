"""Accounts over the API: register, tokens, me."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from incubator.accounts import api_tokens, services, twofactor
from incubator.accounts.policies import must_enrol_2fa
from incubator.api.schemas import Text
from incubator.api.auth import Unauthorized, auth_required, current_api_user
from incubator.core.errors import NotAllowed, RuleViolation
from incubator.extensions import db, limiter

blp = Blueprint("api_accounts", __name__, description="Accounts, tokens and the current user")
SECURITY = [{"bearerAuth": []}]


class RegisterIn(Schema):
    email = Text(required=True, validate=validate.Length(max=254))
    password = Text(required=True, validate=validate.Length(max=256), load_only=True)
    name = Text(required=True, validate=validate.Length(max=120))
    locale = Text(load_default="en", validate=validate.Length(max=8))
    timezone = Text(load_default=None, allow_none=True, validate=validate.Length(max=64))


class RoleOut(Schema):
    program_id = fields.Integer(required=True)
    program_name = fields.Method("get_program_name")
    role = fields.String(required=True)

    def get_program_name(self, obj):
        return obj.program.name


class UserOut(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    locale = fields.String(required=True)
    timezone = fields.String(required=True)
    email_verified = fields.Boolean(attribute="is_verified")
    is_admin = fields.Boolean()
    two_factor = fields.Boolean(attribute="has_2fa")
    roles = fields.List(fields.Nested(RoleOut))
    created_at = fields.DateTime()


class TokenIn(Schema):
    email = Text(required=True, validate=validate.Length(max=254))
    password = Text(required=True, validate=validate.Length(max=256), load_only=True)
    otp = Text(load_default=None, allow_none=True, validate=validate.Length(max=10))
    name = Text(load_default="", validate=validate.Length(max=100))


class TokenOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)


class NewTokenOut(TokenOut):
    token = fields.String(required=True, metadata={"description": "Shown once: keep it safe."})


def _limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _register_limit():
    return current_app.config["REGISTER_RATE_LIMIT"]


@blp.route("/auth/register", methods=["POST"])
@limiter.limit(_register_limit)
@blp.arguments(RegisterIn)
@blp.response(201, UserOut)
def register(data):
    """Create a founder account; a verification e-mail goes out."""
    user = services.register_user(email=data["email"], password=data["password"], name=data["name"],
                                  locale=data["locale"], timezone=data.get("timezone"))
    db.session.commit()
    return user


@blp.route("/auth/tokens")
class Tokens(MethodView):
    decorators = [limiter.limit(_limit, methods=["POST"])]

    @blp.arguments(TokenIn)
    @blp.response(201, NewTokenOut)
    def post(self, data):
        """Exchange e-mail + password (+ one-time code where 2FA is on) for a bearer token."""
        try:
            user = services.check_credentials(data["email"], data["password"])
        except RuleViolation:
            db.session.rollback()
            raise Unauthorized(services.LOGIN_FAILED) from None
        except NotAllowed:
            db.session.commit()
            raise
        if user.has_2fa:
            if not data.get("otp"):
                raise RuleViolation("otp", _l("Two-factor login is on: send the current 6-digit code as “otp”."))
            twofactor.check_code(user, data["otp"])
        if must_enrol_2fa(user):
            raise NotAllowed(_l("Managers and administrators must turn on two-factor login first."))
        services.record_login(user)
        token, raw = api_tokens.issue_token(user, name=data.get("name") or "")
        db.session.commit()
        return {"id": token.id, "name": token.name, "prefix": token.prefix, "created_at": token.created_at,
                "expires_at": token.expires_at, "last_used_at": token.last_used_at, "token": raw}

    @blp.doc(security=SECURITY)
    @blp.response(200, TokenOut(many=True))
    @auth_required
    def get(self):
        """My live tokens (the secret part is never shown again)."""
        return api_tokens.tokens_of(current_api_user())


@blp.route("/auth/tokens/<id:token_id>", methods=["DELETE"])
@blp.doc(security=SECURITY)
@blp.response(204)
@auth_required
def revoke(token_id: int):
    """Revoke one of my tokens."""
    api_tokens.revoke_token(token_id, actor=current_api_user())
    db.session.commit()


@blp.route("/me", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.response(200, UserOut)
@auth_required
def me():
    """My profile and roles per program."""
    return current_api_user()
