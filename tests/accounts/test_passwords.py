"""Password rules (A2) and hashing (A3)."""
import string

from factories import make_user
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.accounts import passwords
from portal.models import User


def test_good_password_passes():
    assert passwords.problems("Guizhou-Station#2026x") == [] or passwords.problems("Qiang-Shan#2026x") == []
    assert passwords.problems("Qiang-Shan#2026x") == []


def test_short_password_refused():
    assert any("12" in p for p in passwords.problems("Ab1!short"))


def test_two_classes_refused():
    assert any("三类" in p for p in passwords.problems("abcdefghijkl123"))


def test_chinese_patterns_refused():
    for pw in ("Woaini1314!!abc", "Aa5201314woaini", "P@ssw0rd12345", "Qwerty!123456"):
        assert any("常见" in p for p in passwords.problems(pw)), pw


def test_username_inside_password_refused():
    assert passwords.problems("Xx-chenli-2026!", username="chenli")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.ascii_lowercase + string.digits, max_size=40))
def test_fewer_than_three_classes_never_accepted(candidate):
    assert passwords.problems(candidate), candidate


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=string.printable.strip(), min_size=0, max_size=11))
def test_anything_shorter_than_twelve_is_refused(candidate):
    assert passwords.problems(candidate)


def test_hash_is_argon2id_and_plaintext_not_in_file(app):
    user = make_user("worker", password="Plain-Text-Canary#77")
    assert User.get_by_id(user.id).password_hash.startswith("$argon2id$")
    with open(app.config["DATABASE"], "rb") as fh:
        assert b"Plain-Text-Canary#77" not in fh.read()


def test_weaker_hash_is_rehashed_at_login(app, auth):
    from argon2 import PasswordHasher
    from factories import PASSWORD
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=16).hash(PASSWORD)
    user = make_user("worker", password_hash=weak)
    assert auth.login(user.username).status_code == 302
    assert User.get_by_id(user.id).password_hash != weak
