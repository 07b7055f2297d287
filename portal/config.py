"""Default settings; a station overrides them in instance/config.py."""
import os


class Defaults:
    SECRET_KEY = None  # must come from instance/config.py (C1)
    DATABASE = None  # defaults to instance/portal.sqlite3
    DATABASE_URL = None  # "postgresql://user:password@host:port/name" runs on PostgreSQL (the province)
    INSTANCE = "station"  # or "province": the provincial roll-up (no person data)
    STATION_NAME = "专地融合工作站"
    SESSION_IDLE_MINUTES = 15
    SESSION_ABSOLUTE_HOURS = 10
    PASSWORD_MAX_AGE_DAYS = 90
    LOCKOUT_THRESHOLD = 5
    LOCKOUT_MINUTES = 30
    PAGE_SIZE = 20
    HOST = "127.0.0.1"
    PORT = 8000
    THREADS = 8
    KEEP_CONNECTIONS = True  # one SQLite connection per server thread, kept between requests
    ARGON2_PARAMS = None  # argon2-cffi defaults (argon2id)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set True when served over TLS
    SESSION_COOKIE_NAME = "portal_session"
    WTF_I18N_ENABLED = False  # forms use WTForms' bundled Chinese messages
    WTF_CSRF_SSL_STRICT = False  # no-referrer means browsers send no Referer to check
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the server session
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    TEMPLATES_AUTO_RELOAD = False
    BACKUP_DIR = "backups"  # relative: beside the database
    BACKUP_KEEP = 14  # newest backups kept by rotation
    IMPORT_BATCH_SECONDS = 0.2  # the longest one transaction of an Excel import holds the write lock
    TRUSTED_PROXIES = ()  # addresses whose X-Forwarded-For is believed (the install sets the local proxy's)
    CA_CERT = None  # the station's root certificate, offered at /certificate (set by the install)
    HEALTH_MIN_FREE_BYTES = 64 * 1024 * 1024  # /healthz answers 503 below this free space beside the database
    # Rate limits (Flask-Limiter syntax, e.g. "10 per minute"; portal/web/limits.py)
    RATELIMIT_ENABLED = True
    RATELIMIT_LOGIN_PER_ADDRESS = "10 per minute"  # sign-in attempts from one computer (W7)
    RATELIMIT_LOGIN_PER_ACCOUNT = "10 per 5 minutes"  # sign-in attempts for one user name, from anywhere
    RATELIMIT_PDF = "30 per minute"  # PDFs a user opens (summaries, documents, sheets, reports)
    RATELIMIT_BATCH_PRINT = "5 per 10 minutes"  # batch prints a user starts
    RATELIMIT_EXPORT = "10 per 10 minutes"  # Excel exports a user downloads
    RATELIMIT_HEADERS_ENABLED = False  # no X-RateLimit-* headers
    AUDIT_KEY_FILE = None  # the audit chain's HMAC key: defaults to instance/audit.key (back it up apart)
    AUDIT_ANCHOR_FILE = None  # the audit trail's anchored heads: defaults to audit-anchors.log beside the database


PROVINCE_NAME = "专地融合省级汇总平台"  # a province's STATION_NAME unless its config names it
PROVINCE_UPLOAD_BYTES = 64 * 1024 * 1024  # a month of packages from every station (~150 KB each) at once


def province_defaults(app):
    """A province's name and upload limit, unless its config sets them."""
    if app.config["STATION_NAME"] == Defaults.STATION_NAME:
        app.config["STATION_NAME"] = PROVINCE_NAME
    if app.config["MAX_CONTENT_LENGTH"] == Defaults.MAX_CONTENT_LENGTH:
        app.config["MAX_CONTENT_LENGTH"] = PROVINCE_UPLOAD_BYTES


# Secrets that must never run a real station.
KNOWN_BAD_SECRETS = {None, "", "dev", "change-me", "secret", "CHANGE-ME-TO-A-RANDOM-STRING"}


def check_secret(app):
    """C1: outside tests, refuse to start without a real random secret."""
    key = app.config.get("SECRET_KEY")
    if app.config.get("TESTING"):
        return
    if key in KNOWN_BAD_SECRETS or len(str(key)) < 32:
        raise RuntimeError(
            "SECRET_KEY 未配置或为默认值，拒绝启动。请运行 scripts/write_config.py "
            "在 %s 生成随机密钥。" % os.path.join(app.instance_path, "config.py"))
