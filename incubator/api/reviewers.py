"""A program's reviewers over the API: invitations, the pool (expertise, languages, maximum load per
stage), accepting an invitation, and the program's conflicts of interest (managers only; the
reasons are private to them). The same services as the pages; another program's rows are 404."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from incubator.api.auth import auth_required, current_api_user
from incubator.api.schemas import PageArgs, Text, dump_page, page_of
from incubator.core.pagination import paginate
from incubator.extensions import db
from incubator.programs.queries import program_for_manager
from incubator.reviews import conflicts as conflict_services
from incubator.reviews import pools
from incubator.reviews import queries_manager as queries
from incubator.startups.models import SECTORS

blp = Blueprint("api_reviewers", __name__, description="Reviewer pools, invitations and conflicts of interest")
SECURITY = [{"bearerAuth": []}]
LANGUAGE_CODES = ["en", "ru", "uz"]


class ReviewerProfileFields(Schema):
    expertise = fields.List(Text(validate=validate.OneOf(SECTORS)), validate=validate.Length(max=len(SECTORS)),
                            metadata={"description": "Sector codes the reviewer knows (preferred by the automatic "
                                                     "assignment)."})
    languages = fields.List(Text(validate=validate.OneOf(LANGUAGE_CODES)), validate=validate.Length(max=10),
                            metadata={"description": "Languages the reviewer reads: en, ru, uz."})
    max_load = fields.Integer(strict=True, validate=validate.Range(min=0, max=pools.MAX_LOAD_LIMIT),
                              metadata={"description": "The most reviews at one stage (default 20)."})


class ReviewerInviteIn(ReviewerProfileFields):
    email = Text(required=True, validate=validate.Length(min=1, max=254))


class InvitationOut(Schema):
    id = fields.Integer(required=True)
    program_id = fields.Integer(required=True)
    email = fields.String(required=True)
    expertise = fields.List(fields.String())
    languages = fields.List(fields.String())
    max_load = fields.Integer()
    created_at = fields.DateTime(metadata={"description": "When the latest link was sent."})
    expires_at = fields.Method("get_expires_at", metadata={"type": "string", "format": "date-time"})
    accepted_at = fields.DateTime(allow_none=True)

    def get_expires_at(self, obj):
        return fields.DateTime().serialize("x", {"x": pools.invitation_expires_at(obj)})


class ReviewerOut(Schema):
    user_id = fields.Integer(required=True)
    program_id = fields.Integer(required=True)
    name = fields.Function(lambda p: p.user.name)
    email = fields.Function(lambda p: p.user.email)
    expertise = fields.List(fields.String())
    languages = fields.List(fields.String())
    max_load = fields.Integer()
    active_assignments = fields.Method("get_active", metadata={
        "type": "integer", "description": "Active assignments in the program's seasons, all stages."})
    created_at = fields.DateTime()

    def get_active(self, obj):
        known = getattr(obj, "_active", None)
        if known is not None:
            return known
        return queries.active_loads(obj.program_id, [obj.user_id]).get(obj.user_id, 0)


class ReviewerAcceptIn(Schema):
    token = Text(required=True, validate=validate.Length(min=1, max=1000))


class ManagerConflictIn(Schema):
    reviewer_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    application_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    reason = Text(validate=validate.Length(max=conflict_services.REASON_MAX),
                  metadata={"description": "Private: managers only."})


class ManagerConflictOut(Schema):
    id = fields.Function(lambda r: r.conflict.id, metadata={"type": "integer"})
    reviewer_id = fields.Function(lambda r: r.conflict.reviewer_id)
    reviewer_name = fields.Function(lambda r: r.reviewer.name)
    startup_id = fields.Function(lambda r: r.conflict.startup_id)
    startup_name = fields.Function(lambda r: r.startup.name)
    application_id = fields.Function(lambda r: r.conflict.application_id, allow_none=True)
    source = fields.Function(lambda r: str(r.conflict.source),
                             metadata={"enum": ["declared", "detected", "manager"]})
    reason = fields.Function(lambda r: r.conflict.reason)
    created_at = fields.Function(lambda r: fields.DateTime().serialize("x", {"x": r.conflict.created_at}),
                                 metadata={"type": "string", "format": "date-time"})


def _conflict_row(conflict):
    from incubator.accounts.models import User
    from incubator.startups.models import Startup

    return queries.ConflictRow(conflict, db.session.get(User, conflict.reviewer_id),
                               db.session.get(Startup, conflict.startup_id))


@blp.route("/programs/<id:program_id>/reviewers", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(ReviewerInviteIn)
@blp.response(202, InvitationOut)
@auth_required
def invite(data, program_id: int):
    """Invite a reviewer by e-mail (managers of the program). A signed link goes out, valid 14 days
    by default; the person accepts with POST /reviewer-invitations/accept or in the page the link
    opens, and joins the pool with the expertise, languages and maximum load given here. Inviting
    the same address again refreshes the pending invitation and sends a new link."""
    user = current_api_user()
    program = program_for_manager(user, program_id)
    invitation = pools.invite_reviewer(program, actor=user, **data)
    db.session.commit()
    return invitation


@blp.route("/programs/<id:program_id>/reviewers", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ReviewerOut, "ReviewerPage"))
@auth_required
def list_reviewers(args, program_id: int):
    """The program's reviewer pool, by name."""
    program = program_for_manager(current_api_user(), program_id)
    page, loads = queries.pool_page(program, args["page"], args["per_page"])
    data = dump_page(page)
    data["items"] = [_with_load(p, loads) for p in page.items]
    return data


def _with_load(profile, loads):
    profile._active = loads.get(profile.user_id, 0)
    return profile


@blp.route("/programs/<id:program_id>/reviewer-invitations", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(InvitationOut, "ReviewerInvitationPage"))
@auth_required
def list_invitations(args, program_id: int):
    """Invitations not accepted yet whose link still works, newest first."""
    program = program_for_manager(current_api_user(), program_id)
    stmt = queries.pending_invitations_stmt(program, pools.invite_max_age())
    return dump_page(paginate(stmt, args["page"], args["per_page"]))


@blp.route("/programs/<id:program_id>/reviewer-invitations/<id:invitation_id>", methods=["DELETE"])
@blp.doc(security=SECURITY)
@blp.response(204)
@auth_required
def revoke_invitation(program_id: int, invitation_id: int):
    """Withdraw a pending invitation: its links stop working (409 once accepted)."""
    user = current_api_user()
    program = program_for_manager(user, program_id)
    pools.revoke_invitation(pools.invitation_for_manager(user, program, invitation_id), actor=user)
    db.session.commit()


@blp.route("/programs/<id:program_id>/reviewers/<id:user_id>", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.response(200, ReviewerOut)
@auth_required
def get_reviewer(program_id: int, user_id: int):
    """One reviewer of the pool."""
    user = current_api_user()
    return pools.profile_for_manager(user, program_for_manager(user, program_id), user_id)


@blp.route("/programs/<id:program_id>/reviewers/<id:user_id>", methods=["PATCH"])
@blp.doc(security=SECURITY)
@blp.arguments(ReviewerProfileFields)
@blp.response(200, ReviewerOut)
@auth_required
def patch_reviewer(data, program_id: int, user_id: int):
    """Change a reviewer's expertise, languages or maximum load per stage."""
    user = current_api_user()
    profile = pools.profile_for_manager(user, program_for_manager(user, program_id), user_id)
    pools.update_reviewer_profile(profile, actor=user, **data)
    db.session.commit()
    return profile


@blp.route("/programs/<id:program_id>/reviewers/<id:user_id>", methods=["DELETE"])
@blp.doc(security=SECURITY)
@blp.response(204)
@auth_required
def delete_reviewer(program_id: int, user_id: int):
    """Take a reviewer out of the pool and the program: their assignments without a submitted review
    are released (run the automatic assignment again to fill the gaps); submitted reviews stay."""
    user = current_api_user()
    profile = pools.profile_for_manager(user, program_for_manager(user, program_id), user_id)
    pools.remove_reviewer(profile, actor=user)
    db.session.commit()


@blp.route("/reviewer-invitations/accept", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(ReviewerAcceptIn)
@blp.response(200, ReviewerOut)
@auth_required
def accept(data):
    """Accept a reviewer invitation with the token from its link (the part after /review/invitations/).
    My address must be the invited one."""
    profile = pools.accept_reviewer_invitation(data["token"], actor=current_api_user())
    db.session.commit()
    return profile


@blp.route("/programs/<id:program_id>/conflicts", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ManagerConflictOut, "ManagerConflictPage"))
@auth_required
def list_conflicts(args, program_id: int):
    """Recorded conflicts between the program's reviewers and startups that applied to it (declared by
    reviewers or added by managers), newest first. Detected ones are computed when assigning."""
    program = program_for_manager(current_api_user(), program_id)
    return dump_page(queries.conflicts_page(program, args["page"], args["per_page"]))


@blp.route("/programs/<id:program_id>/conflicts", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(ManagerConflictIn)
@blp.response(201, ManagerConflictOut)
@auth_required
def add_conflict(data, program_id: int):
    """Record that a reviewer is conflicted with an application's startup. Their active assignments
    to that startup's applications in the program are released and refilled."""
    user = current_api_user()
    program = program_for_manager(user, program_id)
    row = conflict_services.add_conflict_by_manager(program, actor=user, **data)
    db.session.commit()
    return _conflict_row(row)


@blp.route("/programs/<id:program_id>/conflicts/<id:conflict_id>", methods=["DELETE"])
@blp.doc(security=SECURITY)
@blp.response(204)
@auth_required
def delete_conflict(program_id: int, conflict_id: int):
    """Remove a recorded conflict."""
    user = current_api_user()
    program = program_for_manager(user, program_id)
    conflict_services.remove_conflict_by_manager(conflict_services.conflict_for_program(program, conflict_id),
                                                 actor=user, program=program)
    db.session.commit()

