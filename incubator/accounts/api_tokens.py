"""Bearer tokens for the API: shown once, stored as SHA-256, listable and revocable."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from incubator.accounts.models import ApiToken, User
from incubator.core.errors import NotFound
from incubator.core.timeutil import utcnow
from incubator.extensions import db

TOKEN_PREFIX = "inc_"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, *, name: str = "") -> tuple[ApiToken, str]:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ttl = current_app.config["API_TOKEN_TTL_DAYS"]
    token = ApiToken(
        user_id=user.id, name=(name or "").replace("\x00", "").strip()[:100], token_hash=_digest(raw), prefix=raw[:10],
        expires_at=utcnow() + timedelta(days=ttl) if ttl else None,
    )
    db.session.add(token)
    db.session.flush()
    return token, raw


def user_for_token(raw: str) -> tuple[User, ApiToken] | None:
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(raw)))
    now = utcnow()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    user = token.user
    if not user.is_active_account:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
        db.session.commit()
    return user, token


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id.desc())
    ))


def revoke_token(token_id: int, *, actor: User) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.id or token.revoked_at is not None:
        raise NotFound()
    token.revoked_at = utcnow()
    db.session.flush()
    return token
