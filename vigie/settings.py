"""Vigie's one settings module: every knob is a ``VIGIE_*`` environment variable.

Defaults are the safe choice (no debug, secure cookies, HTTPS redirect); the demo
relaxes only what plain ``http://127.0.0.1:8000`` needs. Each knob is documented in
``docs/configuration.md`` and a test fails when one is not.
"""

from __future__ import annotations

from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from vigie.lib.env import env_bool, env_int, env_list, env_str
from vigie.lib.logs import init_sentry, logging_config
from vigie.lib.private_files import make_private
from vigie.lib.secret_files import read_or_create_secret

BASE_DIR = Path(__file__).resolve().parent.parent

VAR_DIR = Path(
    env_str(
        "VIGIE_VAR_DIR",
        str(BASE_DIR / "var"),
        "Directory for the SQLite database, generated keys and other local state.",
    )
)
# Before anything is created there: files 0600, directories 0700 (vigie/lib/private_files.py).
make_private(VAR_DIR)

DEBUG = env_bool("VIGIE_DEBUG", False, "Django debug mode. Never on in production.")

SECRET_KEY = env_str(
    "VIGIE_SECRET_KEY",
    "",
    "Django secret key. When empty, one is generated once into var/secret_key.",
) or read_or_create_secret(VAR_DIR / "secret_key")

# Django checks signatures (unsubscribe and preference links, double opt-in links,
# sessions, password-reset links) against the key and then each fallback, and signs
# with the key only: after a rotation, the 25-month links already sent keep working
# as long as the old key stays listed here.
SECRET_KEY_FALLBACKS = env_list(
    "VIGIE_SECRET_KEY_FALLBACKS",
    [],
    "Former secret keys, comma-separated, still accepted to check signed links after a "
    "rotation (keep one 25 months for unsubscribe links); never used to sign.",
)

AUDIT_KEY = env_str(
    "VIGIE_AUDIT_KEY",
    "",
    "Key of the audit-log HMAC chain. When empty, generated once into var/audit_key. "
    "Keep it outside the database: whoever holds it can rewrite the chain.",
) or read_or_create_secret(VAR_DIR / "audit_key")

MASTER_KEYS = env_list(
    "VIGIE_MASTER_KEY",
    [],
    "Master key(s) wrapping the per-person data keys: base64 of 32 bytes, comma-separated, "
    "current first. When empty, kept in var/master_keys (created at first use).",
)

INDEX_KEY = env_str(
    "VIGIE_INDEX_KEY",
    "",
    "Key of the blind indexes (e-mail look-ups). When empty, generated once into "
    "var/index_key. Changing it makes existing look-ups miss.",
) or read_or_create_secret(VAR_DIR / "index_key")

ALLOWED_HOSTS = env_list(
    "VIGIE_ALLOWED_HOSTS",
    ["127.0.0.1", "localhost"],
    "Comma-separated host names this server answers for.",
)

HTTPS = env_bool(
    "VIGIE_HTTPS",
    True,
    "Served over HTTPS: secure cookies, HSTS and http→https redirect. "
    "Only the local demo turns it off.",
)

SITE_URL = env_str(
    "VIGIE_SITE_URL",
    "http://127.0.0.1:8000",
    "Public base URL, used in links sent by e-mail and in the CLI's messages.",
)

SERVE_BIND = env_str("VIGIE_BIND", "127.0.0.1:8000", "Address and port `vigie serve` listens on.")
SERVE_WORKERS = env_int(
    "VIGIE_WEB_WORKERS", 2, "Web worker processes started by `vigie serve`.", minimum=1
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_filters",
    "django_htmx",
    "vigie.accounts",
    "vigie.audit",
    "vigie.jobs",
    "vigie.register",
    "vigie.policy",
    "vigie.people",
    "vigie.consent",
    "vigie.mail",
    "vigie.sources",
    "vigie.disclosures",
    "vigie.rights",
    "vigie.web",
    "vigie.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "vigie.web.cache_control.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "vigie.web.middleware.LanguageMiddleware",
    "vigie.api.ApiErrorFormatMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

# An audience check carries up to 100,000 addresses (about 4 MB of JSON).
DATA_UPLOAD_MAX_MEMORY_SIZE = (
    env_int("VIGIE_MAX_REQUEST_MB", 16, "Largest request body accepted, in MB.", minimum=1)
    * 1024
    * 1024
)

ROOT_URLCONF = "vigie.urls"
WSGI_APPLICATION = "vigie.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "vigie.web.context_processors.navigation",
                "vigie.web.context_processors.controller",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str(
            "VIGIE_DATABASE_URL",
            f"sqlite:///{VAR_DIR / 'vigie.sqlite3'}",
            "Database URL (sqlite:///path or postgres://user@host:port/name).",
        ),
        conn_max_age=env_int(
            "VIGIE_DB_CONN_MAX_AGE", 60, "Seconds a database connection is kept open.", minimum=0
        ),
    )
}
# The key store: the per-person data keys, apart from the data (see vigie/people/routers.py).
DATABASES["keys"] = dj_database_url.parse(
    env_str(
        "VIGIE_KEYS_DATABASE_URL",
        f"sqlite:///{VAR_DIR / 'keys.sqlite3'}",
        "Database of the per-person data keys, kept apart from VIGIE_DATABASE_URL and out of "
        "its backups: destroying a key there makes that person unreadable in every copy.",
    )
)
DATABASE_ROUTERS = ["vigie.people.routers.KeyStoreRouter"]

for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.sqlite3":
        # Web server and worker write to one file: WAL lets readers go on while one
        # writes, IMMEDIATE takes the write lock at BEGIN so that read-then-write
        # sequences (the audit chain head) cannot interleave, and the timeout makes
        # a second writer wait instead of failing.
        _database["CONN_MAX_AGE"] = 0
        _database["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Argon2id first (R27); the others only to read hashes made elsewhere.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "vigie.accounts.validators.CnilPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:backoffice-home"

# django-axes (R27): lock a (login, client address) pair after 5 failures, for a
# configurable cool-off. Counted per pair, not per login alone: a stranger who knows a
# colleague's login cannot lock them out from elsewhere (tests/accounts/test_login.py).
AXES_FAILURE_LIMIT = env_int(
    "VIGIE_LOGIN_FAILURE_LIMIT",
    5,
    "Failed logins before an account is locked for the address trying.",
    minimum=1,
)
AXES_COOLOFF_TIME = (
    env_int(
        "VIGIE_LOGIN_LOCKOUT_MINUTES",
        15,
        "Minutes an account stays locked after too many failures.",
        minimum=1,
    )
    / 60
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_IPWARE_PROXY_COUNT = env_int(
    "VIGIE_PROXY_COUNT",
    0,
    "Number of reverse proxies in front of Vigie whose X-Forwarded-For is trusted.",
    minimum=0,
)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Rights requests (R48): a requester who does not answer the identity challenge within
# this many days sees the case closed, with a letter saying why.
RIGHTS_IDENTITY_DAYS = env_int(
    "VIGIE_RIGHTS_IDENTITY_DAYS",
    30,
    "Days a rights requester has to confirm their identity (the confirmation link's "
    "life); without an answer the case closes with a letter saying why (R48).",
    minimum=1,
    maximum=365,
)
# Access packages (R50, R51): how long the compiled package stays downloadable from the
# personal space and through the signed link sent to the address on file.
ACCESS_PACKAGE_DAYS = env_int(
    "VIGIE_ACCESS_PACKAGE_DAYS",
    30,
    "Days an access package (Art. 15) stays downloadable, from the personal space and "
    "through the signed link sent to the address on file; after that it is refused (R50).",
    minimum=1,
    maximum=365,
)

# Portability (R58, Art. 20): an export is kept sealed this many days, then refused; a
# one-time link to a receiving controller expires with it.
RIGHTS_PORTABILITY_DAYS = env_int(
    "VIGIE_RIGHTS_PORTABILITY_DAYS",
    30,
    "Days a portability export (JSON and CSV, sealed) can be downloaded, by the person "
    "from their space or once by the receiving controller through its link (R58).",
    minimum=1,
    maximum=365,
)

# Public forms and token URLs (vigie.accounts.ratelimit): counted in the database, so
# that every web worker shares the count. Over the per-address limit the form answers
# as if accepted (no enumeration): docs/consent.md explains the trade-off.
RATE_LIMIT_PER_ADDRESS = env_int(
    "VIGIE_RATE_LIMIT_PER_ADDRESS",
    3,
    "Requests per hour for one e-mail address on each public form that sends an e-mail.",
    minimum=1,
)
RATE_LIMIT_PER_IP = env_int(
    "VIGIE_RATE_LIMIT_PER_IP",
    20,
    "Requests per hour from one client IP on each public form.",
    minimum=1,
)
RATE_LIMIT_TOKEN_PER_IP = env_int(
    "VIGIE_RATE_LIMIT_TOKEN_PER_IP",
    120,
    "Requests per hour from one client IP on each link sent by e-mail (unsubscribe, "
    "preference centre, confirmation): higher than a form's, as a mail gateway may "
    "follow links for many people.",
    minimum=1,
)
RATE_LIMIT_PER_TOKEN = env_int(
    "VIGIE_RATE_LIMIT_PER_TOKEN",
    30,
    "Requests per hour on one link sent by e-mail (one token).",
    minimum=1,
)

OTP_TOTP_ISSUER = "Vigie"

# Database sessions keyed by a hash of the cookie: a copy of the database opens none.
SESSION_ENGINE = "vigie.accounts.sessions"
SESSION_COOKIE_AGE = (
    env_int("VIGIE_SESSION_HOURS", 8, "Hours a back-office session lasts.", minimum=1) * 3600
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if AXES_IPWARE_PROXY_COUNT else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "vigie" / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise warns at start-up when STATIC_ROOT is missing, even though it serves
# from the finders: create the (possibly empty) folder instead of hiding the warning.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# WhiteNoise serves straight from the apps' static folders: no collectstatic step
# is needed for `make demo`, and a production deployment may still run it.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {
    "default": {
        "BACKEND": env_str(
            "VIGIE_TASK_BACKEND",
            "django_tasks_db.DatabaseBackend",
            "Task backend (django-tasks dotted path). The default keeps jobs in the database, "
            "enqueued in the same transaction as the change that causes them.",
        ),
        "QUEUES": ["default"],
    }
}

# E-mail (vigie.mail): SMTP delivery, sender, DKIM, one-click unsubscribe mailbox.
SMTP_HOST = env_str("VIGIE_SMTP_HOST", "127.0.0.1", "SMTP server that delivers Vigie's e-mails.")
SMTP_PORT = env_int("VIGIE_SMTP_PORT", 25, "Port of the SMTP server.", minimum=1, maximum=65535)
SMTP_USER = env_str("VIGIE_SMTP_USER", "", "SMTP user name (empty: no authentication).")
SMTP_PASSWORD = env_str("VIGIE_SMTP_PASSWORD", "", "SMTP password.")
SMTP_TLS = env_str(
    "VIGIE_SMTP_TLS", "none", "TLS with the SMTP server: none, starttls or ssl."
).lower()
if SMTP_TLS not in {"none", "starttls", "ssl"}:
    from vigie.lib.env import ConfigurationError

    raise ConfigurationError(f"VIGIE_SMTP_TLS={SMTP_TLS!r}: expected none, starttls or ssl")
SMTP_TIMEOUT_SECONDS = env_int(
    "VIGIE_SMTP_TIMEOUT_SECONDS", 30, "Seconds before an SMTP attempt gives up.", minimum=1
)
MAIL_MAX_ATTEMPTS = env_int(
    "VIGIE_MAIL_MAX_ATTEMPTS", 8, "Delivery attempts before a message is marked failed.", minimum=1
)
MAIL_RETRY_BASE_SECONDS = env_int(
    "VIGIE_MAIL_RETRY_BASE_SECONDS", 60, "First retry delay; it doubles at each attempt.", minimum=1
)
MAIL_RETRY_MAX_SECONDS = env_int(
    "VIGIE_MAIL_RETRY_MAX_SECONDS", 21600, "Longest delay between two attempts.", minimum=1
)
MAIL_SENDING_TIMEOUT_SECONDS = env_int(
    "VIGIE_MAIL_SENDING_TIMEOUT_SECONDS",
    900,
    "A message still 'sending' after this long is re-queued if no data was transferred, "
    "else marked failed as possibly delivered (never sent twice).",
    minimum=60,
)
MAIL_FROM = env_str(
    "VIGIE_MAIL_FROM",
    "",
    "Envelope sender (SMTP MAIL FROM, bounces) when it must differ from the register's "
    "sender; empty: the register's controller.senders address. The From header is always "
    "the register's.",
)
MAIL_UNSUBSCRIBE_MAILBOX = env_str(
    "VIGIE_MAIL_UNSUBSCRIBE_MAILBOX",
    "",
    "Overrides the register's controller.senders.unsubscribe_mailbox (the mailto: "
    "List-Unsubscribe fallback; RFC 8058 gives the https link first). Empty: the register's.",
)
MAIL_FROM_MARKETING = env_str(
    "VIGIE_MAIL_FROM_MARKETING",
    "",
    'From header of marketing e-mails ("Name <address>" or an address, shown with the '
    "register's company name). Empty: the register's controller.senders.marketing, else "
    "its controller.senders.service. Never the privacy mailbox: replies to marketing do "
    "not go there.",
)
MAIL_FROM_SERVICE = env_str(
    "VIGIE_MAIL_FROM_SERVICE",
    "",
    "From header of service e-mails (confirmations, links, notices). Empty: the "
    "register's controller.senders.service.",
)
for _name, _value in (
    ("VIGIE_MAIL_FROM_MARKETING", MAIL_FROM_MARKETING),
    ("VIGIE_MAIL_FROM_SERVICE", MAIL_FROM_SERVICE),
):
    if _value and "@" not in parseaddr(_value)[1]:
        from vigie.lib.env import ConfigurationError

        raise ConfigurationError(f"{_name}={_value!r}: expected an e-mail address")
DKIM_PRIVATE_KEY_PATH = env_str(
    "VIGIE_DKIM_PRIVATE_KEY_PATH", "", "PEM private key for DKIM signatures (empty: no DKIM)."
)
DKIM_SELECTOR = env_str(
    "VIGIE_DKIM_SELECTOR", "vigie", "DKIM selector (DNS: <selector>._domainkey)."
)
DKIM_DOMAIN = env_str(
    "VIGIE_DKIM_DOMAIN", "", "DKIM signing domain (d=); empty: the domain of the From address."
)

# The privacy mailbox read over IMAP (vigie.mail.inbound, docs/mail.md): empty host, no reading.
IMAP_HOST = env_str(
    "VIGIE_IMAP_HOST",
    "",
    "IMAP server of the privacy mailbox (info.rgpd@…) the worker reads; empty: inbound "
    "mail is not read.",
)
IMAP_SSL = env_str(
    "VIGIE_IMAP_SSL",
    "ssl",
    "TLS with the IMAP server: ssl (implicit TLS, port 993), starttls (port 143) or none "
    "(only for a server on this machine: 127.0.0.1, ::1 or localhost).",
).lower()
if IMAP_SSL not in {"none", "starttls", "ssl"}:
    from vigie.lib.env import ConfigurationError

    raise ConfigurationError(f"VIGIE_IMAP_SSL={IMAP_SSL!r}: expected ssl, starttls or none")
if IMAP_SSL == "none" and IMAP_HOST and IMAP_HOST not in {"127.0.0.1", "::1", "localhost"}:
    from vigie.lib.env import ConfigurationError

    # The password and the messages would cross the network in clear.
    raise ConfigurationError(
        f"VIGIE_IMAP_SSL=none with VIGIE_IMAP_HOST={IMAP_HOST!r}: without TLS only a server "
        "on this machine is allowed (127.0.0.1, ::1 or localhost)"
    )
IMAP_PORT = env_int(
    "VIGIE_IMAP_PORT",
    0,
    "Port of the IMAP server; 0: the usual one for VIGIE_IMAP_SSL (993 for ssl, 143 otherwise).",
    minimum=0,
    maximum=65535,
)
IMAP_USER = env_str("VIGIE_IMAP_USER", "", "IMAP user name of the privacy mailbox.")
IMAP_PASSWORD = env_str(
    "VIGIE_IMAP_PASSWORD", "", "IMAP password (or give VIGIE_IMAP_PASSWORD_FILE instead)."
)
IMAP_PASSWORD_FILE = env_str(
    "VIGIE_IMAP_PASSWORD_FILE",
    "",
    "File holding the IMAP password (first line), read at each connection: keeps the "
    "password out of the environment. Used when VIGIE_IMAP_PASSWORD is empty.",
)
IMAP_FOLDER = env_str("VIGIE_IMAP_FOLDER", "INBOX", "IMAP folder read by the worker.")
IMAP_POLL_SECONDS = env_int(
    "VIGIE_IMAP_POLL_SECONDS",
    60,
    "Seconds between two readings of the privacy mailbox by the worker.",
    minimum=10,
)
IMAP_TIMEOUT_SECONDS = env_int(
    "VIGIE_IMAP_TIMEOUT_SECONDS", 30, "Seconds before an IMAP command gives up.", minimum=1
)
PERSONAL_DOMAINS = env_list(
    "VIGIE_PERSONAL_DOMAINS",
    [],
    "Further personal-mailbox domains (name.* for any top-level domain), added to the list "
    "shipped with Vigie (vigie/lib/data/personal_domains.txt): B2B prospecting without "
    "consent never goes there and partner imports refuse them (R35, R36).",
)
GENERIC_LOCAL_PARTS = env_list(
    "VIGIE_GENERIC_LOCAL_PARTS",
    [],
    "Further generic mailbox names (the part before @), added to the list shipped with Vigie "
    "(vigie/lib/data/generic_local_parts.txt): imports record such addresses as organisation "
    "contacts, not people (R36).",
)

AUDIT_READ_RETENTION_DAYS = env_int(
    "VIGIE_AUDIT_READ_RETENTION_DAYS",
    183,
    "Days personal-data read events are kept before the purge (CNIL: 6 months to 1 year).",
    minimum=183,
    maximum=366,
)

TASK_RESULT_RETENTION_DAYS = env_int(
    "VIGIE_TASK_RESULT_RETENTION_DAYS",
    7,
    "Days the result of a finished background job (arguments, return value, traceback) "
    "is kept before the daily purge.",
    minimum=1,
)

# PII scan of free text (docs/pii.md): the built-in recognizers always run;
# "presidio" adds person names and needs the optional extra [pii].
PII_ENGINE = env_str(
    "VIGIE_PII_ENGINE",
    "builtin",
    "PII engine: builtin, or presidio to add person names (extra [pii]).",
)
if PII_ENGINE not in ("builtin", "presidio"):
    from vigie.lib.env import ConfigurationError

    raise ConfigurationError(f"VIGIE_PII_ENGINE={PII_ENGINE!r}: expected builtin or presidio")
# Retention of external sources (R12, R14, R17).
FISCAL_YEAR_END = env_str(
    "VIGIE_FISCAL_YEAR_END",
    "12-31",
    "Last day (MM-DD) of the fiscal year; accounting documents are kept from its close.",
)
try:
    from vigie.lib.legal_calendar import parse_year_end

    parse_year_end(FISCAL_YEAR_END)
except ValueError as _error:
    from vigie.lib.env import ConfigurationError

    raise ConfigurationError(f"VIGIE_FISCAL_YEAR_END: {_error}") from None
SOURCES_BATCH_SIZE = env_int(
    "VIGIE_SOURCES_BATCH_SIZE",
    1000,
    "Rows an erase or purge of an external source changes per transaction.",
    minimum=1,
    maximum=100_000,
)

# Logs (vigie.lib.logs): stderr and a rotating file, no token, address or query string
# in any line (vigie.lib.redaction); server errors with their traceback.
LOG_FILE = env_str(
    "VIGIE_LOG_FILE",
    str(VAR_DIR / "log" / "vigie.log"),
    "Rotating log file (10 MB × 5, directory 0700, files 0600) beside stderr; empty: "
    "stderr only. Lines are redacted: no link token, e-mail address or query string.",
)
LOGGING = logging_config(
    level=env_str("VIGIE_LOG_LEVEL", "INFO", "Log level of Vigie's own messages."),
    log_file=LOG_FILE,
)
SENTRY_DSN = env_str(
    "VIGIE_SENTRY_DSN",
    "",
    "Sentry DSN to report server errors to (empty: none). Reports carry no request body, "
    "cookie, header, query string, user or local variable, and are redacted like the logs.",
)
init_sentry(
    SENTRY_DSN,
    environment=env_str(
        "VIGIE_SENTRY_ENVIRONMENT", "", "Environment name shown in Sentry (e.g. production)."
    ),
)

SILENCED_SYSTEM_CHECKS: list[str] = []
