# Station settings. Copy to instance/config.py (scripts/write_config.py does it with a random key).
SECRET_KEY = "CHANGE-ME-TO-A-RANDOM-STRING"  # refused at start-up until replaced
STATION_NAME = "南明区专地融合工作站"
# DATABASE = "/var/lib/portal/portal.sqlite3"   # default: instance/portal.sqlite3
# HOST = "127.0.0.1"
# PORT = 8000
# SESSION_IDLE_MINUTES = 15
# SESSION_ABSOLUTE_HOURS = 10
# PASSWORD_MAX_AGE_DAYS = 90
# SESSION_COOKIE_SECURE = True   # when served over TLS
# BACKUP_DIR = "/var/backups/portal"   # default: backups/ beside the database (best on another disk)
# BACKUP_KEEP = 14                      # nightly backups kept
# RATELIMIT_LOGIN_PER_ADDRESS = "10 per minute"     # sign-ins from one computer
# RATELIMIT_LOGIN_PER_ACCOUNT = "10 per 5 minutes"  # sign-ins for one user name, from anywhere
# RATELIMIT_PDF = "30 per minute"                   # PDFs per user
# RATELIMIT_BATCH_PRINT = "5 per 10 minutes"        # batch prints per user
# RATELIMIT_EXPORT = "10 per 10 minutes"            # Excel exports per user
# RATELIMIT_ENABLED = False                         # turns every rate limit off
