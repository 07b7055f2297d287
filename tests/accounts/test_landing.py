"""Where signing in lands (issue 16): a role with a queue on it, the others on the start page; a `next`
other than the start page is followed, safely (W6)."""
import pytest
from factories import PASSWORD, make_user

LANDING = {"lead": "/queue/", "officer": "/queue/", "worker": "/queue/", "counsellor": "/caseload/",
           "volunteer": "/"}


@pytest.mark.parametrize("role", sorted(LANDING))
def test_each_role_lands_on_its_queue_or_the_start_page(client, auth, users, role):
    response = auth.login(role)
    assert response.status_code == 302 and response.headers["Location"] == LANDING[role]
    assert client.get(LANDING[role]).status_code == 200  # a page the role may open


@pytest.mark.parametrize("role", sorted(LANDING))
def test_the_start_page_as_next_is_no_target_the_landing_page_is(auth, users, role):
    """Opening the station's address signs in through /login?next=/: the user still lands on her queue."""
    assert auth.login(role, next_url="/").headers["Location"] == LANDING[role]


@pytest.mark.parametrize("role, target", [("worker", "/persons/?q=zs"), ("counsellor", "/persons/3"),
                                          ("volunteer", "/my/training"), ("lead", "/indicators/?kind=year")])
def test_a_local_next_is_followed_whatever_the_landing(auth, users, role, target):
    assert auth.login(role, next_url=target).headers["Location"] == target


@pytest.mark.parametrize("role", sorted(LANDING))
def test_an_unsafe_next_lands_where_no_next_would(auth, users, role):
    assert auth.login(role, next_url="//evil.example/").headers["Location"] == LANDING[role]


def test_the_login_page_of_a_signed_in_user_sends_her_on_the_same_way(client, auth, users):
    auth.login("counsellor")
    assert client.get("/login").headers["Location"] == "/caseload/"
    assert client.get("/login?next=/persons/").headers["Location"] == "/persons/"


def test_a_second_login_in_the_same_browser_lands_for_the_new_account(client, auth, users):
    auth.login("volunteer")
    assert auth.login("worker").headers["Location"] == "/queue/"
    assert auth.login("volunteer").headers["Location"] == "/"


def test_the_first_password_change_lands_on_the_queue(client, auth):
    make_user("worker", username="fresh", must_change_password=True)
    assert auth.login("fresh").headers["Location"] == "/queue/"
    assert client.get("/queue/").headers["Location"] == "/account/password"
    new = "Another&Strong-pass-2026"
    response = client.post("/account/password", data={"current": PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 302 and response.headers["Location"] == "/queue/"
    assert client.get("/queue/").status_code == 200
