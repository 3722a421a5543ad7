"""The demo's reviewer pools: each of the 12 demo reviewers (reviewer1..12@example.org) gets a
ReviewerProfile in every program where they hold the reviewer role: sectors by their number,
languages from their own (uz, ru or en) plus the others they read, 50 reviews at most per stage.

Idempotent: existing profiles are left as they are; only missing ones are created."""
from __future__ import annotations

from sqlalchemy import select

from incubator.accounts.models import ProgramRole, Role, User
from incubator.demo import people
from incubator.extensions import db
from incubator.reviews.models import ReviewerProfile

MAX_LOAD = 50
# Sectors per reviewer number (1-based): two or three each, every sector of the demo covered.
EXPERTISE = {
    1: ["agritech", "cleantech"], 2: ["fintech", "ecommerce"], 3: ["edtech", "mobile_apps", "web_services"],
    4: ["healthtech", "edtech"], 5: ["logistics", "ecommerce", "manufacturing"], 6: ["cybersecurity", "govtech"],
    7: ["robotics", "manufacturing", "agritech"], 8: ["tourism", "media"], 9: ["fintech", "web_services"],
    10: ["healthtech", "cleantech", "govtech"], 11: ["edtech", "media", "mobile_apps"],
    12: ["agritech", "logistics", "tourism"],
}
# Besides their own language: most read Uzbek and Russian; a few English too.
ALSO_READS = {"uz": ["ru"], "ru": ["uz"], "en": ["ru"]}
ENGLISH_TOO = {2, 3, 6, 9, 10}


def languages_for(number: int, locale: str) -> list[str]:
    codes = {locale, *ALSO_READS.get(locale, [])}
    if number in ENGLISH_TOO:
        codes.add("en")
    return [code for code in ("uz", "ru", "en") if code in codes]


def seed_reviewer_pools() -> int:
    """Create the missing demo profiles; returns how many were created. Flushes, never commits."""
    emails = {f"reviewer{i}@example.org": (i, locale) for i, (_, locale) in enumerate(people.REVIEWERS, start=1)}
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(list(emails))))}
    if not users:
        return 0
    ids = {u.id: emails[u.email] for u in users.values()}
    roles = db.session.execute(select(ProgramRole.user_id, ProgramRole.program_id).where(
        ProgramRole.user_id.in_(list(ids)), ProgramRole.role == Role.REVIEWER)).all()
    existing = set(db.session.execute(select(ReviewerProfile.user_id, ReviewerProfile.program_id).where(
        ReviewerProfile.user_id.in_(list(ids)))).all())
    created = 0
    for user_id, program_id in sorted(roles):
        if (user_id, program_id) in existing:
            continue
        number, locale = ids[user_id]
        db.session.add(ReviewerProfile(program_id=program_id, user_id=user_id, expertise=EXPERTISE[number],
                                       languages=languages_for(number, locale), max_load=MAX_LOAD))
        created += 1
    db.session.flush()
    return created
