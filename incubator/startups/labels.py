"""Human labels for the startup profile's coded values (regions, sectors, stages, genders, countries).

The stored values stay stable codes; what people read is translated here, once, for the forms,
the pages and the API's documentation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from incubator.startups.models import COUNTRIES, REGIONS, SECTORS, Gender, StartupStage

REGION_LABELS = {
    "andijan": _l("Andijan"),
    "bukhara": _l("Bukhara"),
    "fergana": _l("Fergana"),
    "jizzakh": _l("Jizzakh"),
    "kashkadarya": _l("Kashkadarya"),
    "khorezm": _l("Khorezm"),
    "namangan": _l("Namangan"),
    "navoiy": _l("Navoiy"),
    "samarkand": _l("Samarkand"),
    "surkhandarya": _l("Surkhandarya"),
    "syrdarya": _l("Syrdarya"),
    "tashkent_region": _l("Tashkent region"),
    "tashkent_city": _l("Tashkent city"),
    "karakalpakstan": _l("Republic of Karakalpakstan"),
}

SECTOR_LABELS = {
    "agritech": _l("Agriculture and food"),
    "edtech": _l("Education"),
    "fintech": _l("Finance"),
    "healthtech": _l("Health"),
    "ecommerce": _l("E-commerce and retail"),
    "logistics": _l("Logistics and transport"),
    "govtech": _l("Government services"),
    "cleantech": _l("Energy and environment"),
    "tourism": _l("Tourism and travel"),
    "media": _l("Media and entertainment"),
    "robotics": _l("Robotics and hardware"),
    "cybersecurity": _l("Cybersecurity"),
    "mobile_apps": _l("Mobile apps"),
    "web_services": _l("Web services"),
    "manufacturing": _l("Manufacturing"),
}

STAGE_LABELS = {
    StartupStage.IDEA.value: _l("Idea"),
    StartupStage.PROTOTYPE.value: _l("Prototype"),
    StartupStage.MVP.value: _l("MVP (first product in use)"),
    StartupStage.REVENUE.value: _l("Revenue (paying customers)"),
}

GENDER_LABELS = {
    Gender.FEMALE.value: _l("Female"),
    Gender.MALE.value: _l("Male"),
    Gender.UNDISCLOSED.value: _l("Prefer not to say"),
}

COUNTRY_LABELS = {
    "UZ": _l("Uzbekistan"),
    "KZ": _l("Kazakhstan"),
    "KG": _l("Kyrgyzstan"),
    "TJ": _l("Tajikistan"),
    "TM": _l("Turkmenistan"),
}

assert set(REGION_LABELS) == set(REGIONS), "a region without a label"
assert set(SECTOR_LABELS) == set(SECTORS), "a sector without a label"
assert set(COUNTRY_LABELS) == set(COUNTRIES), "a country without a label"


def label(labels: dict, value) -> str:
    """The label of a code, or the code itself when it has none (never an error on a page)."""
    if value is None or value == "":
        return ""
    key = getattr(value, "value", value)
    return str(labels.get(key, key))


def choices(labels: dict, *, blank=None) -> list[tuple[str, str]]:
    """(value, label) pairs for a select, in the order the labels are listed, with an optional
    first blank choice."""
    pairs = [(value, text) for value, text in labels.items()]
    return ([("", blank)] if blank is not None else []) + pairs


def region_label(value) -> str:
    return label(REGION_LABELS, value)


def sector_label(value) -> str:
    return label(SECTOR_LABELS, value)


def stage_label(value) -> str:
    return label(STAGE_LABELS, value)


def gender_label(value) -> str:
    return label(GENDER_LABELS, value)


def country_label(value) -> str:
    return label(COUNTRY_LABELS, value)
