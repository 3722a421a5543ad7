"""Import every domain's models so the metadata (and Alembic) sees them all."""
from incubator.accounts.models import ApiToken, ProgramRole, User  # noqa: F401
from incubator.applications.models import Answer, Application, ApplicationEvent, Attachment  # noqa: F401
from incubator.notifications.models import Notification  # noqa: F401
from incubator.programs.models import Criterion, Organisation, Program, Question, Season, Stage  # noqa: F401
from incubator.startups.models import Startup, StartupCollaborator, TeamMember  # noqa: F401
from incubator.jobs.models import Job  # noqa: F401
from incubator.letters.models import LetterBatch, LetterBatchItem, LetterTemplate  # noqa: F401
from incubator.reviews.models import (  # noqa: F401
    Assignment, ConflictOfInterest, Review, ReviewerInvitation, ReviewerProfile,
)
from incubator.selection.models import Offer, WaitlistEntry  # noqa: F401
from incubator.selection.board_models import StageBoardRecord, StageBoardRow  # noqa: F401
from incubator.selection import board_versions  # noqa: F401  (keeps the stored leaderboards current)
from incubator.outcomes.models import ExchangeRate, Outcome  # noqa: F401
from incubator.reports.models import SeasonReport  # noqa: F401
