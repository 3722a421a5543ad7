"""Import every domain's models so the metadata (and Alembic) sees them all."""
from incubator.accounts.models import ApiToken, ProgramRole, User  # noqa: F401
from incubator.applications.models import (  # noqa: F401
    Answer, Application, ApplicationEvent, Startup, TeamMember,
)
from incubator.notifications.models import Notification  # noqa: F401
from incubator.programs.models import Criterion, Organisation, Program, Question, Season, Stage  # noqa: F401
