"""Which language a request speaks, and date display in a named time zone.

Order: the signed-in user's setting, then a `?lang=` choice kept in the session, then the
browser's Accept-Language, then English."""
from __future__ import annotations

from datetime import datetime

from babel.dates import format_date as babel_format_date
from flask import current_app, g, has_request_context, request, session
from flask import flash as _flask_flash
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l

from incubator.core.timeutil import utc_offset_label, zone


def flash(message, category: str = "info") -> None:
    """Flash a message translated now: a lazy string must never be stored in the session, where it
    would be translated while the session is being saved."""
    _flask_flash(str(message), category)


def supported() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def is_supported(code: str | None) -> bool:
    return bool(code) and code in current_app.config["LANGUAGES"]


def _request_user():
    user = getattr(g, "api_user", None)
    if user is not None:
        return user
    from flask_login import current_user

    try:
        if current_user and current_user.is_authenticated:
            return current_user
    except Exception:  # outside a login-managed request
        return None
    return None


def select_locale() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    forced = getattr(g, "forced_locale", None)
    if forced:
        return forced
    user = _request_user()
    if user is not None and is_supported(user.locale):
        return user.locale
    chosen = session.get("lang")
    if is_supported(chosen):
        return chosen
    return request.accept_languages.best_match(supported()) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if has_request_context():
        user = _request_user()
        if user is not None and user.timezone:
            return user.timezone
    return current_app.config["DEFAULT_SEASON_TIMEZONE"]


def _remember_lang_choice() -> None:
    code = request.args.get("lang")
    if code is None or request.path.startswith("/api/") or request.path.startswith("/static/"):
        return
    if is_supported(code):
        session["lang"] = code
    else:
        flash(_l("Unknown language code “%(code)s”: choose English, Russian or Uzbek.", code=code[:20]),
              "warning")


def format_in_zone(moment: datetime | None, tz_name: str | None, fmt: str = "medium") -> str:
    """A moment shown in the given zone, 24-hour clock, zone named:
    '12 Dec 2026, 18:00 Asia/Tashkent (UTC+05:00)' (the date part in the reader's language)."""
    if moment is None:
        return ""
    tz_name = tz_name or current_app.config["DEFAULT_SEASON_TIMEZONE"]
    local = moment.astimezone(zone(tz_name))
    day = babel_format_date(local.date(), format="short" if fmt == "short" else "medium", locale=str(get_locale()))
    return f"{day}, {local:%H:%M} {tz_name} ({utc_offset_label(moment, tz_name)})"


def plain_number(value) -> str:
    """14.0000 -> 14, 2.5000 -> 2.5 (for limits shown to people)."""
    from decimal import Decimal

    try:
        return format(Decimal(str(value)).normalize(), "f")
    except Exception:
        return str(value)


def init_i18n(app) -> None:
    app.before_request(_remember_lang_choice)
    app.jinja_env.filters["plain_number"] = plain_number
    app.jinja_env.filters["in_zone"] = format_in_zone
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.jinja_env.globals["LANGUAGES"] = app.config["LANGUAGES"]
    _install_template_gettext(app)


def _translations():
    """The current catalogue, looked up once per locale per request (flask_babel's own lookup walks
    the app context several times per call, which a 50-row page pays a few hundred times)."""
    if not g:
        return get_translations()
    locale = get_locale()
    cached = g.get("_i18n_catalogue")
    if cached is not None and cached[0] is locale:
        return cached[1]
    catalogue = get_translations()
    g._i18n_catalogue = (locale, catalogue)
    return catalogue


def _install_template_gettext(app) -> None:
    """The templates' _(), ngettext() and pgettext() through the per-request catalogue above; the
    same translations (force_locale changes the locale object, so the cache follows it)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
