"""Django settings for Jingying; every value comes through jingying.conf."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from jingying import conf

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = conf.data_dir()

SECRET_KEY = conf.secret_key(DATA_DIR)
DEBUG = conf.env_bool("JINGYING_DEBUG", False)
ALLOWED_HOSTS = [h for h in conf.env_str("JINGYING_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in conf.env_str("JINGYING_CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "jingying.core",
    "jingying.accounts",
    "jingying.org",
    "jingying.surveys",
    "jingying.care",
    "jingying.health",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jingying.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jingying.core.middleware.LoginRequiredMiddleware",
    "jingying.core.middleware.RequestContextMiddleware",
    "jingying.accounts.middleware.LoginPolicyMiddleware",
]

ROOT_URLCONF = "jingying.urls"
WSGI_APPLICATION = "jingying.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jingying.core.context_processors.shell",
            ],
        },
    }
]

DATABASES = {"default": dj_database_url.parse(conf.database_url(DATA_DIR), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE avoids "database is locked" on
    # upgrade from a read to a write lock inside a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if conf.env_bool("JINGYING_TESTING") else 60
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "jingying.accounts.passwords.CharacterClassValidator"},
    {"NAME": "jingying.accounts.passwords.HistoryValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise expects it even before collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the finders when collectstatic has not run (demo, tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_AGE = conf.env_int("JINGYING_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = False  # idle timeout: accounts.middleware.touch_session saves once a minute
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = conf.env_bool("JINGYING_HTTPS", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if SESSION_COOKIE_SECURE:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
JINGYING_MAX_UPLOAD_BYTES = conf.env_int("JINGYING_MAX_UPLOAD_MB", 50) * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if conf.env_bool("JINGYING_TASKS_IMMEDIATE")
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": conf.env_str("JINGYING_LOG_LEVEL", "WARNING")},
}

# Anonymous-survey suppression threshold and other programme-wide constants live here so one
# place documents them.
JINGYING_K_ANONYMITY = max(5, conf.env_int("JINGYING_K_ANONYMITY", 5))

# Login rules (等保 2.0 level 3; docs/security.md). All configurable from the environment.
JINGYING_PASSWORD_MAX_AGE_DAYS = conf.env_int("JINGYING_PASSWORD_MAX_AGE_DAYS", 90)
JINGYING_PASSWORD_HISTORY = conf.env_int("JINGYING_PASSWORD_HISTORY", 5)
JINGYING_LOCKOUT_ATTEMPTS = conf.env_int("JINGYING_LOCKOUT_ATTEMPTS", 5)
JINGYING_LOCKOUT_MINUTES = conf.env_int("JINGYING_LOCKOUT_MINUTES", 15)
JINGYING_SINGLE_SESSION = conf.env_bool("JINGYING_SINGLE_SESSION", True)
JINGYING_TOTP_ISSUER = conf.env_str("JINGYING_TOTP_ISSUER", "Jingying")

# Demo activity each domain app adds on top of the demo force (`jingying demo`), in order.
JINGYING_DEMO_LOADERS = ["jingying.surveys.demo.load_demo_surveys"]
JINGYING_DEMO_LOADERS += ["jingying.care.demo_cases.load_demo_care_cases"]
JINGYING_DEMO_LOADERS += ["jingying.care.demo_support.load_demo_care_support"]  # care-support
# --- health-checkups: partner hospitals, then three years of checkups ---
JINGYING_DEMO_LOADERS += ["jingying.care.demo_hospitals.load_demo_hospitals",
                          "jingying.health.demo_checkups.load_demo_checkups"]
JINGYING_DEMO_LOADERS += ["jingying.care.demo_fund.load_demo_care_fund"]

# Public evaluation forms (surveys/public.py): "N/SECONDS" limits, the spam speed floor, and how
# long a process may reuse a public form before re-reading it.
JINGYING_PUBLIC_RATE_LIMIT = conf.env_str("JINGYING_PUBLIC_RATE_LIMIT", "30/600")
JINGYING_PUBLIC_BURST = conf.env_str("JINGYING_PUBLIC_BURST", "5/300")

# Periodic jobs (jingying.core.periodic): (name, "module:function", every N minutes). `jingying
# serve` runs them; cron can call `jingying periodic` instead.
JINGYING_PERIODIC_JOBS = [
    ("health.crisis_escalate", "jingying.health.services.crisis:crisis_escalate_overdue", 1),
    ("care.concerns_escalate", "jingying.care.services.concerns:concerns_escalate_overdue", 60),
    ("care.support_reminders", "jingying.care.tasks_support:run_support_reminders", 24 * 60),
    ("health.followup_reminders", "jingying.health.services.checkups:followup_reminders", 24 * 60),
    ("care.equipment_reminders", "jingying.care.services.equipment:equipment_remind_expiring", 24 * 60),
]

# Where urgent in-app messages (crisis alerts, escalations) are also sent: comma-separated dotted
# paths of channel(notification) callables, e.g. "jingying.core.notifications.email_channel".
JINGYING_NOTIFY_CHANNELS = [c.strip() for c in conf.env_str("JINGYING_NOTIFY_CHANNELS", "").split(",") if c.strip()]
JINGYING_PUBLIC_MIN_SECONDS = conf.env_str("JINGYING_PUBLIC_MIN_SECONDS", "3")
JINGYING_PUBLIC_CACHE_SECONDS = conf.env_str("JINGYING_PUBLIC_CACHE_SECONDS", "5")

# Psychological screening and counselling (health-psych): minutes a counsellor has to
# acknowledge a crisis alert before it escalates to the head counsellor(s). The notes key is
# read lazily through conf.notes_key (a key file in the data dir unless set).
JINGYING_CRISIS_ACK_MINUTES = conf.env_int("JINGYING_CRISIS_ACK_MINUTES", 60)
JINGYING_DEMO_LOADERS += ["jingying.health.demo_psych.load_demo_health_psych"]

# Survey results workbooks are built in the background (jingying.surveys.services_export) and
# kept this many hours for download; the periodic cleanup then removes them.
JINGYING_SURVEY_EXPORT_HOURS = conf.env_int("JINGYING_SURVEY_EXPORT_HOURS", 24)
JINGYING_PERIODIC_JOBS += [("surveys.exports_cleanup", "jingying.surveys.tasks:results_exports_cleanup", 60)]

# --- security: API tokens and the second factor (decision 0013), upload retention ---
# Longest life, in days, of an API token for an account whose grants need the second factor.
JINGYING_API_TOKEN_MAX_DAYS_2FA = max(1, conf.env_int("JINGYING_API_TOKEN_MAX_DAYS_2FA", 30))
# Uploaded import workbooks (personal data) of finished, failed or abandoned imports are deleted
# after this many days; the job row stays with its summary (jingying.core.retention).
JINGYING_UPLOAD_RETENTION_DAYS = max(1, conf.env_int("JINGYING_UPLOAD_RETENTION_DAYS", 7))
# Transient uploads the retention job clears: "app_label.Model" → "module:function" listing the
# extra files a job left next to its upload (e.g. the error workbook), or "" for none.
JINGYING_TRANSIENT_UPLOADS = {
    "org.RosterImport": "jingying.org.tasks:job_extra_files",
    "health.CheckupImport": "",
}
JINGYING_PERIODIC_JOBS += [("core.upload_retention", "jingying.core.retention:purge_transient_uploads", 6 * 60)]

# --- selfservice helper: stale import jobs, API token refusal audit throttle ---
# An import job still validating this many hours after its upload (its worker died) is marked
# failed by the retention job (jingying.core.retention).
JINGYING_IMPORT_STALE_HOURS = max(1, conf.env_int("JINGYING_IMPORT_STALE_HOURS", 6))
# Refused API token uses are audited at most once per token per this many minutes; the refusals
# in between are counted on the token and reported in the next entry (jingying.api.auth).
JINGYING_API_TOKEN_REFUSAL_AUDIT_MINUTES = max(1, conf.env_int("JINGYING_API_TOKEN_REFUSAL_AUDIT_MINUTES", 10))
JINGYING_PERIODIC_JOBS += [("accounts.token_refusals", "jingying.api.auth:flush_refusals", 10)]
