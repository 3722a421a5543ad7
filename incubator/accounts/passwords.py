"""argon2id password hashing; the cost comes from the config (cheap in tests)."""
from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

_hashers: dict[tuple, PasswordHasher] = {}


def hasher() -> PasswordHasher:
    c = current_app.config
    key = (c["ARGON2_TIME_COST"], c["ARGON2_MEMORY_COST"], c["ARGON2_PARALLELISM"])
    if key not in _hashers:
        _hashers[key] = PasswordHasher(time_cost=key[0], memory_cost=key[1], parallelism=key[2], type=Type.ID)
    return _hashers[key]


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same time as a real check, so a missing account cannot be told by timing.
        hasher().hash(password)
        return False
    try:
        return hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
