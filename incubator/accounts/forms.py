"""WTForms: shape only. Domain rules live in validators.py and are re-checked by the services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from incubator.accounts.validators import MAX_PASSWORD_LENGTH

LANGUAGE_CHOICES = [("en", "English"), ("ru", "Русский"), ("uz", "Oʻzbekcha")]
TIMEZONE_CHOICES = [
    (z, z) for z in ("Asia/Tashkent", "Asia/Samarkand", "Asia/Almaty", "Asia/Bishkek", "Asia/Dushanbe",
                     "Asia/Ashgabat", "Europe/Moscow", "Europe/Istanbul", "Europe/London", "UTC")
]


class RegisterForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
                             description=_l("At least 10 characters; not a common password."),
                             render_kw={"autocomplete": "new-password"})
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Create account"))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me logged in on this device"))
    submit = SubmitField(_l("Log in"))


class OtpForm(FlaskForm):
    code = StringField(_l("6-digit code"), validators=[DataRequired(), Length(min=6, max=8)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
    submit = SubmitField(_l("Verify"))


class EmailOnlyForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    submit = SubmitField(_l("Send the link"))


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
                             render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Set the new password"))


class ProfileForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    timezone = SelectField(_l("Time zone"), choices=TIMEZONE_CHOICES)
    submit = SubmitField(_l("Save"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
                                 render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Change password"))


class EnableTwoFactorForm(FlaskForm):
    code = StringField(_l("6-digit code from your app"), validators=[DataRequired(), Length(min=6, max=8)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
    submit = SubmitField(_l("Turn on two-factor login"))


class DisableTwoFactorForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    code = StringField(_l("6-digit code"), validators=[DataRequired(), Length(min=6, max=8)])
    submit = SubmitField(_l("Turn off two-factor login"))


class NewTokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[Length(max=100)])
    submit = SubmitField(_l("Create token"))


class GrantRoleForm(FlaskForm):
    email = EmailField(_l("User's e-mail"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[("manager", _l("Manager")), ("reviewer", _l("Reviewer"))])
    submit = SubmitField(_l("Grant"))
