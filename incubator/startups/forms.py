"""WTForms for the startup profile, a team member and a co-founder invitation: shape only.

The domain rules (required fields, lists, dates, addresses) live in validators.py and speak
through the services, so the pages and the API give the same messages. Selects accept any value
here for the same reason; `Marked` only flags a field as required for the label and the browser."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from incubator.startups import labels
from incubator.startups.validators import (
    DESCRIPTION_MAX, MEMBER_NAME_MAX, NAME_MAX, PITCH_MAX, ROLE_MAX, WEBSITE_MAX,
)


class Marked:
    """Marks a field required (asterisk, `required` attribute) and leaves the check to the domain rules."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        return None


class StartupForm(FlaskForm):
    name = StringField(_l("Startup name"), validators=[Marked()], render_kw={"maxlength": NAME_MAX})
    pitch = StringField(_l("One-line pitch"), description=_l("What you do, for whom, in one sentence."),
                        render_kw={"maxlength": PITCH_MAX})
    description = TextAreaField(_l("Description"), render_kw={"rows": 5, "maxlength": DESCRIPTION_MAX})
    sector = SelectField(_l("Sector"), validators=[Marked()], validate_choice=False)
    country = SelectField(_l("Country"), validators=[Marked()], validate_choice=False, default="UZ")
    region = SelectField(_l("Region of Uzbekistan"), validate_choice=False,
                         description=_l("Required for startups in Uzbekistan; leave it empty for other countries."))
    stage = SelectField(_l("Stage"), validators=[Marked()], validate_choice=False, default="idea")
    founded_on = DateField(_l("Founded on"), validators=[Optional()],
                           description=_l("Leave empty if the company is not registered yet."))
    website = StringField(_l("Website"), description=_l("A full address, e.g. https://example.uz"),
                          render_kw={"maxlength": WEBSITE_MAX, "inputmode": "url", "autocomplete": "url"})
    submit = SubmitField(_l("Save the startup"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = labels.choices(labels.SECTOR_LABELS, blank=_l("Choose a sector"))
        self.country.choices = labels.choices(labels.COUNTRY_LABELS)
        self.region.choices = labels.choices(labels.REGION_LABELS, blank=_l("Outside Uzbekistan"))
        self.stage.choices = labels.choices(labels.STAGE_LABELS)

    def fields_data(self) -> dict:
        return {"name": self.name.data, "pitch": self.pitch.data, "description": self.description.data,
                "sector": self.sector.data, "country": self.country.data, "region": self.region.data,
                "stage": self.stage.data, "founded_on": self.founded_on.data, "website": self.website.data}


class MemberForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Marked()], render_kw={"maxlength": MEMBER_NAME_MAX})
    email = EmailField(_l("E-mail"), description=_l("Optional."), render_kw={"maxlength": 254})
    role = StringField(_l("Role"), description=_l("e.g. CEO, CTO, designer"), render_kw={"maxlength": ROLE_MAX})
    gender = SelectField(_l("Gender"), validate_choice=False, default="undisclosed",
                         description=_l("Women-led programs and reports use it."))
    birth_year = IntegerField(_l("Year of birth"), validators=[Optional()],
                              description=_l("Programs with an age range need it."),
                              render_kw={"inputmode": "numeric", "min": 1901})
    submit = SubmitField(_l("Add to the team"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "member")
        super().__init__(*args, **kwargs)
        self.gender.choices = labels.choices(labels.GENDER_LABELS)

    def fields_data(self) -> dict:
        return {"name": self.name.data, "email": self.email.data, "role": self.role.data,
                "gender": self.gender.data, "birth_year": self.birth_year.data}


class InviteForm(FlaskForm):
    email = EmailField(_l("Co-founder's e-mail"), validators=[Marked()], render_kw={"maxlength": 254},
                       description=_l("They get a link to accept by e-mail, and can create an account "
                                      "with this address if they have none."))
    submit = SubmitField(_l("Send the invitation"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "invite")
        super().__init__(*args, **kwargs)


class ConfirmForm(FlaskForm):
    """A bare form for POST buttons (delete, accept): the CSRF token and a button."""

    submit = SubmitField(_l("Confirm"))
