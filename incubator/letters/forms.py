"""The letter template editor's form (shape only: the services check that a template renders)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from incubator.letters.templating import MAX_BODY_CHARS, MAX_SUBJECT_CHARS


class LetterTemplateForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=MAX_SUBJECT_CHARS)])
    body = TextAreaField(_l("Letter"), validators=[DataRequired(), Length(max=MAX_BODY_CHARS)],
                         render_kw={"rows": 18, "spellcheck": "true"})
    application_id = SelectField(_l("Preview it for the application of"), coerce=int, validate_choice=False,
                                 description=_l("A real application of the program, as its owner would read the "
                                                "letter. Nothing is sent."))
