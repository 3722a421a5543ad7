"""Startups and teams over the API: the reusable profile, its team, co-founder invitations.

The same services as the pages: the schemas check shape (and document the lists of codes), the
domain rules answer with 422 and the field's message; someone else's startup is a 404."""
from __future__ import annotations

import copy
from datetime import timedelta

from flask import url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from incubator.api.multipart import FilePart, accept_multipart
from incubator.api.auth import auth_required, current_api_user
from incubator.api.schemas import PageArgs, Text, dump_page, page_of
from incubator.core.pagination import paginate
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.startups import logo, services
from incubator.startups.models import COUNTRIES, REGIONS, SECTORS, Gender, Startup, StartupStage
from incubator.startups.queries import my_startups, startup_for_editor
from incubator.startups.validators import (
    DESCRIPTION_MAX, MEMBER_NAME_MAX, NAME_MAX, PITCH_MAX, ROLE_MAX, WEBSITE_MAX,
)

blp = Blueprint("api_startups", __name__, description="Startup profiles, teams and co-founder invitations")
accept_multipart(blp)  # the logo upload
SECURITY = [{"bearerAuth": []}]


class StartupIn(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=NAME_MAX))
    pitch = Text(validate=validate.Length(max=PITCH_MAX), metadata={"description": "One line."})
    description = Text(validate=validate.Length(max=DESCRIPTION_MAX))
    sector = Text(required=True, validate=validate.OneOf(SECTORS))
    country = Text(validate=validate.OneOf(COUNTRIES), metadata={"description": "Default UZ."})
    region = Text(allow_none=True, validate=validate.OneOf(REGIONS),
                  metadata={"description": "Required when country is UZ; null for other countries."})
    stage = Text(validate=validate.OneOf([s.value for s in StartupStage]), metadata={"description": "Default idea."})
    founded_on = fields.Date(allow_none=True, metadata={"description": "Not in the future, not before 1990."})
    website = Text(allow_none=True, validate=validate.Length(max=WEBSITE_MAX),
                   metadata={"description": "An http(s) address; a bare domain is read as https://."})


class MemberIn(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=MEMBER_NAME_MAX))
    email = Text(allow_none=True, validate=validate.Length(max=254))
    role = Text(validate=validate.Length(max=ROLE_MAX))
    gender = Text(validate=validate.OneOf([g.value for g in Gender]), metadata={"description": "Default undisclosed."})
    birth_year = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1901, max=2100),
                                metadata={"description": "After 1900, not later than this year."})


def _all_optional(schema_cls: type[Schema], name: str) -> type[Schema]:
    """The same fields, none required: the body of a PATCH (its own name in the document)."""
    declared = {key: copy.deepcopy(field) for key, field in schema_cls._declared_fields.items()}
    for field in declared.values():
        field.required = False
    return type(name, (Schema,), declared)


StartupPatch = _all_optional(StartupIn, "StartupPatch")
MemberPatch = _all_optional(MemberIn, "MemberPatch")


class MemberOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(allow_none=True)
    role = fields.String()
    gender = fields.String(validate=validate.OneOf([g.value for g in Gender]))
    birth_year = fields.Integer(allow_none=True)
    user_id = fields.Integer(allow_none=True, metadata={"description": "The account of a co-founder on the team."})


class CollaboratorOut(Schema):
    id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    name = fields.Function(lambda c: c.user.name)
    email = fields.Function(lambda c: c.user.email)
    created_at = fields.DateTime()


class StartupOut(Schema):
    id = fields.Integer(required=True)
    owner_id = fields.Integer(required=True)
    my_role = fields.Method("get_my_role", metadata={"description": "owner or cofounder", "enum": ["owner", "cofounder"]})
    name = fields.String(required=True)
    pitch = fields.String()
    description = fields.String()
    sector = fields.String()
    country = fields.String()
    region = fields.String(allow_none=True)
    stage = fields.String()
    founded_on = fields.Date(allow_none=True)
    website = fields.String(allow_none=True)
    is_women_led = fields.Boolean()
    created_at = fields.DateTime()
    members = fields.List(fields.Nested(MemberOut))
    collaborators = fields.List(fields.Nested(CollaboratorOut))
    logo_url = fields.Method("get_logo_url", metadata={
        "type": "string", "format": "uri", "nullable": True,
        "description": "GET /startups/{id}/logo, with a version that changes when the logo does; null when "
                       "there is no logo."})

    def get_my_role(self, obj):
        user = current_api_user()
        return "owner" if user is not None and user.id == obj.owner_id else "cofounder"

    def get_logo_url(self, obj):
        version = logo.logo_version(obj)
        if version is None:
            return None
        return url_for("api_startups.get_logo", startup_id=obj.id, v=version, _external=True)


class LogoIn(Schema):
    logo = FilePart(required=True, metadata={
        "description": f"The image: {logo.ALLOWED_TEXT} ({logo.ACCEPT}), checked by content (SVG is never "
                       "accepted); the size limit is LOGO_MAX_MB (2 MB by default)."})


LOGO_RESPONSE = {
    "description": "The logo, to show inline (Content-Disposition: inline), with the type detected from its "
                   "content when it was uploaded. Cached privately for 5 minutes; the ETag changes with the logo.",
    "content": {mime: {"schema": {"type": "string", "format": "binary"}} for mime in logo.IMAGE_TYPES},
    "headers": {
        "Content-Disposition": {"schema": {"type": "string"},
                                "description": 'inline; filename="logo.png" (or logo.jpg)'},
        "X-Content-Type-Options": {"schema": {"type": "string", "enum": ["nosniff"]}},
        "Cache-Control": {"schema": {"type": "string", "enum": ["private, max-age=300"]}},
        "ETag": {"schema": {"type": "string"}},
    },
}


class InviteIn(Schema):
    email = Text(required=True, validate=validate.Length(max=254))


class InviteOut(Schema):
    email = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


class AcceptIn(Schema):
    token = Text(required=True, validate=validate.Length(min=1, max=1000))


@blp.route("/startups", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(StartupOut, "StartupPage"))
@auth_required
def list_startups(args):
    """The startups I own or co-edit, newest first, with their teams."""
    return dump_page(paginate(my_startups(current_api_user()), args["page"], args["per_page"]))


@blp.route("/startups", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(StartupIn)
@blp.response(201, StartupOut)
@auth_required
def create_startup(data):
    """Create a startup profile that I own."""
    startup = services.create_startup(actor=current_api_user(), **data)
    db.session.commit()
    return startup_for_editor(current_api_user(), startup.id)


@blp.route("/startups/<id:startup_id>", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.response(200, StartupOut)
@auth_required
def get_startup(startup_id: int):
    """One of my startups (404 for anyone else's)."""
    return startup_for_editor(current_api_user(), startup_id)


@blp.route("/startups/<id:startup_id>", methods=["PATCH"])
@blp.doc(security=SECURITY)
@blp.arguments(StartupPatch)
@blp.response(200, StartupOut)
@auth_required
def patch_startup(data, startup_id: int):
    """Change some fields; the whole profile is checked again. Setting a country other than UZ
    without a region clears the region."""
    startup = startup_for_editor(current_api_user(), startup_id)
    services.update_startup(startup, actor=current_api_user(), **data)
    db.session.commit()
    return startup


@blp.route("/startups/<id:startup_id>/logo", methods=["PUT"])
@blp.doc(security=SECURITY)
@blp.arguments(LogoIn, location="multipart")
@blp.response(200, StartupOut)
@auth_required
def put_logo(data, startup_id: int):
    """Upload the startup's logo, or replace it (owner or co-founder).

    PNG or JPEG only, checked by content (422 with the reason on `logo`); an image over the limit is
    refused with 413, the limit named. The replaced image is deleted."""
    user = current_api_user()
    startup = startup_for_editor(user, startup_id)
    upload = data["logo"]
    logo.set_logo(startup, upload.stream, upload.filename, actor=user)
    db.session.commit()
    return startup_for_editor(user, startup_id)


@blp.route("/startups/<id:startup_id>/logo", methods=["DELETE"])
@blp.doc(security=SECURITY)
@blp.response(204)
@auth_required
def delete_logo(startup_id: int):
    """Remove the startup's logo (owner or co-founder); nothing to do when there is none."""
    startup = startup_for_editor(current_api_user(), startup_id)
    logo.remove_logo(startup, actor=current_api_user())
    db.session.commit()


@blp.route("/startups/<id:startup_id>/logo", methods=["GET"])
@blp.doc(security=SECURITY, responses={"200": LOGO_RESPONSE})
@auth_required
def get_logo(startup_id: int):
    """The startup's logo image, for anyone who may see the startup (404 otherwise, or when there is none)."""
    return logo.send_logo(logo.open_logo(db.session.get(Startup, startup_id), actor=current_api_user()))


@blp.route("/startups/<id:startup_id>/members", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(MemberIn)
@blp.response(201, MemberOut)
@auth_required
def add_member(data, startup_id: int):
    """Add a person to the team."""
    startup = startup_for_editor(current_api_user(), startup_id)
    member = services.add_member(startup, actor=current_api_user(), **data)
    db.session.commit()
    return member


@blp.route("/startups/<id:startup_id>/members/<id:member_id>", methods=["PATCH"])
@blp.doc(security=SECURITY)
@blp.arguments(MemberPatch)
@blp.response(200, MemberOut)
@auth_required
def patch_member(data, startup_id: int, member_id: int):
    """Correct a team member."""
    startup = startup_for_editor(current_api_user(), startup_id)
    member = services.update_member(services.member_of(startup, member_id), actor=current_api_user(), **data)
    db.session.commit()
    return member


@blp.route("/startups/<id:startup_id>/members/<id:member_id>", methods=["DELETE"])
@blp.doc(security=SECURITY)
@blp.response(204)
@auth_required
def delete_member(startup_id: int, member_id: int):
    """Take a person off the team list."""
    startup = startup_for_editor(current_api_user(), startup_id)
    services.remove_member(services.member_of(startup, member_id), actor=current_api_user())
    db.session.commit()


@blp.route("/startups/<id:startup_id>/invitations", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(InviteIn)
@blp.response(202, InviteOut)
@auth_required
def invite(data, startup_id: int):
    """Invite a co-founder by e-mail (owner only). A signed link goes out; the person accepts it
    with POST /invitations/accept or in the page the link opens."""
    startup = startup_for_editor(current_api_user(), startup_id)
    note = services.invite_cofounder(startup, actor=current_api_user(), email=data["email"])
    db.session.commit()
    return {"email": note.to_email, "expires_at": utcnow() + timedelta(seconds=services.invite_max_age())}


@blp.route("/startups/<id:startup_id>/collaborators/<id:collaborator_id>", methods=["DELETE"])
@blp.doc(security=SECURITY)
@blp.response(204)
@auth_required
def delete_collaborator(startup_id: int, collaborator_id: int):
    """Take a co-founder's edit access away (owner), or stop co-editing (the co-founder)."""
    startup = startup_for_editor(current_api_user(), startup_id)
    services.remove_collaborator(services.collaborator_of(startup, collaborator_id), actor=current_api_user())
    db.session.commit()


@blp.route("/invitations/accept", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(AcceptIn)
@blp.response(200, StartupOut)
@auth_required
def accept(data):
    """Accept a co-founder invitation with the token from its link (the part after /my/invitations/).
    My address must be the invited one."""
    collaborator = services.accept_invitation(data["token"], actor=current_api_user())
    startup_id = collaborator.startup_id
    db.session.commit()
    return startup_for_editor(current_api_user(), startup_id)
