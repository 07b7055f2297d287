"""Password rules (等保 level 3) and argon2id hashing."""
import re
import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

MIN_LENGTH = 12
# zxcvbn (Dropbox's estimator: keyboard walks, sequences, repeats, dates, dictionaries of common
# passwords, words and names, with l33t variants) must estimate at least 10^10 guesses (score 4).
MIN_SCORE = 4
# What zxcvbn found, said in Chinese (its own feedback is English).
PATTERN_HINTS = {
    "spatial": "键盘上相邻的按键（如 qwerty、1qaz2wsx）",
    "sequence": "连续的字母或数字（如 abcdef、1234）",
    "repeat": "重复的字符或片段（如 aaa、Aa1!Aa1!）",
    "dictionary": "常用密码、常见单词或人名",
    "date": "日期",
    "regex": "年份",
}
# Common passwords and Chinese patterns, compared case-insensitively after
# stripping digits and symbols from both ends; see also _looks_common().
BLOCKLIST = {
    "password", "passw0rd", "qwerty", "qwertyuiop", "asdfghjkl", "admin", "administrator",
    "welcome", "letmein", "iloveyou", "woaini", "woaini1314", "5201314", "1314520",
    "abc123", "abcdef", "aa123456", "zxcvbnm", "123456789", "1qaz2wsx", "qazwsx",
    "p@ssw0rd", "p@ssword", "changeme", "station", "jindu", "jinduban", "gongan", "police",
    "demo@2026station", "wodemima", "mima", "zhongguo", "china", "beijing", "guizhou",
}
CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")


def problems(password, username=""):
    """Chinese messages for each rule the password breaks; empty when acceptable."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append("密码至少需要 %d 个字符。" % MIN_LENGTH)
    if sum(1 for c in CLASSES if re.search(c, password)) < 3:
        found.append("密码须包含大写字母、小写字母、数字、符号中的至少三类。")
    if _looks_common(password) or (username and username.lower() in password.lower()):
        found.append("密码过于常见或包含用户名，请换一个不易猜到的密码。")
    elif len(password) >= MIN_LENGTH:
        found += _guessable(password, username)
    return found


def _guessable(password, username):
    """A Chinese message when zxcvbn finds the password easy to guess despite its length and classes."""
    result = zxcvbn(password[:100], user_inputs=[username] if username else [])
    if result["score"] >= MIN_SCORE:
        return []
    seen = []
    for match in result["sequence"]:
        hint = PATTERN_HINTS.get(match["pattern"])
        if hint and hint not in seen:
            seen.append(hint)
    return ["密码容易被猜到%s。请换一个更长、没有规律的密码，例如几个不相关的词加上数字和符号。"
            % ("：含有" + "、".join(seen) if seen else "")]


def _looks_common(password):
    lowered = password.lower()
    if lowered in BLOCKLIST:
        return True
    core = re.sub(r"^[^a-z]+|[^a-z]+$", "", lowered)
    if core and core in BLOCKLIST:
        return True
    return any(word in lowered for word in ("woaini", "5201314", "1314520", "password", "qwerty"))


def _hasher():
    params = current_app.config.get("ARGON2_PARAMS") or {}
    return PasswordHasher(**params)


def hash_password(password):
    return _hasher().hash(password)


def verify(stored_hash, password):
    """True when the password matches; never raises on a malformed hash."""
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash):
    return _hasher().check_needs_rehash(stored_hash)


def is_expired(user, now):
    days = current_app.config["PASSWORD_MAX_AGE_DAYS"]
    return bool(days) and (now - user.password_changed_at).days >= days


_dummy_hashes = {}


def dummy_verify(password):
    """One verification against a cached hash, so an unknown user costs what a known one does."""
    params = repr(current_app.config.get("ARGON2_PARAMS"))
    if params not in _dummy_hashes:
        _dummy_hashes[params] = _hasher().hash(secrets.token_urlsafe(16))
    verify(_dummy_hashes[params], password)
    return False


def one_time_password():
    """A random password meeting the rules, shown once to the lead."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = ("".join(secrets.choice(alphabet) for _ in range(10)) + "-" + secrets.choice("#@%+")
                     + secrets.choice(string.digits))
        if not problems(candidate):
            return candidate
