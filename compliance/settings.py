"""Settings for the 287(g) compliance manager: one file, read from the environment.

Every value has a default that works on a laptop with no services: SQLite under
``var/``, Celery tasks run in-process, mail written to files under ``var/mail/``
(``DEBUG`` on; printed to the console with ``DEBUG`` off). Production
sets ``DATABASE_URL``, ``REDIS_URL``, ``EMAIL_URL``, ``SECRET_KEY`` and
``ALLOWED_HOSTS`` (see README's configuration table). With ``DEBUG`` off and no
``SECRET_KEY`` the process refuses to start.
"""

import datetime
import os
import ssl
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


class Env(environ.Env):
    """django-environ's reader plus ``devmail://``: each e-mail to a file under ``var/mail/``, one line on the console
    (``compliance.mail_files``; the default with ``DEBUG`` on)."""

    EMAIL_SCHEMES = {**environ.Env.EMAIL_SCHEMES, "devmail": "compliance.mail_files.EmailBackend"}


env = Env()
environ.Env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)
TESTING = "pytest" in sys.modules or env.bool("TESTING", default=False)

DEVELOPMENT_SECRET_KEY = "insecure-local-development-key-never-use-in-production"  # noqa: S105 (DEBUG/tests only)
_secret = env.str("SECRET_KEY", default="")
if not _secret:
    if not (DEBUG or TESTING):
        # One line on stderr, saying what to set, and exit status 1: no traceback.
        sys.exit("SECRET_KEY is not set: set SECRET_KEY in the environment (or DEBUG=1 for local development).")
    _secret = DEVELOPMENT_SECRET_KEY
elif not (DEBUG or TESTING) and (
    len(_secret) < 50
    or len(set(_secret)) < 5
    or _secret == DEVELOPMENT_SECRET_KEY
    or _secret.startswith("django-insecure")
):
    # SECURITY.md F1 (Django's security.W009): a key anyone could guess signs sessions and reset links.
    sys.exit(
        "SECRET_KEY is too weak: use at least 50 random characters, e.g. "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
SECRET_KEY = _secret


def _secret_env(name: str) -> str:
    """``name`` from the environment, or the contents of the file named by ``name_FILE`` (Docker/Kubernetes secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text().strip()
    return env.str(name, default="")


# Field encryption of the most sensitive personal data (compliance.core.crypto; SECURITY.md E4, E5): AES-256-GCM keys
# as "id:base64key" entries, the first encrypting, every one decrypting (rotation: README "Encryption keys"), and the
# blind-index HMAC key. Never in the database or the code. With DEBUG or under tests and none set, random keys are
# made once in var/dev-field-keys (never committed).
FIELD_ENCRYPTION_KEYS = _secret_env("FIELD_ENCRYPTION_KEYS")
BLIND_INDEX_KEY = _secret_env("BLIND_INDEX_KEY")
FIELD_KEYS_DEV_FILE = str(VAR_DIR / "dev-field-keys") if (DEBUG or TESTING) else None
if not (FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY) and not FIELD_KEYS_DEV_FILE:
    sys.exit(
        "FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY are not set: set them (or FIELD_ENCRYPTION_KEYS_FILE and "
        "BLIND_INDEX_KEY_FILE); make new ones with: python manage.py field_keys_new."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # Django's form and widget templates, for FORM_RENDERER below
    "guardian",
    "simple_history",
    # Append-only audit tables on PostgreSQL (SECURITY.md D5; compliance.core.append_only).
    "pgtrigger",
    # Accounts (SECURITY.md A, B): sign-in, password reset, MFA, one's own sessions; lockout (A4).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "csp",
    "widget_tweaks",
    # The OpenAPI schema of the REST API for jail management systems (compliance.api; issue #15). Django REST
    # framework itself is not an installed app: the API answers JSON only (no browsable API, no DRF templates), and
    # as an app its Spanish catalogue would override Django's own words on the public pages ("Este campo es
    # requerido." for "obligatorio": tests/community/test_public_translations.py).
    "drf_spectacular",
    "compliance.apps.ComplianceConfig",
    "training.apps.TrainingConfig",
    "incidents.apps.IncidentsConfig",
    "community.apps.CommunityConfig",
]

MIDDLEWARE = [
    # HTTPS only, HSTS, nosniff, Referrer-Policy, Cross-Origin-Opener-Policy (SECURITY.md E3, F2).
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy with a fresh nonce per response (SECURITY.md F2; CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # "Which agencies may this user …" read once per request and user (compliance.core.access).
    "compliance.core.access.AccessMemoMiddleware",
    # Django's, except that a page's own polling does not extend the idle session (compliance.core.sessions).
    "compliance.core.sessions.SessionMiddleware",
    # The page's language (Django's LocaleMiddleware on the public complaint pages: the switcher's cookie, else the
    # browser's, else English; English on staff pages). After the session, before CommonMiddleware, as Django asks.
    "community.complaint_intake.language.PublicPagesLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A signed-out htmx request loads the sign-in page whole (HX-Redirect), not inside a fragment; above the
    # middleware that end a session (12 hours, second factor) so their redirects are answered the same way.
    "compliance.core.sessions.HtmxSignInRedirectMiddleware",
    # Signed out 12 hours after signing in, however active (SECURITY.md B2).
    "compliance.accounts.session_lifetime.AbsoluteSessionLifetimeMiddleware",
    # Records each signed-in session (address, browser, last seen) for "Your sessions" (SECURITY.md B6).
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    # No page but the sign-in and enrolment pages until the second factor is passed (SECURITY.md A1).
    "compliance.accounts.middleware.SecondFactorRequiredMiddleware",
    # Every 403, and every 404 for a record's URL, is a row of the access log (SECURITY.md C1, D1).
    "compliance.accounts.denials.DeniedRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Cache-Control: no-store on every response to a signed-in user (SECURITY.md F3).
    "compliance.accounts.no_store.NoStoreForSignedInMiddleware",
    # Records request.user as the author of history rows written during a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # A change whose history could not be written was rolled back: 503 and a page saying so (SECURITY.md D8).
    "compliance.core.audit_failure.AuditFailureMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "compliance.urls"

# The REST API (compliance.api): integrations' bearer tokens only, never a session; JSON only.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["compliance.api.authentication.IntegrationTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    # Every error as an RFC 9457 problem naming its fields (compliance.api.problems).
    "EXCEPTION_HANDLER": "compliance.api.problems.problem_exception_handler",
}
# Requests per integration (DRF's rate string; compliance.api.views.IntegrationRateThrottle): a JMS books a few
# hundred people a day, so 300 a minute is ample for retries and bursts. Our figure.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="300/min")
# The largest request body the API reads (bytes): a detainer is under 4 KB. Our figure (SECURITY.md F9).
API_MAX_BODY_BYTES = 64 * 1024
# Detainers a look-up by booking number answers with at most.
API_LOOKUP_MAX = 20
# How long an Idempotency-Key is remembered (hours; compliance.api.idempotency).
IDEMPOTENCY_KEY_HOURS = 24
SPECTACULAR_SETTINGS = {
    "TITLE": "287(g) compliance manager API",
    "DESCRIPTION": "Detainers and bookings, releases and transfers, officer authorization, and the event feed, "
    "for an agency's jail management system. Every call is scoped to the integration's agency.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies are closed: an unknown field is a 400 (compliance.api.views.validated).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "compliance.api.schema.closed_request_bodies",
    ],
}
WSGI_APPLICATION = "compliance.wsgi.application"

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
                "compliance.context_processors.agency_header",
                "training.context_processors.notifications_badge",
            ],
        },
    },
]

# Widgets render through the project's template engine, so templates/django/forms/ can replace one of Django's
# widget templates (select.html: the options written inline, not two includes each; the same HTML).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

VAR_DIR.mkdir(exist_ok=True)
# DATABASE_POOLER=pgbouncer: DATABASE_URL points at PgBouncer in transaction mode (see below). Anything else: direct.
DATABASE_POOLER = env.str("DATABASE_POOLER", default="").strip().lower()
if DATABASE_POOLER not in ("", "none", "pgbouncer"):
    sys.exit(f"DATABASE_POOLER must be pgbouncer or empty, not {DATABASE_POOLER!r}.")
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'compliance.sqlite3'}"),
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Wait for a concurrent writer instead of failing at once (two worker processes).
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    if TESTING:
        # A test database file (one per process), not Django's in-memory one: tests that
        # race two real threads (case T2, two reminder workers at once) need SQLite's file
        # locking, which waits for the other writer; the in-memory shared cache answers
        # "database table is locked" at once instead.
        _test_db = Path(tempfile.gettempdir()) / f"compliance-test-{os.getpid()}.sqlite3"
        DATABASES["default"]["TEST"] = {"NAME": str(_test_db)}
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT compilation: the roster's status query has many small correlated
    # subqueries, which PostgreSQL's cost model sends to JIT; compiling them took
    # 36 s where running them takes 0.5 s (docs/performance.md). Web queries are short.
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    if DATABASE_POOLER == "pgbouncer":
        # Behind PgBouncer in transaction mode (README "Operations"): it refuses startup parameters such as
        # ``options``, so jit=off is set on the server instead (``ALTER DATABASE … SET jit = off`` or the server's
        # ``-c jit=off``, as docker-compose.yml does). A server connection serves another client after each
        # transaction: no server-side cursors (they outlive it), and Django keeps no connection of its own
        # (PgBouncer pools them). Django's psycopg cursors bind parameters client-side (no prepared statements)
        # unless OPTIONS server_side_binding is set: leave it unset.
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
        _pg_options.pop("options", None)
    else:
        _pg_options["options"] = (_pg_options.get("options", "") + " -c jit=off").strip()

# TLS to PostgreSQL (SECURITY.md E1; compliance.transport checks it): DATABASE_SSLMODE (verify-full in production) and
# DATABASE_SSLROOTCERT (the CA file that signed the server's certificate, or "system" for the system's CAs: libpq 16+)
# apply to every PostgreSQL connection the app opens, Django's and the beat lock's (compliance.core.beat_lock). A
# ``?sslmode=`` in DATABASE_URL works too (django-environ passes it into OPTIONS); the variables win over it.
DATABASE_TLS_OPTIONS = {
    key: value
    for key, value in (
        ("sslmode", env.str("DATABASE_SSLMODE", default="").strip()),
        ("sslrootcert", env.str("DATABASE_SSLROOTCERT", default="").strip()),
    )
    if value
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {}).update(DATABASE_TLS_OPTIONS)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "compliance.User"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: refuses a locked-out username before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # No common password with digits or symbols added ("Password123!"), no "287g", "ICE", username or agency name
    # (SECURITY.md A5).
    {"NAME": "compliance.accounts.passwords.DecoratedCommonPasswordValidator"},
    {"NAME": "compliance.accounts.passwords.ContextWordsValidator"},
]
# Passwords are stored with Django's PBKDF2-SHA256 (1,000,000 iterations in Django 5.2; SECURITY.md A5).
# Tests use a fast hasher (below); the production list stays readable here for the test that checks it.
PRODUCTION_PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
PASSWORD_HASHERS = PRODUCTION_PASSWORD_HASHERS
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth (compliance.accounts holds our adapter and pages). People are invited by their agency's
# administrator; nobody signs themselves up. Sign-in is by username and password, then the second factor.
ACCOUNT_ADAPTER = "compliance.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # the session stays; the others are signed out (SECURITY.md B6)
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False  # after a reset, sign in again with both factors (A6)
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_LOGIN_BY_CODE_ENABLED = False  # no e-mailed sign-in codes (A3)
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300  # granting roles, MFA devices, bulk exports: within 5 minutes (B5)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "287(g) compliance: "
ACCOUNT_SESSION_REMEMBER = False  # sessions end at the idle limit, never "remember me"
ACCOUNT_PREVENT_ENUMERATION = True
# A locked account is refused at both steps, even with the right answer (compliance.accounts.lockout, A4).
ACCOUNT_FORMS = {"login": "compliance.accounts.lockout.LoginForm"}
# The second factor (A1-A3, B8): an authenticator app (TOTP, 30-second codes, each usable once), a security key or
# passkey (WebAuthn), and recovery codes. No e-mail or SMS codes; "trust this browser" off.
MFA_ADAPTER = "compliance.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_PERIOD = 30
MFA_TOTP_ISSUER = "287(g) compliance"
MFA_TRUST_ENABLED = False
# A wrong code at the sign-in's code step (or re-authentication) counts toward the lockout like a wrong password.
MFA_FORMS = {
    "authenticate": "compliance.accounts.code_forms.SignInCodeForm",
    "reauthenticate": "compliance.accounts.code_forms.ReauthenticationCodeForm",
}
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or TESTING  # http://127.0.0.1 in make run and the browser tests
# make run only: every demo login's second factor accepts this code too (README). allauth refuses to start with it
# set when DEBUG is off (ImproperlyConfigured), so it can never reach production.
MFA_TOTP_INSECURE_BYPASS_CODE = env.str("DEMO_MFA_CODE", default="") or None if DEBUG else None
# Not "last seen" on every request: it would write on each page (and on the custody board's polling).
USERSESSIONS_TRACK_ACTIVITY = False

# django-axes (SECURITY.md A4): 5 failed sign-ins for one username within 15 minutes (a rolling window: each
# failure expires 15 minutes after it) lock the account; compliance.accounts.lockout then keeps it locked until an
# administrator unlocks it. Failures are counted per username, not per address, so one address failing across
# many usernames is throttled by allauth's rate limit (429, below) without locking those accounts (A4a).
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_USE_ATTEMPT_EXPIRATION = True
# The username axes counts a failure against: allauth authenticates with credentials={"username": ...} while its
# form posts "login"; the callable reads either (with "login" alone no failure was ever counted). The code step
# reports its failures as {"username": ...} too (compliance.accounts.code_forms).
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "compliance.accounts.lockout.axes_username"
AXES_LOCKOUT_TEMPLATE = "account/locked.html"  # answered 429 at the failure that locks (then LoginForm refuses)
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False  # lockouts are in the access log (compliance.accounts.sign_in_events), not the console
# One reverse proxy (nginx in docker-compose) in production: the client is the last address it adds.
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if env.int("PROXY_COUNT", default=0) else ["REMOTE_ADDR"]
)
# Per-user limits on searches and exports (SECURITY.md F11, our figures): (requests, window in seconds).
# Beyond them: HTTP 429 and an access-log row (compliance.core.throttle). Counted in CACHES["default"].
# Public complaint pages (no account; community.complaint_intake): per client address, (requests, window in seconds).
# Beyond them: HTTP 429 in the visitor's language. Counted in CACHES["default"]. Our figures.
RATE_LIMITS_PER_ADDRESS = {
    "complaint": (5, 3600),  # 5 complaints filed an hour from one address (a refused form does not count)
    "complaint_attempt": (30, 3600),  # 30 posts of the form an hour, refused ones included
    "status": (20, 3600),  # 20 tracking-number look-ups an hour
    # 300 transparency pages or CSVs in 15 minutes: generous (cached figures, no personal data; a newsroom or library
    # shares one address), and a visitor who hits it waits at most 15 minutes.
    "transparency": (300, 900),
}
# How many proxies in front of the app add themselves to X-Forwarded-For (0: the client is REMOTE_ADDR).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
RATE_LIMITS_PER_USER = {
    "search": (60, 60),  # 60 searches a minute
    "export": (10, 3600),  # 10 exports an hour
}
ACCOUNT_RATE_LIMITS = {
    # A4a: one address posting the sign-in form 30 times in 15 minutes, whatever the usernames, is answered 429
    # (allauth's "login" action; trade-off in docs/decisions/lockout.md). "login_failed" only shows a form error.
    "login": "30/15m/ip",
    "login_failed": "30/15m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
}

# Sessions end after 30 minutes idle (SECURITY.md B1). Requests a page makes by itself (the custody
# board's polling, compliance.core.sessions.passive_request) are not activity: they never save the session.
SESSION_COOKIE_AGE = 1800
SESSION_SAVE_EVERY_REQUEST = True
# ... but an unchanged session at most once a minute (seconds): the idle limit then ends a session 29–30 minutes
# after the last request, never later (compliance.core.sessions; the store remembers the expiry it read).
SESSION_SAVE_INTERVAL = 60
SESSION_ENGINE = "compliance.core.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and not TESTING and env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# SECURITY.md B7: over https the cookies are __Host- (Secure, Path=/, no Domain: only this exact host may set or
# read them); a __Host- cookie needs https, so DEBUG over http keeps the plain names.
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Signed out 12 hours after signing in, however active (SECURITY.md B2; compliance.accounts.session_lifetime).
SESSION_ABSOLUTE_LIFETIME = datetime.timedelta(hours=12)

# HTTPS (SECURITY.md E3, F1): with DEBUG off every http request is sent to https, and browsers are told to use
# https only for a year, subdomains included. Behind a TLS-terminating proxy (PROXY_COUNT=1) the proxy's
# X-Forwarded-Proto says whether the browser used https; the proxy must set it (overwriting the client's).
_production = not (DEBUG or TESTING)
SECURE_SSL_REDIRECT = _production and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31_536_000 if _production else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.int("PROXY_COUNT", default=0) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (SECURITY.md F2; django-csp): only this site's own files; a script or <style> element
# written into a page runs only with the response's nonce ({{ request.csp_nonce }}); no inline style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
PASSWORD_RESET_TIMEOUT = 3600
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-us"
# The languages of the public pages (complaint intake and status): English plus every language whose compiled
# catalog is present under locale/<code>/LC_MESSAGES/django.mo, or exactly the codes in the LANGUAGES environment
# variable (e.g. "en,es"). Adding a language: its .po, compilemessages, done (docs/translations.md).
LOCALE_PATHS = [BASE_DIR / "locale"]
from django.conf.locale import LANG_INFO  # noqa: E402 (a plain dict of language names)


def _languages(codes: list[str]) -> list[tuple[str, str]]:
    return [(code, LANG_INFO.get(code, {}).get("name_local", code)) for code in codes]


_catalogs = sorted(path.parent.parent.name for path in (BASE_DIR / "locale").glob("*/LC_MESSAGES/django.mo"))
LANGUAGES = _languages(env.list("LANGUAGES", default=["en", *[code for code in _catalogs if code != "en"]]))
#: The pages shown in the visitor's language (community.complaint_intake.language); the staff pages stay English.
PUBLIC_LANGUAGE_PATHS = ["/complaints/", "/transparency/"]
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_SECURE = not DEBUG and not TESTING and env.bool("SECURE_COOKIES", default=True)
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# The server's zone; each agency's dates and deadlines are shown in its own zone.
TIME_ZONE = env.str("TIME_ZONE", default="America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# In development and tests WhiteNoise serves straight from the finders (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
STATICFILES_DIRS = [BASE_DIR / "static"]
USWDS_DIST = BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist"
HTMX_DIST = BASE_DIR / "node_modules" / "htmx.org" / "dist"
# Third-party assets come from npm (make install); served as static/uswds/ and static/htmx/.
for _prefix, _dist in (("uswds", USWDS_DIST), ("htmx", HTMX_DIST)):
    if _dist.exists():
        STATICFILES_DIRS.append((_prefix, _dist))

# Uploaded and generated files (PDF reports, evidence) live outside the web root
# and are served only by views that check the agency permission.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
# Largest certificate file (PDF/PNG/JPEG) attached to a certification, in bytes (training.evidence.services).
CERTIFICATE_MAX_BYTES = env.int("CERTIFICATE_MAX_BYTES", default=5 * 1024 * 1024)
# Attachments to a case (incidents.case_files, SECURITY.md F8): each at most this many bytes, at most
# CASE_FILE_MAX_COUNT with one public complaint. PDF, PNG or JPEG only, checked by content.
CASE_FILE_MAX_BYTES = env.int("CASE_FILE_MAX_BYTES", default=10 * 1024 * 1024)
CASE_FILE_MAX_COUNT = 3
# ClamAV's clamd, asked over its INSTREAM protocol before an attachment can be read: "host:port" or a unix socket
# path. Unset: attachments are stored "not scanned" (a laptop); a flagged file is quarantined, never served.
CLAMD_ADDRESS = env.str("CLAMD_ADDRESS", default="")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# Mail: EMAIL_URL=smtp+tls://user:pass@host:587 in production. Unset: with DEBUG on (make run), each message is
# written to its own file under var/mail/ with one short line on the console (devmail://, compliance.mail_files), so
# whole messages never bury what a command prints last; with DEBUG off, printed to the console as before.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="devmail://" if DEBUG else "consolemail://")
vars().update(EMAIL_CONFIG)
# devmail:// (and filemail://) without a folder: var/mail/.
EMAIL_FILE_PATH = EMAIL_CONFIG["EMAIL_FILE_PATH"] or str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="287g-compliance@localhost")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Hours before a detainer's hold deadline that supervisors are warned, e.g. "6,2" (one warning per lead time;
# incidents.detainers.sweep; our figures). A single number still works. A bad value stops the process with the reason.
from incidents.detainers.lead_times import parse_lead_hours  # noqa: E402 (pure Python, no Django import)

try:
    HOLD_DEADLINE_ALERT_HOURS = parse_lead_hours(env.str("HOLD_DEADLINE_ALERT_HOURS", default="6,2"))
except ValueError as _lead_error:
    sys.exit(f"HOLD_DEADLINE_ALERT_HOURS is not valid: {_lead_error}")
# Consular notification (incidents.consular.services, DOMAIN.md R5.5 [U]: State Dept guidance as restated, not seen
# in the
# primary text): supervisors are warned this many hours after booking/arrest, and a finding opens at the second.
CONSULAR_NOTIFICATION_WARN_HOURS = env.int("CONSULAR_NOTIFICATION_WARN_HOURS", default=24)
CONSULAR_NOTIFICATION_FINDING_HOURS = env.int("CONSULAR_NOTIFICATION_FINDING_HOURS", default=72)

# Webhooks of integrations (compliance.integrations.webhooks; docs/decisions/feed.md): https only unless this allows
# http (default: DEBUG); never to a private, loopback, link-local or reserved address unless allowed (SSRF: the
# server sits inside the agency's network; allow only for a JMS on the same private network, on purpose).
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=DEBUG)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)

# Celery. Without REDIS_URL tasks run eagerly in-process (the embedded default).
REDIS_URL = env.str("REDIS_URL", default="")
# Parallel test processes (pytest-xdist, ``make test``) each get their own Redis database (process gwN: database
# N+1), so one process's broker queue, cache or flushdb never reaches another's. The variable is rewritten too, so
# a Celery worker a test starts (it inherits the environment) and a test reading REDIS_URL use the same database.
if TESTING and REDIS_URL and (_xdist := os.environ.get("PYTEST_XDIST_WORKER", "")).startswith("gw"):
    REDIS_URL = urlunsplit(urlsplit(REDIS_URL)._replace(path=f"/{int(_xdist[2:]) + 1}"))
    os.environ["REDIS_URL"] = REDIS_URL
CELERY_BROKER_URL = REDIS_URL or "memory://"
# TLS to Redis (SECURITY.md E1; compliance.transport checks it): a rediss:// REDIS_URL, the server's certificate
# checked against REDIS_SSL_CA_FILE (the CA file; unset: the system's CAs) and its host name, for the broker and the
# cache alike (both read REDIS_URL). Checks cannot be switched off here; a ``?ssl_cert_reqs=none`` in the URL is
# flagged by ``check --deploy``.
REDIS_TLS = REDIS_URL.startswith("rediss://")
REDIS_TLS_OPTIONS = (
    {
        "ssl_cert_reqs": "required",
        **({"ssl_ca_certs": ca} if (ca := env.str("REDIS_SSL_CA_FILE", default="").strip()) else {}),
    }
    if REDIS_TLS
    else {}
)
if REDIS_TLS:
    CELERY_BROKER_USE_SSL = {**REDIS_TLS_OPTIONS, "ssl_cert_reqs": ssl.CERT_REQUIRED}
CELERY_RESULT_BACKEND = None
# Tests run tasks eagerly too; the worker test (tests/compliance/test_worker.py)
# switches this off and drives a real worker on REDIS_URL. A worker started by a test or a benchmark (TESTING
# set) passes CELERY_WORKER_IN_TEST=1 or CELERY_TASK_ALWAYS_EAGER=0: it hands the tasks it queues itself (a report's
# parts) to the broker, so they render in parallel instead of inline in one process.
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER",
    default=not REDIS_URL or (TESTING and not env.bool("CELERY_WORKER_IN_TEST", default=False)),
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
# A request must never hang on a broker that is down or silent (issue #13 item 6, SECURITY.md F-3): handing a
# task over tries to connect once more at most, each connect waits at most 2 s and each reply 3 s; the row is
# already committed, so a failed hand-over leaves it queued for the report sweep (compliance.reports.sweep).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 2,
    "socket_timeout": 3,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# The report sweep (compliance.reports.sweep, every minute): a queued report handed to the broker this many minutes
# ago and never started is handed over again (Redis restarted empty loses the message); a report "rendering" with no
# progress for this many minutes is restarted or failed. Keep the second above the part task's time limit (11 min).
REPORT_REDISPATCH_MINUTES = env.int("REPORT_REDISPATCH_MINUTES", default=10)
REPORT_RENDER_LIMIT_MINUTES = env.int("REPORT_RENDER_LIMIT_MINUTES", default=15)

# The cache holds what every web process must agree on: used TOTP codes (a code works once, SECURITY.md A2) and
# allauth's rate limits (A4a). Redis when REDIS_URL is set (production, CI); one process's memory otherwise
# (make run is one process). A test driving a real worker that must share the cache with it (the dashboard's rebuild,
# tests/compliance/test_dashboard_refresh.py) starts the worker with CACHE_REDIS_IN_TEST=1.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # rediss://: redis-py's SSL connection checks the certificate and host name (REDIS_TLS_OPTIONS above).
        "OPTIONS": REDIS_TLS_OPTIONS,
    }
    if REDIS_URL and (not TESTING or env.bool("CACHE_REDIS_IN_TEST", default=False))
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Guardian: no anonymous user row; object permissions only.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Username of the account that scheduled jobs are attributed to in history.
SYSTEM_USERNAME = "system"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors_without_traceback": {"()": "compliance.log_filters.ClientErrorsWithoutTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["client_errors_without_traceback"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        "axes": {"level": "WARNING"},  # each attempt is in the access log; the console gets only problems
        # Django's own console handler (DEBUG) would print every request warning a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # A worker process a test starts (tests/compliance/test_mail_kill_worker.py) writes its mail to files in
    # TEST_MAIL_DIR, which the test counts; in-process tests read django.core.mail.outbox.
    if env.str("TEST_MAIL_DIR", default=""):
        EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
        EMAIL_FILE_PATH = env.str("TEST_MAIL_DIR")
SILENCED_SYSTEM_CHECKS = [
    "models.W047",  # SQLite ignores nulls_distinct; PostgreSQL enforces it
    # axes counts failures per username only, on purpose (SECURITY.md A4a): an address failing across many
    # usernames is throttled by allauth's rate limit (429) instead, so an attacker cannot lock everyone out.
    "axes.W006",
]
