"""Plans for the demo applications: each one's status path through a season's stages, its timeline
events and its answers (plain data; seed.py writes it to the database)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from incubator.applications.states import Status
from incubator.demo import catalogue, people
from incubator.programs.models import Question, QuestionType

ACCEPTED = 70  # per closed InnoX season: 140 selected in all
S = Status

def event(kind, src, dst, stage, at, actor, reason="") -> tuple:
    return kind, src, dst, stage, at, actor, reason


def plan_closed(rng, specs, season, withdrawn: int) -> list[dict]:
    opens, closes = season.opens_at, season.closes_at
    rejected = len(specs) - ACCEPTED - withdrawn
    r1, r2 = round(rejected * 0.55), round(rejected * 0.3)
    outcomes = ([(S.ACCEPTED, 3)] * ACCEPTED + [(S.REJECTED, 1)] * r1 + [(S.REJECTED, 2)] * r2
                + [(S.REJECTED, 3)] * (rejected - r1 - r2)
                + [(S.WITHDRAWN, rng.randint(0, 2)) for _ in range(withdrawn)])  # 0: before review
    rng.shuffle(outcomes)
    waitlists = {S.ACCEPTED: 6, S.REJECTED: 4}  # went through the waitlist at Demo Day
    plans = []
    for spec, (final, stage) in zip(specs, outcomes, strict=True):
        def day(n: int) -> datetime:  # n days after the deadline, in working hours
            return closes + timedelta(days=n, minutes=rng.randint(60, 540))

        def decided(stage: int) -> datetime:  # the day after the stage's review deadline
            return day(catalogue.STAGES[stage - 1]["days"] + 1)
        submitted = opens + (closes - opens) * (rng.random() ** 0.6)  # the deadline rush
        created = max(opens, submitted - timedelta(hours=rng.uniform(1, 240)))
        events = [event("created", None, S.DRAFT, None, created, "founder"),
                  event("submitted", S.DRAFT, S.SUBMITTED, None, submitted, "founder")]
        plan = {"spec": spec, "season": season, "status": final, "created": created, "submitted": submitted,
                "stage": stage or None, "events": events}
        if final == S.WITHDRAWN and stage == 0:
            events.append(event("withdrawn", S.SUBMITTED, S.WITHDRAWN, None,
                              submitted + (closes + timedelta(days=1) - submitted) * rng.random(), "founder"))
        else:
            events.append(event("review_started", S.SUBMITTED, S.IN_REVIEW, 1, day(1), "manager"))
            for k in range(2, stage + 1):
                events.append(event("advanced", S.IN_REVIEW, S.IN_REVIEW, k, decided(k - 1), "manager"))
            reason = rng.choice(people.REJECTION_REASONS) if final == S.REJECTED else ""
            if final == S.WITHDRAWN:
                events.append(event("withdrawn", S.IN_REVIEW, S.WITHDRAWN, stage,
                                  day(rng.randint(2, 9) if stage == 1 else rng.randint(13, 27)), "founder"))
            elif stage == 3 and waitlists[final] > 0:
                waitlists[final] -= 1
                events.append(event("decision", S.IN_REVIEW, S.WAITLISTED, 3, day(45), "manager",
                                  "Waitlisted: the quota is reached for now."))
                events.append(event("decision", S.WAITLISTED, final, 3, day(55), "manager", reason))
            else:
                events.append(event("decision", S.IN_REVIEW, final, stage, decided(stage), "manager", reason))
        plans.append(plan)
    return plans


def plan_open(rng, specs, season, now, drafts: int, withdrawn: int, in_review: int) -> list[dict]:
    opens = season.opens_at
    submitted = len(specs) - drafts - withdrawn
    statuses = [S.DRAFT] * drafts + [S.WITHDRAWN] * withdrawn + [S.SUBMITTED] * submitted
    rng.shuffle(statuses)
    plans = []
    for spec, status in zip(specs, statuses, strict=True):
        created = opens + (now - timedelta(hours=3) - opens) * rng.random()
        plan = {"spec": spec, "season": season, "status": status, "created": created, "submitted": None,
                "stage": None, "events": [event("created", None, S.DRAFT, None, created, "founder")]}
        if status == S.DRAFT:
            plan["draft_saved"] = created + (now - created) * rng.random()
        else:
            plan["submitted"] = created + (now - timedelta(hours=2) - created) * rng.random() * 0.5
            plan["events"].append(event("submitted", S.DRAFT, S.SUBMITTED, None, plan["submitted"], "founder"))
            if status == S.WITHDRAWN:
                at = plan["submitted"] + (now - plan["submitted"]) * rng.random()
                plan["events"].append(event("withdrawn", S.SUBMITTED, S.WITHDRAWN, None, at, "founder"))
        plans.append(plan)
    # Screening runs on a rolling basis: the earliest submissions are already in review.
    early = sorted((p for p in plans if p["status"] == S.SUBMITTED), key=lambda p: p["submitted"])
    for plan in early[:in_review]:
        at = plan["submitted"] + timedelta(days=rng.uniform(2, 3))
        if at < now:
            plan.update(status=S.IN_REVIEW, stage=1)
            plan["events"].append(event("review_started", S.SUBMITTED, S.IN_REVIEW, 1, at, "manager"))
    return plans


def answer_value(question: Question, spec: dict, rng: random.Random, opens: datetime):
    st, key, qt = spec["startup"], question.key, question.type
    lang = spec["locale"]
    place = people.REGION_NAMES[st["region"]][lang] if st["region"] else st["country"]
    by_key = {
        "one_liner": lambda: st["pitch"],
        "problem": lambda: spec["problem"][lang],
        "solution": lambda: people.SOLUTION[lang].format(name=st["name"], pitch=st["pitch"], region=place,
                                                       team=len(spec["members"])),
        "team_size": lambda: len(spec["members"]),
        "women_in_team": lambda: sum(m["gender"] == "female" for m in spec["members"]),
        "stage": lambda: str(st["stage"]),
        "country": lambda: st["country"],
        "monthly_revenue": lambda: rng.randrange(5, 300) * 1_000_000 if st["stage"] == "revenue" else 0,
        "product_url": lambda: st["website"],
        "launch_date": lambda: (st["founded_on"] or (opens + timedelta(days=rng.randint(60, 300))).date())
        .isoformat(),
    }
    values = [o["value"] for o in question.options]
    by_type = {
        QuestionType.SHORT_TEXT: lambda: st["pitch"], QuestionType.LONG_TEXT: lambda: spec["problem"][lang],
        QuestionType.NUMBER: lambda: len(spec["members"]), QuestionType.URL: lambda: st["website"],
        QuestionType.DATE: lambda: opens.date().isoformat(), QuestionType.CHOICE: lambda: rng.choice(values),
        QuestionType.MULTI_CHOICE: lambda: rng.sample(values, rng.randint(1, min(3, len(values)))),
    }
    value = (by_key.get(key) or by_type.get(qt) or (lambda: None))()
    if value is None or value == "":
        return None
    if qt == QuestionType.NUMBER:  # keep within the question's limits
        low = int(question.min_value) if question.min_value is not None else value
        high = int(question.max_value) if question.max_value is not None else value
        return min(max(value, low), high)
    if qt == QuestionType.CHOICE and value not in values:
        return values[0]
    if qt == QuestionType.LONG_TEXT and question.max_words:
        return " ".join(value.split()[: question.max_words])
    if qt == QuestionType.SHORT_TEXT and question.max_chars:
        return value[: question.max_chars]
    return value
