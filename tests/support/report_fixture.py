"""A small season for the season report, built by hand, with every figure of the report worked out
by hand below (EXPECTED): not by calling the code under test.

Use: `season, expected = build_report_season()` inside an app context (the `app` fixture). The
season is DECIDED (not closed, so a report of it is provisional); a manager
(`expected["manager_email"]`, password tests.support.factories.PASSWORD) manages its program.

The cast (17 applications; one startup and one founder each, except Beta Bank with two founders):

    name                 status      stage  region         sector    st.stage   women  born(s)     submitted
    Draft One            draft       -      andijan        fintech   idea       no     2000        -
    Draft Two            draft       -      andijan        fintech   idea       yes    2000        -
    Dropped Draft        withdrawn   -      andijan        fintech   idea       no     2000        -
    Withdrawn Co         withdrawn   -      tashkent_city  fintech   revenue    yes    1998 (26)   03-20
    Elder Labs           rejected    S1     fergana        edtech    prototype  no     1984 (40)   03-10
    Alpha Pay      P1    accepted    S2     tashkent_city  fintech   mvp        no     2002 (22)   03-20
    Beta Bank      P2    accepted    S2     tashkent_city  fintech   revenue    no     1997, 1992  03-20
    Gamma Learn    P3    accepted    S2     fergana        edtech    mvp        yes    2001 (23)   03-20
    Delta Funds    P4    withdrawn   S2     samarkand      fintech   mvp        no     1992 (32)   03-20
    Epsilon Pay    P5    waitlisted  S1     samarkand      fintech   mvp        yes    2000 (24)   03-20
    =HYPERLINK...  P6    rejected    S1     tashkent_city  fintech   mvp        no     1995 (29)   03-21
    Eta Labs       P7    rejected    S1     fergana        edtech    prototype  yes    2003 (21)   03-22
    Theta School   P8    rejected    S1     samarkand      edtech    prototype  no     1999 (25)   03-20
    Iota Class     P9    rejected    S1     tashkent_city  edtech    prototype  yes    2004 (20)   03-20
    Kappa Farm     P10   rejected    S1     fergana        agritech  idea       no     2002 (22)   03-20
    Lambda Seeds   P11   rejected    S1     samarkand      agritech  idea       yes    1996 (28)   03-20
    Mu Harvest     P12   rejected    S1     fergana        agritech  idea       no     1990 (34)   03-20

Ages are in 2024 (the season opens on 2024-03-01 in Tashkent). The program's only eligibility rule
is founders aged 14 to 35, so Elder Labs (40) is the one submitted application that is not eligible.
Submissions are at 12:00 UTC; rejections at S1 on 2024-04-15 12:00, acceptances of P1 and P2 on
2024-05-15 12:00, P3 accepted from the waitlist on 2024-05-20 12:00.

Stage 1 "Screening" (deadline 2024-04-10 12:00 UTC): criteria team (weight 2) and market (weight 1),
both 1..5; a review's total is (2*team + market) / 3. Stage 2 "Demo Day" (deadline 2024-05-10 12:00):
pitch (weight 3) and product (weight 1), 1..5; total (3*pitch + product) / 4.
Reviewers: Alice (lenient), Bob, Hank (harsh). Scores are (team, market) / (pitch, product) -> total:

    S1   Alice          Bob            Hank
    P1   (5,5) 5        (5,5) 5        [draft review, not submitted]
    P2   (5,2) 4        (4,4) 4        [released assignment]
    P3   (4,4) 4        (4,1) 3
    P4   (4,1) 3        (4,4) 4
    P5   (4,4) 4                       (2,2) 2
    P6   (3,3) 3                       (1,4) 2
    P7   (3,3) 3                       (1,1) 1
    P8   (2,5) 3                       (1,1) 1
    P9                  (3,3) 3        (1,1) 1
    P10                 (2,2) 2        (1,1) 1
    P11                 (2,2) 2        (1,1) 1   <- Hank late (04-11)
    P12                 (1,1) 1 (on the deadline itself: on time)   (1,1) 1   <- Hank late
    S2
    P1   (5,5) 5        (5,1) 4
    P2   (4,4) 4                       (3,3) 3
    P3                  (1,5) 2        (3,3) 3   <- Hank late (05-11)
    P4   [assigned, no review]  [assigned, no review]   (P4 withdrew at S2)

Offers: P1 confirmed, P2 declined, P3 (promoted from the S2 waitlist) confirmed. P5 stays on the S1
waitlist. Outcomes: P1 product, USD 20,000 (2024-09-15, rate 12,600 UZS for September 2024),
UZS 50,000,000 (2024-10-01), 4 jobs; P3 product, a grant, 3 jobs.
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from incubator.accounts.models import Role, User
from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.extensions import db
from incubator.outcomes.models import ExchangeRate, Outcome, OutcomeKind
from incubator.programs.models import Criterion, Organisation, Program, Season, SeasonStatus, Stage
from incubator.reviews.models import Assignment, AssignmentStatus, Review, ReviewStatus
from incubator.selection.models import Offer, OfferStatus, WaitlistEntry
from incubator.startups.models import Gender, Startup, StartupStage, TeamMember
from tests.support import factories as f

FORMULA_NAME = '=HYPERLINK("http://evil.example","click")'
SUPPRESSED_REGION = "samarkand"  # exactly 4 applicants: hidden everywhere


def _at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2024, month, day, hour, 0, tzinfo=UTC)


# name: (status, stage position or None, region, sector, startup stage, women-led, birth years,
#        submitted (month, day) or None, decided (month, day) or None)
CAST = {
    "Draft One": ("draft", None, "andijan", "fintech", "idea", False, [2000], None, None),
    "Draft Two": ("draft", None, "andijan", "fintech", "idea", True, [2000], None, None),
    "Dropped Draft": ("withdrawn", None, "andijan", "fintech", "idea", False, [2000], None, None),
    "Withdrawn Co": ("withdrawn", None, "tashkent_city", "fintech", "revenue", True, [1998], (3, 20), None),
    "Elder Labs": ("rejected", 1, "fergana", "edtech", "prototype", False, [1984], (3, 10), (4, 15)),
    "Alpha Pay": ("accepted", 2, "tashkent_city", "fintech", "mvp", False, [2002], (3, 20), (5, 15)),
    "Beta Bank": ("accepted", 2, "tashkent_city", "fintech", "revenue", False, [1997, 1992], (3, 20), (5, 15)),
    "Gamma Learn": ("accepted", 2, "fergana", "edtech", "mvp", True, [2001], (3, 20), (5, 20)),
    "Delta Funds": ("withdrawn", 2, "samarkand", "fintech", "mvp", False, [1992], (3, 20), None),
    "Epsilon Pay": ("waitlisted", 1, "samarkand", "fintech", "mvp", True, [2000], (3, 20), None),
    FORMULA_NAME: ("rejected", 1, "tashkent_city", "fintech", "mvp", False, [1995], (3, 21), (4, 15)),
    "Eta Labs": ("rejected", 1, "fergana", "edtech", "prototype", True, [2003], (3, 22), (4, 15)),
    "Theta School": ("rejected", 1, "samarkand", "edtech", "prototype", False, [1999], (3, 20), (4, 15)),
    "Iota Class": ("rejected", 1, "tashkent_city", "edtech", "prototype", True, [2004], (3, 20), (4, 15)),
    "Kappa Farm": ("rejected", 1, "fergana", "agritech", "idea", False, [2002], (3, 20), (4, 15)),
    "Lambda Seeds": ("rejected", 1, "samarkand", "agritech", "idea", True, [1996], (3, 20), (4, 15)),
    "Mu Harvest": ("rejected", 1, "fergana", "agritech", "idea", False, [1990], (3, 20), (4, 15)),
}

# (stage position, startup, reviewer, scores, submitted (month, day, hour) or None for a draft review)
REVIEWS = [
    (1, "Alpha Pay", "Alice", (5, 5), (4, 5, 12)), (1, "Alpha Pay", "Bob", (5, 5), (4, 5, 12)),
    (1, "Beta Bank", "Alice", (5, 2), (4, 5, 12)), (1, "Beta Bank", "Bob", (4, 4), (4, 5, 12)),
    (1, "Gamma Learn", "Alice", (4, 4), (4, 5, 12)), (1, "Gamma Learn", "Bob", (4, 1), (4, 5, 12)),
    (1, "Delta Funds", "Alice", (4, 1), (4, 5, 12)), (1, "Delta Funds", "Bob", (4, 4), (4, 5, 12)),
    (1, "Epsilon Pay", "Alice", (4, 4), (4, 5, 12)), (1, "Epsilon Pay", "Hank", (2, 2), (4, 5, 12)),
    (1, FORMULA_NAME, "Alice", (3, 3), (4, 5, 12)), (1, FORMULA_NAME, "Hank", (1, 4), (4, 5, 12)),
    (1, "Eta Labs", "Alice", (3, 3), (4, 5, 12)), (1, "Eta Labs", "Hank", (1, 1), (4, 5, 12)),
    (1, "Theta School", "Alice", (2, 5), (4, 5, 12)), (1, "Theta School", "Hank", (1, 1), (4, 5, 12)),
    (1, "Iota Class", "Bob", (3, 3), (4, 5, 12)), (1, "Iota Class", "Hank", (1, 1), (4, 5, 12)),
    (1, "Kappa Farm", "Bob", (2, 2), (4, 5, 12)), (1, "Kappa Farm", "Hank", (1, 1), (4, 5, 12)),
    (1, "Lambda Seeds", "Bob", (2, 2), (4, 5, 12)), (1, "Lambda Seeds", "Hank", (1, 1), (4, 11, 9)),
    (1, "Mu Harvest", "Bob", (1, 1), (4, 10, 12)), (1, "Mu Harvest", "Hank", (1, 1), (4, 11, 9)),
    (1, "Alpha Pay", "Hank", (3, 3), None),  # a draft review: assigned, not submitted
    (2, "Alpha Pay", "Alice", (5, 5), (5, 5, 12)), (2, "Alpha Pay", "Bob", (5, 1), (5, 5, 12)),
    (2, "Beta Bank", "Alice", (4, 4), (5, 5, 12)), (2, "Beta Bank", "Hank", (3, 3), (5, 5, 12)),
    (2, "Gamma Learn", "Bob", (1, 5), (5, 5, 12)), (2, "Gamma Learn", "Hank", (3, 3), (5, 11, 9)),
]
# Assignments without a review: P4 at S2 (it withdrew), and a released one (Hank declared a conflict).
BARE_ASSIGNMENTS = [(2, "Delta Funds", "Alice", AssignmentStatus.ACTIVE),
                    (2, "Delta Funds", "Bob", AssignmentStatus.ACTIVE),
                    (1, "Beta Bank", "Hank", AssignmentStatus.RELEASED)]

CRITERIA = {1: [("team", {"en": "Team", "ru": "Команда", "uz": "Jamoa"}, Decimal("2")),
                ("market", {"en": "Market", "ru": "Рынок", "uz": "Bozor"}, Decimal("1"))],
            2: [("pitch", {"en": "Pitch", "ru": "Питч", "uz": "Pitch"}, Decimal("3")),
                ("product", {"en": "Product", "ru": "Продукт", "uz": "Mahsulot"}, Decimal("1"))]}
STAGE_NAMES = {1: {"en": "Screening", "ru": "Отбор", "uz": "Saralash"},
               2: {"en": "Demo Day", "ru": "Демо-день", "uz": "Demo kun"}}
DEADLINES = {1: _at(4, 10), 2: _at(5, 10)}


def _regions(**nonzero) -> dict:
    from incubator.startups.models import REGIONS

    return {code: nonzero.get(code, (0, 0)) for code in REGIONS}


# --- Every figure, by hand ------------------------------------------------------------------------
# Ratios (rates, shares, completion, on-time) are rounded to 4 decimals; scores to 3 (half away
# from zero); days to 1 decimal. None = no value (or a suppressed cell in the demographics).

EXPECTED: dict = {
    "program_name": "Report Program",
    "season_name": "Spring 2024",
    "manager_email": "report-manager@example.org",
    "provisional": True,
    # (key, count, rate from the previous step)
    "funnel": [
        ("started", 17, None),           # every application, drafts and withdrawn ones included
        ("submitted", 14, 0.8235),       # 14/17: all but the 3 drafts (one withdrawn as a draft)
        ("eligible", 13, 0.9286),        # 13/14: Elder Labs' founder is 40 (> 35)
        ("reviewed:1", 12, 0.9231),      # 12/13: P1..P12 have a submitted review at S1
        ("advanced:1", 4, 0.3333),       # 4/12: P1..P4 reached S2
        ("reviewed:2", 3, 0.75),         # 3/4: P1..P3 (P4 withdrew)
        ("advanced:2", 3, 1.0),          # 3/3: accepted at the last stage (P3 via the waitlist)
        ("waitlisted", 2, None),         # P5 (S1) and P3 (S2): a side branch, no rate
        ("offered", 3, 1.0),             # 3/3 (relative to advanced:2)
        ("confirmed", 2, 0.6667),        # 2/3: P1 and P3 confirmed, P2 declined
    ],
    # Submission -> decision (accepted/rejected) in days: Elder Labs 36, P6 25, P7 24, P8..P12 26
    # (five times), P1 56, P2 56, P3 61. Sorted: 24 25 26 26 26 26 26 36 56 56 61 -> median 26.
    "median_days_to_decision": 26.0,
    "stages": {
        1: {
            "name": "Screening",
            # listed: Elder Labs + P1..P12 except P4 (withdrawn) = 12
            "applications": 12,
            "reviews_submitted": 24,
            # Alice 5,4,4,3,4,3,3,3 (29) + Bob 5,4,3,4,3,2,2,1 (24) + Hank 2,2,1,1,1,1,1,1 (10) = 63 / 24
            "mean_total": 2.625,
            "total_histogram": {1: 7, 2: 4, 3: 6, 4: 5, 5: 2},
            "criteria": {
                # team: 5,5 5,4 4,4 4,4 4,2 3,1 3,1 2,1 3,1 2,1 2,1 1,1 = 64 / 24
                "team": {"label": "Team", "weight": Decimal("2"), "mean": 2.667,
                         "histogram": {1: 8, 2: 4, 3: 3, 4: 6, 5: 3}},
                # market: 5,5 2,4 4,1 1,4 4,2 3,4 3,1 5,1 3,1 2,1 2,1 1,1 = 61 / 24
                "market": {"label": "Market", "weight": Decimal("1"), "mean": 2.542,
                           "histogram": {1: 9, 2: 4, 3: 3, 4: 5, 5: 3}},
            },
            # weighted score = mean of the two review totals
            "weighted": {"Alpha Pay": 5.0, "Beta Bank": 4.0, "Gamma Learn": 3.5, "Epsilon Pay": 3.0,
                         FORMULA_NAME: 2.5, "Eta Labs": 2.0, "Theta School": 2.0, "Iota Class": 2.0,
                         "Kappa Farm": 1.5, "Lambda Seeds": 1.5, "Mu Harvest": 1.0, "Elder Labs": None},
            # Everyone has >= 3 reviews at S1, so each is normalised against their own mean and sd.
            # Alpha Pay is both Alice's and Bob's best (z 1.976 and 1.633): first. Epsilon Pay is
            # Hank's best (z 1.732) and gets 0.539 from Alice: mean z 1.135, second, ahead of Beta
            # Bank (0.539 and 0.816 -> 0.678) although its weighted score is lower.
            "first": "Alpha Pay",
            "second": "Epsilon Pay",
            "unranked": ["Elder Labs"],
        },
        2: {
            "name": "Demo Day",
            "applications": 3,  # P1..P3 (P4 withdrew)
            "reviews_submitted": 6,
            "mean_total": 3.5,  # 5,4 / 4,3 / 2,3 = 21 / 6
            "total_histogram": {1: 0, 2: 1, 3: 2, 4: 2, 5: 1},
            "criteria": {
                "pitch": {"label": "Pitch", "weight": Decimal("3"), "mean": 3.5,   # 5,5,4,3,1,3 = 21/6
                          "histogram": {1: 1, 2: 0, 3: 2, 4: 1, 5: 2}},
                "product": {"label": "Product", "weight": Decimal("1"), "mean": 3.5,  # 5,1,4,3,5,3 = 21/6
                            "histogram": {1: 1, 2: 0, 3: 2, 4: 1, 5: 2}},
            },
            # Everyone has < 3 reviews at S2: z against the stage, so normalised == weighted.
            # (rank, name, weighted, normalised, spread = population sd of the two totals)
            "ranking": [(1, "Alpha Pay", 4.5, 4.5, 0.5), (2, "Beta Bank", 3.5, 3.5, 0.5),
                        (3, "Gamma Learn", 2.5, 2.5, 0.5)],
        },
    },
    # (stage position, reviewer) -> figures. completion = submitted / active assignments;
    # on time = submitted no later than the deadline / submitted; agreement = mean |own total -
    # the other reviewer's total| over the same applications.
    "reviewers": {
        (1, "Alice"): {"assigned": 8, "submitted": 8, "completion": 1.0, "on_time_rate": 1.0,
                       "mean_given": 3.625, "stage_mean": 2.625, "bias": 1.0,
                       "agreement": 1.125},   # gaps 0,0,1,1,2,1,2,2 = 9/8
        (1, "Bob"): {"assigned": 8, "submitted": 8, "completion": 1.0, "on_time_rate": 1.0,
                     "mean_given": 3.0, "stage_mean": 2.625, "bias": 0.375,
                     "agreement": 0.75},      # gaps 0,0,1,1,2,1,1,0 = 6/8
        (1, "Hank"): {"assigned": 9, "submitted": 8, "completion": 0.8889, "on_time_rate": 0.75,
                      "mean_given": 1.25, "stage_mean": 2.625, "bias": -1.375,
                      "agreement": 1.375},    # gaps 2,1,2,2,2,1,1,0 = 11/8
        (2, "Alice"): {"assigned": 3, "submitted": 2, "completion": 0.6667, "on_time_rate": 1.0,
                       "mean_given": 4.5, "stage_mean": 3.5, "bias": 1.0, "agreement": 1.0},
        (2, "Bob"): {"assigned": 3, "submitted": 2, "completion": 0.6667, "on_time_rate": 1.0,
                     "mean_given": 3.0, "stage_mean": 3.5, "bias": -0.5, "agreement": 1.0},
        (2, "Hank"): {"assigned": 2, "submitted": 2, "completion": 1.0, "on_time_rate": 0.5,
                      "mean_given": 3.0, "stage_mean": 3.5, "bias": -0.5, "agreement": 1.0},
    },
    # key -> (applied, selected); None = suppressed. Applied = the 14 submitted applications
    # (founders for the age bands: 15, Beta Bank has two); selected = the 3 accepted (4 founders).
    "demographics": {
        "region": {
            "applied_total": 14, "selected_total": 3,
            # samarkand 4 is hidden (1..4); it would be 14 - 5 - 5 from the total, so the smallest
            # other non-zero cell is hidden too: fergana (5, ties with tashkent_city, first in order).
            # Selected: tashkent_city 2 and fergana 1 hidden; samarkand's 0 hidden with its row.
            "rows": _regions(tashkent_city=(5, None), fergana=(None, None), samarkand=(None, None)),
            "shares": {"tashkent_city": (0.3571, None), "andijan": (0.0, 0.0)},
        },
        "sector": {
            "applied_total": 14, "selected_total": 3,
            # agritech 3 hidden, then edtech 5 (smallest other non-zero; fintech is 6).
            "rows": {"agritech": (None, None), "edtech": (None, None), "fintech": (6, None),
                     "healthtech": (0, 0)},
            "shares": {"fintech": (0.4286, None)},
        },
        "startup_stage": {
            "applied_total": 14, "selected_total": 3,
            "rows": {"idea": (None, None), "prototype": (None, None), "mvp": (5, None),
                     "revenue": (None, None)},
            "shares": {"mvp": (0.3571, None)},
        },
        "women_led": {
            "applied_total": 14, "selected_total": 3,
            "rows": {"women_led": (6, None), "not_women_led": (8, None)},
            "shares": {"women_led": (0.4286, None), "not_women_led": (0.5714, None)},
        },
        "age_band": {
            "applied_total": 15, "selected_total": 4,
            # 18-24: P1 P3 P5 P7 P9 P10; 25-29: W P2 P6 P8 P11; 30-34: P2's co-founder, P4, P12;
            # 35-44: Elder Labs. Selected founders: 18-24 P1 P3; 25-29 P2; 30-34 P2's co-founder.
            "rows": {"under_18": (0, 0), "18-24": (6, None), "25-29": (5, None), "30-34": (None, None),
                     "35-44": (None, None), "45_plus": (0, 0), "unknown": (0, 0)},
            "shares": {"18-24": (0.4, None), "25-29": (0.3333, None)},
        },
    },
    "outcomes": {
        "confirmed": 2, "developed": 2, "funded": 1, "investments": 2, "grants": 1, "jobs": 7,
        "totals": [("UZS", Decimal("50000000.00")), ("USD", Decimal("20000.00"))],
        # 50,000,000 + 20,000 * 12,600 = 50,000,000 + 252,000,000
        "total_uzs": Decimal("302000000.00"),
        "rates_used": [("USD", Decimal("12600"), "2024-09-01", "2024-09-30")],
    },
    "suppressed_region": SUPPRESSED_REGION,
    "suppressed_region_applicants": 4,
    "formula_name": FORMULA_NAME,
}


# --- Building it ------------------------------------------------------------------------------------

def build_report_season(_unused=None) -> tuple[Season, dict]:
    """Create the season above (committed) and return it with EXPECTED. Call inside an app context;
    the argument (a db session or the app) is accepted for convenience and ignored."""
    session = db.session
    manager = f.UserFactory(email=EXPECTED["manager_email"], name="Report Manager")
    org = Organisation(name="Report Org", slug="report-org")
    program = Program(organisation=org, name=EXPECTED["program_name"], slug="report-program",
                      summary={"en": "A program"}, default_locale="en",
                      eligibility_rules=[{"rule": "founder_age", "min": 14, "max": 35}])
    season = Season(program=program, name=EXPECTED["season_name"], slug="spring-2024",
                    status=SeasonStatus.DECIDED, opens_at=_at(3, 1, 0), closes_at=_at(3, 31, 0),
                    timezone="Asia/Tashkent", quota=2)
    session.add_all([org, program, season])
    session.flush()
    f.grant(manager, program, Role.MANAGER)

    stages = {}
    for position in (1, 2):
        stage = Stage(season_id=season.id, position=position, name=STAGE_NAMES[position], reviews_required=2,
                      review_deadline=DEADLINES[position])
        session.add(stage)
        session.flush()
        for i, (key, label, weight) in enumerate(CRITERIA[position]):
            session.add(Criterion(stage_id=stage.id, key=key, position=i, label=label, weight=weight,
                                  scale_min=1, scale_max=5))
        stages[position] = stage

    reviewers = {}
    for name in ("Alice", "Bob", "Hank"):
        user = User(email=f"{name.lower()}@reviewers.example.org", name=name, password_hash="!")
        session.add(user)
        reviewers[name] = user
    session.flush()

    apps: dict[str, Application] = {}
    for i, (name, (status, stage_pos, region, sector, st_stage, women, births, submitted, decided)) in \
            enumerate(CAST.items()):
        owner = User(email=f"founder{i}@startups.example.org", name=f"Founder {i}", password_hash="!")
        session.add(owner)
        session.flush()
        startup = Startup(owner_id=owner.id, name=name, sector=sector, region=region, country="UZ",
                          stage=StartupStage(st_stage))
        session.add(startup)
        session.flush()
        for j, year in enumerate(births):
            gender = Gender.FEMALE if (women and j == 0) else Gender.MALE
            session.add(TeamMember(startup_id=startup.id, name=f"Member {i}.{j}", gender=gender, birth_year=year))
        app = Application(season_id=season.id, startup_id=startup.id, created_by_id=owner.id, status=Status(status),
                          current_stage_id=stages[stage_pos].id if stage_pos else None,
                          submitted_at=_at(*submitted) if submitted else None,
                          decided_at=_at(*decided) if decided else None,
                          withdrawn_at=_at(4, 20) if status == "withdrawn" else None)
        session.add(app)
        session.flush()
        apps[name] = app

    weights = {pos: [w for _, _, w in CRITERIA[pos]] for pos in CRITERIA}
    for position, name, reviewer, scores, when in REVIEWS:
        assignment = Assignment(stage_id=stages[position].id, application_id=apps[name].id,
                                reviewer_id=reviewers[reviewer].id, status=AssignmentStatus.ACTIVE)
        session.add(assignment)
        session.flush()
        keys = [k for k, _, _ in CRITERIA[position]]
        total = float(sum(w * s for w, s in zip(weights[position], scores, strict=True)) / sum(weights[position]))
        session.add(Review(assignment_id=assignment.id, scores=dict(zip(keys, scores, strict=True)), total=total,
                           status=ReviewStatus.SUBMITTED if when else ReviewStatus.DRAFT,
                           submitted_at=_at(*when[:2], when[2]) if when else None))
    for position, name, reviewer, status in BARE_ASSIGNMENTS:
        session.add(Assignment(stage_id=stages[position].id, application_id=apps[name].id,
                               reviewer_id=reviewers[reviewer].id, status=status,
                               released_at=_at(4, 2) if status == AssignmentStatus.RELEASED else None))

    session.add_all([
        WaitlistEntry(application_id=apps["Epsilon Pay"].id, season_id=season.id, stage_id=stages[1].id, rank=1.0),
        WaitlistEntry(application_id=apps["Gamma Learn"].id, season_id=season.id, stage_id=stages[2].id, rank=1.0,
                      promoted_at=_at(5, 20)),
        Offer(application_id=apps["Alpha Pay"].id, season_id=season.id, status=OfferStatus.CONFIRMED,
              deadline_at=_at(5, 22), responded_at=_at(5, 16)),
        Offer(application_id=apps["Beta Bank"].id, season_id=season.id, status=OfferStatus.DECLINED,
              deadline_at=_at(5, 22), responded_at=_at(5, 19)),
        Offer(application_id=apps["Gamma Learn"].id, season_id=season.id, status=OfferStatus.CONFIRMED,
              deadline_at=_at(5, 27), responded_at=_at(5, 21), promoted_from_waitlist=True),
    ])

    alpha, gamma = apps["Alpha Pay"].id, apps["Gamma Learn"].id
    session.add_all([
        ExchangeRate(program_id=program.id, currency="USD", rate=Decimal("12600"),
                     valid_from=datetime(2024, 9, 1).date(), valid_to=datetime(2024, 9, 30).date()),
        Outcome(application_id=alpha, season_id=season.id, kind=OutcomeKind.PRODUCT,
                occurred_on=datetime(2024, 8, 1).date(), link="https://alpha.example"),
        Outcome(application_id=alpha, season_id=season.id, kind=OutcomeKind.INVESTMENT, investor="Investor Day",
                amount=Decimal("20000"), currency="USD", occurred_on=datetime(2024, 9, 15).date(), round="pre-seed"),
        Outcome(application_id=alpha, season_id=season.id, kind=OutcomeKind.INVESTMENT, investor="UzVC",
                amount=Decimal("50000000"), currency="UZS", occurred_on=datetime(2024, 10, 1).date(), round="seed"),
        Outcome(application_id=alpha, season_id=season.id, kind=OutcomeKind.JOBS, jobs=4,
                occurred_on=datetime(2024, 11, 1).date()),
        Outcome(application_id=gamma, season_id=season.id, kind=OutcomeKind.PRODUCT,
                occurred_on=datetime(2024, 8, 20).date()),
        Outcome(application_id=gamma, season_id=season.id, kind=OutcomeKind.GRANT, name="IT Park grant",
                result="won"),
        Outcome(application_id=gamma, season_id=season.id, kind=OutcomeKind.JOBS, jobs=3,
                occurred_on=datetime(2024, 11, 1).date()),
    ])
    session.commit()
    return season, EXPECTED


__all__ = ["EXPECTED", "FORMULA_NAME", "SUPPRESSED_REGION", "build_report_season"]
