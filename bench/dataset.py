"""The plan of a benchmark season, as plain data (no database): people, texts, statuses through the
stages, reviewers per application and their scores. bench/generate.py writes it with bulk inserts.

Everything comes from one seeded generator, so a scale always gives the same data."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

SECTORS = ("agritech", "edtech", "fintech", "healthtech", "ecommerce", "logistics", "govtech", "cleantech",
           "tourism", "media", "robotics", "cybersecurity", "mobile_apps", "web_services", "manufacturing")
REGIONS = ("andijan", "bukhara", "fergana", "jizzakh", "kashkadarya", "khorezm", "namangan", "navoiy",
           "samarkand", "surkhandarya", "syrdarya", "tashkent_region", "tashkent_city", "karakalpakstan")
REGION_WEIGHTS = [12, 5, 8, 3, 4, 3, 6, 2, 6, 2, 2, 8, 30, 3]
# Non-public domains: a reviewer and a team member sharing one is a detected conflict of interest.
PRIVATE_DOMAINS = tuple(f"{name}.uz" for name in (
    "agrobank-bench", "tuit-bench", "inha-bench", "westminster-bench", "uzcard-bench", "humo-bench",
    "payme-bench", "click-bench", "uzum-bench", "beeline-bench", "ucell-bench", "artel-bench", "akfa-bench",
    "korzinka-bench", "epam-bench", "ipak-bench", "kapital-bench", "hamkor-bench", "anor-bench", "tbc-bench",
    "mytaxi-bench", "express24-bench", "itpark-bench", "mininnovation-bench", "nuu-bench", "samdu-bench",
    "bmu-bench", "turin-bench", "mdis-bench", "amity-bench"))
PUBLIC_DOMAINS = ("example.org", "example.com", "example.net")
WORDS = ("farmers customers market data platform mobile payment small business region schools teachers "
         "students clinics patients delivery logistics cost time water energy solar waste recycling tourism "
         "guides hotels prices access credit loans banks rural urban youth women jobs training online offline "
         "app service partners pilot users revenue growth team product demand supply chain quality local "
         "export import tashkent andijan samarkand fergana bukhara families drivers couriers stores retail "
         "inventory software hardware sensors irrigation cotton fruit vegetables wheat livestock insurance "
         "records paper manual slow expensive unreliable transparent faster cheaper safer simple secure trusted "
         "certified measured weekly monthly yearly subscription commission marketplace network community").split()
RECOMMENDATIONS = ("strong_yes", "yes", "maybe", "no", "strong_no")


def paragraph(rng: random.Random, words: int) -> str:
    """A text of about `words` words, in sentences of 8 to 18 words."""
    out: list[str] = []
    while len(out) < words:
        n = min(rng.randint(8, 18), words - len(out))
        sentence = rng.choices(WORDS, k=n)
        sentence[0] = sentence[0].capitalize()
        out.extend(sentence[:-1] + [sentence[-1] + "."])
    return " ".join(out)


@dataclass
class Sizes:
    applications: int
    reviewers: int
    storm: int = 300     # founders submitting at the deadline (a draft each in the storm season)
    late: int = 20       # founders trying after it

    @property
    def storm_total(self) -> int:
        return min(self.storm + self.late, self.applications)


def default_reviewers(applications: int) -> int:
    return min(300, max(150, applications * 3 // 200))


@dataclass
class AppPlan:
    index: int                 # 0-based; the founder, startup and application share it
    status: str
    stage: int | None          # the stage it is at now (1..3), None for drafts and early withdrawals
    decided_at_stage: dict[int, str] = field(default_factory=dict)  # stage -> advanced/rejected/waitlisted/accepted
    quality: float = 3.0
    reviewers: dict[int, list[int]] = field(default_factory=dict)     # stage -> reviewer indexes
    review_state: dict[int, list[str]] = field(default_factory=dict)  # stage -> submitted/draft/none per reviewer


class Plan:
    """Who is who, and the life of each application of the main season."""

    def __init__(self, sizes: Sizes, seed: int = 2025):
        self.sizes = sizes
        self.rng = rng = random.Random(seed)
        n, r = sizes.applications, sizes.reviewers
        # Reviewers: half on a private domain (conflicts), expertise 1-3 sectors, 1-2 languages, a bias.
        self.reviewer_domain = [rng.choice(PRIVATE_DOMAINS) if rng.random() < 0.5 else rng.choice(PUBLIC_DOMAINS)
                                for _ in range(r)]
        self.reviewer_expertise = [sorted(rng.sample(SECTORS, rng.randint(1, 3))) for _ in range(r)]
        self.reviewer_languages = [sorted(set(rng.sample(("uz", "ru", "en"), rng.randint(1, 2)))) for _ in range(r)]
        self.reviewer_bias = [rng.uniform(-0.8, 0.8) for _ in range(r)]
        self.reviewer_locale = [rng.choice(("uz", "ru", "en")) for _ in range(r)]
        # Startups: sector, region, founder locale, team (2-4 people), 3% with a member on a private domain.
        self.sector = [rng.choice(SECTORS) for _ in range(n)]
        self.region = rng.choices(REGIONS, REGION_WEIGHTS, k=n)
        self.locale = rng.choices(("uz", "ru", "en"), (6, 3, 1), k=n)
        self.team = [rng.randint(1, 3) for _ in range(n)]  # members besides the owner
        self.private_member = {i: rng.choice(PRIVATE_DOMAINS) for i in range(n) if rng.random() < 0.03}
        # Declared conflicts: each reviewer about one startup in 1,000 (at least one).
        per = max(1, n // 1000)
        self.declared = {(rv, rng.randrange(n)) for rv in range(r) for _ in range(per)}
        self.conflicts = set(self.declared)
        by_domain: dict[str, list[int]] = {}
        for rv, domain in enumerate(self.reviewer_domain):
            by_domain.setdefault(domain, []).append(rv)
        for i, domain in self.private_member.items():
            self.conflicts.update((rv, i) for rv in by_domain.get(domain, ()))
        self.quota = max(1, round(n * 0.025))
        self.apps = self._statuses()
        self.max_load = [0, 0, 0, 0]
        self._assign()

    # --- statuses --------------------------------------------------------------------------------
    def _statuses(self) -> list[AppPlan]:
        rng, n = self.rng, self.sizes.applications
        apps = [AppPlan(i, "in_review", 1, quality=rng.uniform(1.5, 4.5)) for i in range(n)]
        for a in apps:
            u = rng.random()
            if u < 0.02:
                a.status, a.stage = "draft", None
            elif u < 0.03:
                a.status, a.stage = "withdrawn", None

        def decide(stage: int, fractions: list[tuple[str, float]]) -> None:
            """Rank the applications at `stage` by quality (with noise) and cut the order into parts."""
            here = [a for a in apps if a.stage == stage and a.status == "in_review"]
            here.sort(key=lambda a: a.quality + rng.gauss(0, 0.3), reverse=True)
            start = 0
            for outcome, share in fractions:
                count = len(here) - start if share < 0 else round(share * len(here))
                for a in here[start:start + count]:
                    if outcome == "advanced":
                        a.decided_at_stage[stage] = "advanced"
                        a.stage = stage + 1
                    elif outcome in ("rejected", "waitlisted", "accepted"):
                        a.decided_at_stage[stage] = outcome
                        a.status = outcome
                start += count

        decide(1, [("advanced", 0.30), ("in_review", 0.15), ("rejected", -1)])
        decide(2, [("advanced", 0.35), ("in_review", 0.10), ("waitlisted", 0.10), ("rejected", -1)])
        at3 = sum(1 for a in apps if a.stage == 3)
        accepted = min(self.quota, at3)
        share = accepted / at3 if at3 else 0
        decide(3, [("accepted", share), ("waitlisted", 0.15), ("in_review", 0.25), ("rejected", -1)])
        return apps

    # --- reviewers per application and stage -------------------------------------------------------
    def _assign(self) -> None:
        """Round-robin over a shuffled reviewer cycle, skipping conflicted and repeated reviewers: loads stay
        within a few reviews of each other and nobody conflicted is ever assigned."""
        rng, r = self.rng, self.sizes.reviewers
        k_of = {1: 3, 2: 2, 3: 2}
        for stage in (1, 2, 3):
            order = list(range(r))
            rng.shuffle(order)
            pos, loads = 0, [0] * r
            for a in self.apps:
                if a.stage is None or a.stage < stage:
                    continue
                chosen: list[int] = []
                tries = 0
                while len(chosen) < k_of[stage] and tries < 3 * r:
                    rv = order[pos % r]
                    pos += 1
                    tries += 1
                    if rv in chosen or (rv, a.index) in self.conflicts:
                        continue
                    chosen.append(rv)
                    loads[rv] += 1
                a.reviewers[stage] = chosen
                decided = stage in a.decided_at_stage
                a.review_state[stage] = ["submitted" if decided or stage == 1 else
                                         rng.choices(("submitted", "draft", "none"), (5, 2, 3))[0] for _ in chosen]
            self.max_load[stage] = max(loads) if loads else 0
        # Room for the automatic assignment bench (k=3 over every application): 25% headroom.
        n_reviewed = sum(1 for a in self.apps if a.stage is not None)
        self.profile_max_load = max(self.max_load[1] + 5, math.ceil(1.25 * 3 * n_reviewed / r))

    def scores(self, a: AppPlan, reviewer: int, criteria: list[tuple[str, float]]) -> tuple[dict, float, str | None]:
        rng = self.rng
        bias = self.reviewer_bias[reviewer]
        scores = {key: min(5, max(1, round(a.quality + bias + rng.gauss(0, 0.7)))) for key, _ in criteria}
        total = sum(w * scores[k] for k, w in criteria) / sum(w for _, w in criteria)
        if rng.random() < 0.08:
            recommendation = None
        else:
            recommendation = RECOMMENDATIONS[min(4, max(0, round((4.6 - total) * 1.3)))]
        return scores, round(total, 3), recommendation

    def answers(self, i: int, questions: list[dict]) -> dict[str, object]:
        """Answers with real lengths, valid for their questions (the file question stays empty)."""
        rng = self.rng
        out: dict[str, object] = {}
        for q in questions:
            key, kind = q["key"], q["type"]
            if kind == "file" or (not q.get("required") and rng.random() < 0.2):
                continue
            if kind == "short_text":
                out[key] = paragraph(rng, rng.randint(8, 16))[: q.get("max_chars") or 140]
            elif kind == "long_text":
                top = q.get("max_words") or 150
                out[key] = paragraph(rng, rng.randint(top * 2 // 5, top))
            elif kind == "number":
                low = int(q["min_value"]) if q.get("min_value") is not None else 0
                high = int(q["max_value"]) if q.get("max_value") is not None else 100
                value = self.team[i] + 1 if key == "team_size" else rng.randint(low, min(high, 10**9))
                out[key] = str(min(max(value, low), high))
            elif kind == "choice":
                out[key] = rng.choice([o["value"] for o in q["options"]])
            elif kind == "multi_choice":
                values = [o["value"] for o in q["options"]]
                out[key] = rng.sample(values, rng.randint(1, min(3, len(values))))
            elif kind == "url":
                out[key] = f"https://startup{i + 1}.example.org/"
            elif kind == "date":
                out[key] = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return out
