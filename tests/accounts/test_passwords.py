"""Password rules (A2) and hashing (A3)."""
import string

from factories import PASSWORD, make_user
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


def test_guessable_passwords_of_twelve_and_three_classes_are_refused_in_chinese():
    """Keyboard walks, sequences, repeats and dictionary words pass length and classes: zxcvbn refuses them."""
    cases = {"Abcdefgh1234": "连续的字母或数字", "1Qaz2wsx3edc": "常用密码", "Zxcvbnm,./12A": "键盘上相邻的按键",
             "Aa1!Aa1!Aa1!": "重复的字符", "Station@2026ok": "常见单词"}
    for candidate, hint in cases.items():
        assert passwords.problems(candidate[:4]) and len(candidate) >= 12
        found = passwords.problems(candidate)
        assert len(found) == 1 and found[0].startswith("密码容易被猜到") and hint in found[0], (candidate, found)
        assert not any(ord(c) < 128 and c.isalpha() for c in found[0].split("（")[0]), found  # no English


def test_random_and_unrelated_word_passwords_pass_the_strength_check():
    for good in ("Qiang-Shan#2026x", "Str0ng&Secret-pass", "Gq7-Rm2#Lx4v"):
        assert passwords.problems(good) == [], good
    for _ in range(50):
        assert passwords.problems(passwords.one_time_password()) == []


def test_the_change_form_refuses_a_keyboard_walk(client, login_as):
    login_as("worker")
    page = client.post("/account/password", data={"current": PASSWORD, "new": "1Qaz2wsx3edc",
                                                   "confirm": "1Qaz2wsx3edc"}).get_data(as_text=True)
    assert "密码容易被猜到" in page


def test_wrong_current_passwords_count_toward_the_lockout(app, client, auth, users, clock):
    from portal.models import AuditLog
    auth.login("worker")
    other = app.test_client()  # a second session of the same account ends too
    assert other.post("/login", data={"username": "worker", "password": PASSWORD}).status_code == 302
    new = "Another-Strong#Pass9"
    for n in range(4):
        page = client.post("/account/password", data={"current": "guess-%d-Wrong!" % n, "new": new, "confirm": new})
        assert page.status_code == 200 and "当前密码不正确" in page.get_data(as_text=True)
    assert User.get_by_id(users["worker"].id).failed_logins == 4
    response = client.post("/account/password", data={"current": "guess-5-Wrong!", "new": new, "confirm": new})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/").status_code == 302 and other.get("/").status_code == 302
    assert auth.login("worker").status_code != 302  # locked: even the right password is refused
    rows = AuditLog.select().where(AuditLog.action == "password_change_failed").order_by(AuditLog.id)
    assert [r.outcome for r in rows] == ["failed"] * 5 and '"locked": true' in rows[-1].detail
    clock.advance(minutes=31)
    assert auth.login("worker").status_code == 302


def test_four_wrong_current_passwords_then_the_right_one_does_not_lock(app, client, auth, users):
    auth.login("worker")
    new = "Another-Strong#Pass9"
    for n in range(4):
        client.post("/account/password", data={"current": "guess-%d-Wrong!" % n, "new": new, "confirm": new})
    assert client.post("/account/password", data={"current": PASSWORD, "new": new, "confirm": new}).status_code == 302
    assert User.get_by_id(users["worker"].id).failed_logins == 0
