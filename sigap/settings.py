"""SIGAP settings. Everything deployment-specific comes from the environment.

See README.md for the variables. Development generates its own secrets under
SIGAP_DATA_DIR (default ``var/``); production refuses to start without them.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from sigap.lib.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_dates,
    env_int,
    env_list,
    env_pattern,
    env_str,
    secret_from_file,
)

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

SIGAP_ENV = env_choice("SIGAP_ENV", ("development", "production"), "development")
PRODUCTION = SIGAP_ENV == "production"
DEBUG = env_bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when SIGAP_ENV=production")

# Training mode (sigap/lib/training.py): a separate deployment to practise on,
# with its own data folder, "DATA LATIHAN" everywhere, LT- numbers, no WhatsApp/SMS.
SIGAP_TRAINING = env_bool("SIGAP_TRAINING", default=False)
DATA_DIR = Path(
    env_str("SIGAP_DATA_DIR", "") or (BASE_DIR / "var" / "latihan" if SIGAP_TRAINING else BASE_DIR / "var")
).resolve()

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when SIGAP_ENV=production")
    SECRET_KEY = secret_from_file(DATA_DIR / "secret_key")
elif len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when SIGAP_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The deployment's own regency: its kecamatan and desa are offered first.
SIGAP_REGION = env_pattern(
    "SIGAP_REGION", r"\d{2}\.\d{2}", "18.11", "a regency code like 18.11"
)
SIGAP_OFFICE_NAME = env_str("SIGAP_OFFICE_NAME", "UPTD PPA Kabupaten Mesuji")
SIGAP_HOTLINE = env_str("SIGAP_HOTLINE", "0812 7185 7372")
SIGAP_WHATSAPP = env_str("SIGAP_WHATSAPP", SIGAP_HOTLINE)
SIGAP_EMERGENCY_NUMBERS = env_list("SIGAP_EMERGENCY_NUMBERS", ["110", "129"])
# The address the public reaches this system at: pamphlet QR codes, the
# volunteer's "Desa saya" link and the media kit point here. Production refuses
# to start without it; in development it follows HOST and PORT (`make run`).
_DEV_HOST = env_str("HOST", "127.0.0.1") or "127.0.0.1"
_BIND_ALL = ("0.0.0.0", "::")  # noqa: S104 - listening everywhere is not an address to print
if _DEV_HOST in _BIND_ALL:
    _DEV_HOST = "127.0.0.1"
elif ":" in _DEV_HOST:
    _DEV_HOST = f"[{_DEV_HOST}]"
_DEV_PUBLIC_URL = f"http://{_DEV_HOST}:{env_str('PORT', '8000') or '8000'}"
if PRODUCTION and not env_str("SIGAP_PUBLIC_URL"):
    raise ImproperlyConfigured(
        "SIGAP_PUBLIC_URL must be set when SIGAP_ENV=production: the address the public reaches SIGAP at "
        "(like https://sigap.example.go.id), printed in every pamphlet's QR code"
    )
SIGAP_PUBLIC_URL = env_pattern(
    "SIGAP_PUBLIC_URL",
    r"https?://[^\s/?#]+(/[^\s?#]*)?",
    _DEV_PUBLIC_URL,
    "an http(s) URL like https://sigap.example.go.id",
).rstrip("/")
# The office's press contact, shown on the public media kit.
SIGAP_PRESS_CONTACT = env_str("SIGAP_PRESS_CONTACT", "Humas UPTD PPA Kabupaten Mesuji")
SIGAP_PRESS_PHONE = env_str("SIGAP_PRESS_PHONE", SIGAP_HOTLINE)
SIGAP_PRESS_EMAIL = env_str("SIGAP_PRESS_EMAIL", "")
# Where the "Keluar cepat" button sends the visitor: a neutral, unrelated site.
SIGAP_QUICK_EXIT_URL = env_str("SIGAP_QUICK_EXIT_URL", "https://www.google.com/search?q=cuaca+hari+ini")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "sigap.core",
    "sigap.regions",
    "sigap.accounts",
    "sigap.vault",
    "sigap.intake",
    "sigap.intake.channels.conversations",
    "sigap.ops",
    "sigap.network",
    "sigap.outreach",
    "sigap.stats",
    "sigap.cases",
    "sigap.alerts",
    "sigap.letters",
    "sigap.accompaniment",
]

MIDDLEWARE = [
    "sigap.core.middleware.RequestIdMiddleware",
    "sigap.core.middleware.SecurityHeadersMiddleware",
    "sigap.core.middleware.HostileInputMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "sigap.accounts.middleware.SessionLimitsMiddleware",
    "sigap.accounts.middleware.RequireTwoFactorMiddleware",
    "sigap.vault.middleware.VaultErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Benchmark-only reference endpoints (bench/README.md); never on in production.
SIGAP_BENCH = env_bool("SIGAP_BENCH", default=False)
if SIGAP_BENCH:
    if PRODUCTION:
        raise ImproperlyConfigured("SIGAP_BENCH must be off when SIGAP_ENV=production")
    INSTALLED_APPS.append("sigap.benchsupport")

ROOT_URLCONF = "sigap.urls"
WSGI_APPLICATION = "sigap.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "sigap.core.context_processors.sigap",
            ],
        },
    }
]

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL"), sqlite_default=DATA_DIR / "sigap.sqlite3"
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["sigap.accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:staff_home"
LOGOUT_REDIRECT_URL = "core:public_home"

# How long an administrator's one-time password reset link stays valid.
SIGAP_PASSWORD_RESET_HOURS = env_int("SIGAP_PASSWORD_RESET_HOURS", 24, minimum=1, maximum=168)
PASSWORD_RESET_TIMEOUT = SIGAP_PASSWORD_RESET_HOURS * 3600

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The reverse proxies whose X-Real-IP header names the client (sigap.lib.clientip).
SIGAP_TRUSTED_PROXIES = env_list("SIGAP_TRUSTED_PROXIES", ["127.0.0.1", "::1"])

# Login throttling (accounts.throttle).
SIGAP_LOCKOUT_FAILURES = env_int("SIGAP_LOCKOUT_FAILURES", 6, minimum=1)
SIGAP_LOCKOUT_MINUTES = env_int("SIGAP_LOCKOUT_MINUTES", 15, minimum=1)
SIGAP_IP_FAILURES_PER_HOUR = env_int("SIGAP_IP_FAILURES_PER_HOUR", 30, minimum=1)
# The whole account locks only when failures come from this many client addresses within
# SIGAP_LOCKOUT_MINUTES; below that, only the (address, account) pair locks.
SIGAP_LOCKOUT_ADDRESSES = env_int("SIGAP_LOCKOUT_ADDRESSES", 5, minimum=2)

# Intake (sigap.intake): response deadlines by risk, tracking-code lockout,
# public lookup rate (shared by all processes) and how long idempotent answers are kept.
SIGAP_RESPONSE_HOURS_TINGGI = env_int("SIGAP_RESPONSE_HOURS_TINGGI", 1, minimum=1)
SIGAP_RESPONSE_HOURS_SEDANG = env_int("SIGAP_RESPONSE_HOURS_SEDANG", 6, minimum=1)
SIGAP_RESPONSE_WORKING_DAYS_RENDAH = env_int("SIGAP_RESPONSE_WORKING_DAYS_RENDAH", 3, minimum=1)
# Public holidays and cuti bersama that are not working days (ISO dates, comma-separated).
SIGAP_HOLIDAYS = env_dates("SIGAP_HOLIDAYS")
SIGAP_TRACKING_MAX_FAILURES = env_int("SIGAP_TRACKING_MAX_FAILURES", 5, minimum=1)
SIGAP_TRACKING_LOCK_MINUTES = env_int("SIGAP_TRACKING_LOCK_MINUTES", 30, minimum=1)
SIGAP_TRACKING_LOOKUPS_PER_MINUTE = env_int("SIGAP_TRACKING_LOOKUPS_PER_MINUTE", 30, minimum=1)
SIGAP_TRACKING_FAILURES_PER_HOUR = env_int("SIGAP_TRACKING_FAILURES_PER_HOUR", 10, minimum=1)
SIGAP_IDEMPOTENCY_HOURS = env_int("SIGAP_IDEMPOTENCY_HOURS", 24, minimum=1)
# Staff lookups by a typed phone number or NIK (sigap.intake.lookup_limit), per user.
SIGAP_IDENTIFIER_LOOKUPS_PER_HOUR = env_int("SIGAP_IDENTIFIER_LOOKUPS_PER_HOUR", 80, minimum=1)
SIGAP_IDENTIFIER_LOOKUPS_PER_DAY = env_int("SIGAP_IDENTIFIER_LOOKUPS_PER_DAY", 400, minimum=1)
# Public pages /lapor and /lacak (sigap.intake.views.public): requests per client
# address and in all (per process), and report submissions per address and in all
# (shared by all processes through the database).
SIGAP_PUBLIC_PAGES_PER_IP_PER_MINUTE = env_int("SIGAP_PUBLIC_PAGES_PER_IP_PER_MINUTE", 60, minimum=1)
SIGAP_PUBLIC_PAGES_PER_MINUTE = env_int("SIGAP_PUBLIC_PAGES_PER_MINUTE", 1200, minimum=1)
SIGAP_PUBLIC_REPORTS_PER_IP_PER_HOUR = env_int("SIGAP_PUBLIC_REPORTS_PER_IP_PER_HOUR", 10, minimum=1)
SIGAP_PUBLIC_REPORTS_PER_MINUTE = env_int("SIGAP_PUBLIC_REPORTS_PER_MINUTE", 30, minimum=1)

# The vault (docs/SECURITY.md): the roles that may reveal a reporter's identity
# (and a victim's address and contact), and how many years after a case closes
# its personal data is scrubbed (`manage.py retention`).
SIGAP_REVEAL_ROLES = env_list("SIGAP_REVEAL_ROLES", ["manager"])
SIGAP_RETENTION_YEARS = env_int("SIGAP_RETENTION_YEARS", 10, minimum=1, maximum=100)

# Sessions: idle timeout and absolute lifetime (accounts.middleware).
SIGAP_SESSION_IDLE_MINUTES = env_int("SIGAP_SESSION_IDLE_MINUTES", 30, minimum=1)
SIGAP_SESSION_ABSOLUTE_HOURS = env_int("SIGAP_SESSION_ABSOLUTE_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = SIGAP_SESSION_ABSOLUTE_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "sigap_session"
CSRF_COOKIE_NAME = "sigap_csrf"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_NAME = "sigap_lang"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin", not "no-referrer": under no-referrer browsers send `Origin: null`
# on form posts, which Django's CSRF check rightly refuses (no one could sign in).
# Other sites still get no referrer at all.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

OTP_TOTP_ISSUER = SIGAP_OFFICE_NAME
# Recovery codes: wrong ones count towards the account lockout above (as wrong TOTP
# codes do), so django-otp's own per-device delay would only refuse a quick retype.
OTP_STATIC_THROTTLE_FACTOR = 0

# Backups (sigap.ops): where the background worker writes them, how many it
# keeps, how often it makes one and when the admin page warns that the last good
# backup is too old. docs/OPERATIONS.md explains the schedule.
SIGAP_BACKUP_DIR = Path(env_str("SIGAP_BACKUP_DIR", "") or DATA_DIR / "backups").resolve()
SIGAP_BACKUP_KEEP = env_int("SIGAP_BACKUP_KEEP", 14, minimum=1)
SIGAP_BACKUP_INTERVAL_HOURS = env_int("SIGAP_BACKUP_INTERVAL_HOURS", 24, minimum=1)
SIGAP_BACKUP_WARN_HOURS = env_int("SIGAP_BACKUP_WARN_HOURS", 48, minimum=1)

# Messaging channels (sigap.intake.channels, docs in its package): the WhatsApp
# Business Cloud API and an HTTP SMS gateway (often an Android phone). A channel
# with any credential empty is off: its webhook answers 404 and nothing is sent.
SIGAP_WHATSAPP_API_BASE = env_pattern(
    "SIGAP_WHATSAPP_API_BASE", r"https?://[^\s/?#]+(/[^\s?#]*)?", "https://graph.facebook.com", "an http(s) URL"
).rstrip("/")
SIGAP_WHATSAPP_API_VERSION = env_pattern(
    "SIGAP_WHATSAPP_API_VERSION", r"v\d+\.\d+", "v21.0", "a Graph API version like v21.0"
)
SIGAP_WHATSAPP_PHONE_NUMBER_ID = env_pattern("SIGAP_WHATSAPP_PHONE_NUMBER_ID", r"\d*", "", "the numeric phone number id")
SIGAP_WHATSAPP_ACCESS_TOKEN = env_str("SIGAP_WHATSAPP_ACCESS_TOKEN")
SIGAP_WHATSAPP_APP_SECRET = env_str("SIGAP_WHATSAPP_APP_SECRET")
SIGAP_WHATSAPP_VERIFY_TOKEN = env_str("SIGAP_WHATSAPP_VERIFY_TOKEN")
# Message templates approved in WhatsApp Manager, usable outside the 24-hour
# window; the notification template takes the notice text as its one parameter.
SIGAP_WHATSAPP_TEMPLATES = env_list("SIGAP_WHATSAPP_TEMPLATES", [])
SIGAP_WHATSAPP_TEMPLATE_LANGUAGE = env_pattern(
    "SIGAP_WHATSAPP_TEMPLATE_LANGUAGE", r"[a-z]{2,3}(_[A-Z]{2})?", "id", "a language code like id or en_US"
)
SIGAP_WHATSAPP_NOTIFY_TEMPLATE = env_str("SIGAP_WHATSAPP_NOTIFY_TEMPLATE")
SIGAP_WHATSAPP_MEDIA_MAX_MB = env_int("SIGAP_WHATSAPP_MEDIA_MAX_MB", 16, minimum=1, maximum=100)
SIGAP_SMS_GATEWAY_URL = env_pattern(
    "SIGAP_SMS_GATEWAY_URL", r"(https?://[^\s?#]+(\?[^\s#]*)?)?", "", "an http(s) URL"
)
SIGAP_SMS_GATEWAY_SECRET = env_str("SIGAP_SMS_GATEWAY_SECRET")
# When operators answer (Asia/Jakarta): "mon-fri 08:00-16:00", several parts
# separated by ";" ("mon-thu 08:00-16:00; fri 08:00-11:30"). Messages outside
# these hours get an automatic reply with the emergency numbers.
SIGAP_OFFICE_HOURS = env_pattern(
    "SIGAP_OFFICE_HOURS",
    r"\s*(mon|tue|wed|thu|fri|sat|sun)(\s*[-,]\s*(mon|tue|wed|thu|fri|sat|sun))*\s+\d{2}:\d{2}-\d{2}:\d{2}"
    r"(\s*;\s*(mon|tue|wed|thu|fri|sat|sun)(\s*[-,]\s*(mon|tue|wed|thu|fri|sat|sun))*\s+\d{2}:\d{2}-\d{2}:\d{2})*\s*",
    "mon-fri 08:00-16:00",
    'days and hours like "mon-fri 08:00-16:00; sat 08:00-12:00"',
)

# Cases (sigap.cases): shelter stay length, due times of the tasks made from
# triage and stages, and the largest attachment accepted.
SIGAP_SHELTER_DAYS = env_int("SIGAP_SHELTER_DAYS", 7, minimum=1)
SIGAP_POLICE_REFERRAL_HOURS = env_int("SIGAP_POLICE_REFERRAL_HOURS", 72, minimum=1)
SIGAP_OUTREACH_HOURS = env_int("SIGAP_OUTREACH_HOURS", 24, minimum=1)
SIGAP_ASSESSMENT_DAYS = env_int("SIGAP_ASSESSMENT_DAYS", 3, minimum=1)
SIGAP_ATTACHMENT_MAX_MB = env_int("SIGAP_ATTACHMENT_MAX_MB", 10, minimum=1, maximum=100)

# Alerts (sigap.alerts, docs/ALERTS.md): minutes between the escalation steps of a
# report past its deadline (duty, backup, manager), then the manager's repeats and
# how many; hours ahead a roster gap is warned; minutes a waiting chat may wait.
SIGAP_ALERT_ESCALATION_MINUTES = env_int("SIGAP_ALERT_ESCALATION_MINUTES", 15, minimum=5)
SIGAP_ALERT_REPEAT_MINUTES = env_int("SIGAP_ALERT_REPEAT_MINUTES", 60, minimum=15)
SIGAP_ALERT_MAX_REPEATS = env_int("SIGAP_ALERT_MAX_REPEATS", 3, minimum=0, maximum=24)
SIGAP_ROSTER_WARN_HOURS = env_int("SIGAP_ROSTER_WARN_HOURS", 24, minimum=1)
SIGAP_CHAT_RESPONSE_MINUTES = env_int("SIGAP_CHAT_RESPONSE_MINUTES", 30, minimum=1)
# Official letters (sigap.letters): the kop surat, the Kepala UPTD who signs, and
# the nomor surat pattern ({number}, {code}, {month_roman}, {month}, {year}, {region}).
SIGAP_LETTERHEAD_LINES = env_list(
    "SIGAP_LETTERHEAD_LINES", ["Pemerintah Kabupaten Mesuji", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak"]
)
SIGAP_OFFICE_ADDRESS = env_str("SIGAP_OFFICE_ADDRESS", "Jl. Contoh No. 1, Wiralaga Mulya, Kabupaten Mesuji")
SIGAP_OFFICE_EMAIL = env_str("SIGAP_OFFICE_EMAIL", "")
SIGAP_OFFICE_CITY = env_str("SIGAP_OFFICE_CITY", "Mesuji")
SIGAP_LETTER_LOGO = env_str("SIGAP_LETTER_LOGO", "")
SIGAP_HEAD_NAME = env_str("SIGAP_HEAD_NAME", "")
SIGAP_HEAD_NIP = env_str("SIGAP_HEAD_NIP", "")
SIGAP_HEAD_TITLE = env_str("SIGAP_HEAD_TITLE", "")
SIGAP_LETTER_NUMBER_PATTERN = env_str("SIGAP_LETTER_NUMBER_PATTERN", "400.8/{number:03d}/{code}/UPTD-PPA/{month_roman}/{year}")
try:
    SIGAP_LETTER_NUMBER_PATTERN.format(number=1, code="X", month_roman="I", month=1, year=2026, region="1811")
except (KeyError, IndexError, ValueError) as _error:
    raise ImproperlyConfigured(f"SIGAP_LETTER_NUMBER_PATTERN is not a valid pattern: {_error}") from None
# Accompaniment (sigap.accompaniment): the post-rape care window, the police's
# temporary protection window (UU TPKS Pasal 42) and the hour reminders go out.
SIGAP_POST_RAPE_HOURS = env_int("SIGAP_POST_RAPE_HOURS", 72, minimum=1)
SIGAP_PROTECTION_HOURS = env_int("SIGAP_PROTECTION_HOURS", 24, minimum=1)
SIGAP_REMINDER_HOUR = env_int("SIGAP_REMINDER_HOUR", 7, minimum=0, maximum=23)

LANGUAGE_CODE = "id"
# Each language named in itself, so the menu reads "English" to whoever needs it
# (Django's Indonesian catalogue would show "Inggris").
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# One date style per context, named in templates (sigap/formats/__init__.py).
FORMAT_MODULE_PATH = ["sigap.formats"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "sigap.core.logging.RequestIdFilter"},
        "quiet_forbidden": {"()": "sigap.core.logging.QuietForbiddenFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO") or "INFO"},
    "loggers": {
        # Django logs the path of failing requests; our URLs carry no personal data.
        "django.security.DisallowedHost": {"level": "ERROR"},
        # A 403 is one line, not a traceback (sigap.core.logging.QuietForbiddenFilter).
        "django.request": {"filters": ["quiet_forbidden"]},
        # At DEBUG Django logs every failed template lookup with the whole context,
        # decrypted fields included; never at any LOG_LEVEL.
        "django.template": {"level": "INFO"},
        # httpx logs every request URL at INFO; gateway URLs may carry credentials.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
