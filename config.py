"""Environment-driven settings. Nothing secret lives in code: every value can be set by an
environment variable (or a `.env` file beside this one, loaded by python-dotenv)."""
from __future__ import annotations

import os
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
load_dotenv(BASE_DIR / ".env")


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return default if value is None else int(value)


def instance_dir() -> Path:
    return Path(env("INSTANCE_PATH", str(BASE_DIR / "instance"))).resolve()


def celery_settings(broker_url: str | None, folder: Path) -> dict:
    """The CELERY block: the filesystem transport under instance/ when no broker URL is set."""
    options: dict = {}
    if not broker_url or broker_url.startswith("filesystem"):
        broker_url = "filesystem://"
        queue_dir = folder / "broker" / "queue"
        options = {
            "data_folder_in": str(queue_dir),
            "data_folder_out": str(queue_dir),
            "control_folder": str(folder / "broker" / "control"),
            "processed_folder": str(folder / "broker" / "processed"),
            "store_processed": False,
            "polling_interval": 0.1,
        }
    elif broker_url.startswith(("redis", "rediss")):
        # Longer than the longest task, so a slow report is not redelivered while it runs.
        options = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
    return {
        "broker_url": broker_url,
        "broker_transport_options": options,
        "broker_connection_retry_on_startup": True,
        "task_ignore_result": True,
        "result_backend": None,
        "task_serializer": "json",
        "accept_content": ["json"],
        "timezone": "UTC",
        "enable_utc": True,
        "task_acks_late": True,
        "worker_prefetch_multiplier": env_int("CELERY_PREFETCH_MULTIPLIER", 4),
        "task_default_queue": "default",
        "task_routes": {
            "notifications.*": {"queue": "mail"},
            "reports.*": {"queue": "reports"},
        },
        "beat_schedule_filename": str(folder / "celerybeat-schedule"),
        "include": ["workers.tasks"],
    }


def engine_options(url: str) -> dict:
    """Connection pool per process. Every gunicorn worker and every Celery worker process holds its own
    pool, so PostgreSQL sees (processes x (DB_POOL_SIZE + DB_MAX_OVERFLOW)) connections at most: keep
    that under max_connections (see docs/deploy.md)."""
    options: dict = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        options.update(pool_size=env_int("DB_POOL_SIZE", 5), max_overflow=env_int("DB_MAX_OVERFLOW", 5),
                       pool_recycle=env_int("DB_POOL_RECYCLE", 1800))
    return options


class Config:
    ENV_NAME = "development"
    SECRET_KEY = env("SECRET_KEY", "dev-only-not-secret-change-me")
    INSTANCE_PATH = str(instance_dir())

    SQLALCHEMY_DATABASE_URI = env("DATABASE_URL", f"sqlite:///{instance_dir() / 'incubator.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = engine_options(env("DATABASE_URL", ""))
    SQLALCHEMY_RECORD_QUERIES = False

    CELERY = celery_settings(env("CELERY_BROKER_URL"), instance_dir())

    # Mail: "file" writes .eml files to instance/outbox/, "smtp" sends, "memory" keeps them in a list.
    MAIL_BACKEND = env("MAIL_BACKEND", "smtp" if env("MAIL_SERVER") else "file")
    MAIL_SERVER = env("MAIL_SERVER", "localhost")
    MAIL_PORT = env_int("MAIL_PORT", 25)
    MAIL_USERNAME = env("MAIL_USERNAME")
    MAIL_PASSWORD = env("MAIL_PASSWORD")
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL", False)
    MAIL_TIMEOUT = env_int("MAIL_TIMEOUT", 20)
    MAIL_DEFAULT_SENDER = env("MAIL_DEFAULT_SENDER", "Incubator <no-reply@incubator.local>")
    MAIL_OUTBOX_DIR = env("MAIL_OUTBOX_DIR", str(instance_dir() / "outbox"))
    MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 6)
    # The sweep re-queues pending rows older than this and reclaims rows stuck in "sending".
    OUTBOX_REQUEUE_AFTER_SECONDS = env_int("OUTBOX_REQUEUE_AFTER_SECONDS", 60)
    OUTBOX_STUCK_AFTER_SECONDS = env_int("OUTBOX_STUCK_AFTER_SECONDS", 300)
    OUTBOX_SWEEP_EVERY_SECONDS = env_int("OUTBOX_SWEEP_EVERY_SECONDS", 60)
    # Decision letters are paced so a mail server is not flooded.
    LETTER_RATE_PER_SECOND = float(env("LETTER_RATE_PER_SECOND", "5") or 5)
    # Beat looks for drafts nearing their deadline (72 h and 24 h reminders) this often.
    REMINDER_EVERY_SECONDS = env_int("REMINDER_EVERY_SECONDS", 900)
    OFFER_EXPIRY_EVERY_SECONDS = env_int("OFFER_EXPIRY_EVERY_SECONDS", 300)

    PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", "http://127.0.0.1:" + (env("PORT", "5000") or "5000"))

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = {"en": "English", "ru": "Русский", "uz": "Oʻzbekcha"}
    DEFAULT_SEASON_TIMEZONE = "Asia/Tashkent"

    RATELIMIT_STORAGE_URI = env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = env("LOGIN_RATE_LIMIT", "10 per minute")
    REGISTER_RATE_LIMIT = env("REGISTER_RATE_LIMIT", "20 per hour")

    ARGON2_TIME_COST = env_int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = env_int("ARGON2_MEMORY_COST", 65536)
    ARGON2_PARALLELISM = env_int("ARGON2_PARALLELISM", 2)

    VERIFY_TOKEN_MAX_AGE = env_int("VERIFY_TOKEN_MAX_AGE", 3 * 24 * 3600)
    RESET_TOKEN_MAX_AGE = env_int("RESET_TOKEN_MAX_AGE", 2 * 3600)
    API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 90)
    REQUIRE_STAFF_2FA = env_bool("REQUIRE_STAFF_2FA", False)

    MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 20)
    MAX_CONTENT_LENGTH = MAX_UPLOAD_MB * 1024 * 1024 + 64 * 1024
    UPLOAD_FOLDER = env("UPLOAD_FOLDER")  # default: <instance>/uploads
    UPLOAD_TMP_FOLDER = env("UPLOAD_TMP_FOLDER")  # default: the system's temporary folder
    STORAGE_BACKEND = env("STORAGE_BACKEND", "local")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    WTF_CSRF_TIME_LIMIT = None

    DEMO_PASSWORD = env("DEMO_PASSWORD", "incubator-demo")
    # How many reverse proxies sit in front of gunicorn (X-Forwarded-For/-Proto/-Host are trusted that deep).
    PROXY_FIX_HOPS = env_int("PROXY_FIX_HOPS", 0)

    API_TITLE = "Incubator API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_REDOC_PATH = None
    OPENAPI_SWAGGER_UI_PATH = None
    API_SPEC_OPTIONS = {
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
        "info": {"description": "The incubator JSON API. Errors are RFC 9457 problem details."},
    }


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    PREFERRED_URL_SCHEME = "https"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    MAIL_BACKEND = env("MAIL_BACKEND", "memory")
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
    RATELIMIT_STORAGE_URI = env("TEST_RATELIMIT_STORAGE_URI", "memory://")
    PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", "http://localhost")
    SERVER_NAME = None


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def get_config(name: str | None = None) -> type[Config]:
    return CONFIGS[name or env("APP_ENV", "development") or "development"]
