"""Long work over the API: a job's status and progress, for the person who started it."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from incubator.api.auth import auth_required, current_api_user
from incubator.jobs.models import JobStatus
from incubator.jobs.services import job_for, job_state

blp = Blueprint("api_jobs", __name__, description="Long work (bulk sends, reports): status and progress")
SECURITY = [{"bearerAuth": []}]


class JobOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "What the job does, e.g. letters.send"})
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in JobStatus]))
    progress = fields.Integer(required=True, metadata={"description": "Units done (e.g. letters sent or failed)"})
    total = fields.Integer(required=True)
    percent = fields.Integer(required=True)
    message = fields.String(required=True)
    result = fields.Dict(required=True, metadata={"description": "What the job produced so far, by kind: for "
                                                                  "letters.send, batch_id, total, queued, sent, failed"})
    error = fields.String(allow_none=True)
    created_at = fields.DateTime(allow_none=True)
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


@blp.route("/jobs/<id:job_id>", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.response(200, JobOut)
@auth_required
def get_job(job_id: int):
    """A job started by me: its status and progress (poll it). Someone else's job is a 404."""
    return job_state(job_for(current_api_user(), job_id))
