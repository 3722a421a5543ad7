"""factory_boy factories: the smallest valid graph."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from factory.alchemy import SQLAlchemyModelFactory

from incubator.accounts.models import ProgramRole, Role, User
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.programs.models import (
    Criterion, Organisation, Program, Question, QuestionType, Season, SeasonStatus, Stage,
)

PASSWORD = "Correct-Horse-42"


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Sequence(lambda n: f"User {n}")
    locale = "en"
    timezone = "Asia/Tashkent"
    email_verified_at = factory.LazyFunction(utcnow)

    @factory.lazy_attribute
    def password_hash(self):
        from incubator.accounts.passwords import hash_password

        return hash_password(PASSWORD)


class OrganisationFactory(Base):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class ProgramFactory(Base):
    class Meta:
        model = Program

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    summary = factory.LazyFunction(lambda: {"en": "A program", "ru": "Программа", "uz": "Dastur"})


class SeasonFactory(Base):
    class Meta:
        model = Season

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Season {n}")
    slug = factory.Sequence(lambda n: f"season-{n}")
    status = SeasonStatus.OPEN
    opens_at = factory.LazyFunction(lambda: utcnow() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: utcnow() + timedelta(days=10))
    timezone = "Asia/Tashkent"


class QuestionFactory(Base):
    class Meta:
        model = Question

    season = factory.SubFactory(SeasonFactory)
    key = factory.Sequence(lambda n: f"q{n}")
    position = factory.Sequence(int)
    type = QuestionType.SHORT_TEXT
    required = True
    label = factory.LazyFunction(lambda: {"en": "Your pitch", "ru": "Ваш питч", "uz": "Sizning pitchingiz"})


class StageFactory(Base):
    class Meta:
        model = Stage

    season = factory.SubFactory(SeasonFactory)
    position = factory.Sequence(int)
    name = factory.LazyFunction(lambda: {"en": "Screening", "ru": "Отбор", "uz": "Saralash"})


class CriterionFactory(Base):
    class Meta:
        model = Criterion

    stage = factory.SubFactory(StageFactory)
    key = factory.Sequence(lambda n: f"c{n}")
    label = factory.LazyFunction(lambda: {"en": "Team"})
    weight = Decimal("1")


def grant(user: User, program: Program, role: Role) -> ProgramRole:
    row = ProgramRole(user_id=user.id, program_id=program.id, role=role)
    db.session.add(row)
    db.session.commit()
    db.session.expire(user, ["roles"])
    return row
