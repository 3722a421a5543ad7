from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, URL


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Short name (for links)"), validators=[DataRequired(), Length(max=80)])
    country = StringField(_l("Country code"), default="UZ", validators=[DataRequired(), Length(min=2, max=2)])
    website = StringField(_l("Website"), validators=[Optional(), URL(), Length(max=300)])
    submit = SubmitField(_l("Create organisation"))


class ProgramForm(FlaskForm):
    organisation_id = SelectField(_l("Organisation"), coerce=int)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Short name (for links)"), validators=[DataRequired(), Length(max=80)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Create program"))
