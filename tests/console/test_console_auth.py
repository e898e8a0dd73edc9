"""Signing in to the console: nothing without a session, lock-out, CSRF, accounts from the CLI.

The gateway runs in-process on a throw-away database; no call reaches Rasa here."""
from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.console.accounts import MAX_FAILURES, hash_password, verify_password
from bot.console.app import SIGN_INS_PER_MINUTE_PER_ADDRESS, SIGN_INS_PER_MINUTE_PER_LOGIN
from bot.settings import ROOT, Settings

PASSWORD = "un mot de passe assez long"


@pytest.fixture
def settings(tmp_path, free_port) -> Settings:
    return Settings(data_dir=tmp_path, rasa_url=f"http://127.0.0.1:{free_port()}",
                    actions_url=f"http://127.0.0.1:{free_port()}", rasa_token="x")


def add_agent(settings: Settings, login: str = "camille", password: str = PASSWORD) -> subprocess.CompletedProcess:
    """Through the real command line, as an administrator would."""
    env = {**os.environ, "SPRO_DATA_DIR": str(settings.data_dir)}
    return subprocess.run([sys.executable, "-m", "bot.console", "ajouter", login, "--mot-de-passe-stdin"],
                          input=password + "\n", text=True, capture_output=True, env=env, cwd=ROOT)


@pytest.fixture
def client(settings) -> TestClient:
    assert add_agent(settings).returncode == 0
    with TestClient(create_app(settings), base_url="https://testserver") as c:
        yield c


def sign_in(client: TestClient, login: str = "camille", password: str = PASSWORD):
    page = client.get("/console/connexion")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)[1]
    return client.post("/console/connexion", data={"csrf": csrf, "identifiant": login, "mot_de_passe": password},
                       follow_redirects=False)


def csrf_of(client: TestClient) -> str:
    return re.search(r'name="csrf" content="([^"]+)"', client.get("/console").text)[1]


def console_routes(app) -> list[tuple[str, str]]:
    public = {"/console/connexion"}
    return [(method, route.path.replace("{call}", "x").replace("{code}", "ABCDEF").replace("{name}", "console.js"))
            for route in app.routes if route.path.startswith("/console") and route.path not in public
            for method in route.methods if method != "HEAD"]


def test_every_console_route_refuses_anonymous_access(settings):
    app = create_app(settings)
    with TestClient(app) as anonymous:
        routes = console_routes(app)
        assert len(routes) >= 15
        for method, path in routes:
            r = anonymous.request(method, path, follow_redirects=False)
            assert r.status_code in (303, 401), (method, path, r.status_code)
            if r.status_code == 303:
                assert r.headers["location"] == "/console/connexion"
            assert "Raisons à lire" not in r.text and "csrf" not in r.text  # in console.js


def test_sign_in_sets_a_hardened_session_cookie_and_sign_out_ends_it(client):
    r = sign_in(client)
    assert r.status_code == 303 and r.headers["location"] == "/console"
    cookie = r.headers["set-cookie"]
    for flag in ("HttpOnly", "Secure", "SameSite=strict"):
        assert flag.lower() in cookie.lower()
    page = client.get("/console")
    assert page.status_code == 200 and "camille" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    out = client.post("/console/deconnexion", headers={"x-csrf-token": csrf_of(client)}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_wrong_password_then_lock_out(client):
    for _ in range(MAX_FAILURES - 1):
        r = sign_in(client, password="pas le bon mot de passe")
        assert r.status_code == 401 and "incorrect" in r.text
    assert sign_in(client, password="pas le bon mot de passe").status_code == 429
    locked = sign_in(client)  # even the right password, now
    assert locked.status_code == 429 and "verrouillé" in locked.text
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_unknown_login_gets_the_same_answer_as_a_wrong_password(client):
    unknown, wrong = sign_in(client, login="inconnu"), sign_in(client, password="faux mot de passe!")
    assert unknown.status_code == wrong.status_code == 401
    assert ("Identifiant ou mot de passe incorrect." in unknown.text
            and "Identifiant ou mot de passe incorrect." in wrong.text)


def test_a_sign_in_flood_is_refused_before_any_password_is_hashed(client):
    """Unknown logins cost a scrypt each (the same time as a wrong password): attempts are counted
    per login and per address first, and refused beyond the limit."""
    for limiter in client.app.state.sign_in_limits:
        limiter.clock = lambda: 0.0  # the minute does not pass during the test, however slow it runs
    per_login = [sign_in(client, login="inconnu", password="x" * 12).status_code
                 for _ in range(SIGN_INS_PER_MINUTE_PER_LOGIN + 2)]
    assert per_login == [401] * SIGN_INS_PER_MINUTE_PER_LOGIN + [429, 429]
    left = SIGN_INS_PER_MINUTE_PER_ADDRESS - len(per_login)  # every attempt counts for the address
    others = [sign_in(client, login=f"autre{i}", password="x" * 12) for i in range(left + 1)]
    assert [r.status_code for r in others[:-1]] == [401] * (len(others) - 1)
    assert others[-1].status_code == 429 and "Patientez une minute" in others[-1].text
    assert sign_in(client).status_code == 429  # even the right password, from this address, for now


def test_csrf_is_required_on_every_change(client):
    sign_in(client)
    assert client.post("/console/api/appels").status_code == 403
    assert client.post("/console/api/appels", headers={"x-csrf-token": "faux"}).status_code == 403
    assert client.post("/console/api/appels", headers={"x-csrf-token": csrf_of(client)}).status_code == 201
    # and the sign-in form itself: a post without the page's token is refused
    r = client.post("/console/connexion", data={"csrf": "x", "identifiant": "camille", "mot_de_passe": PASSWORD},
                    follow_redirects=False)
    assert r.status_code == 403


def test_passwords_are_stored_as_scrypt_hashes(settings):
    assert add_agent(settings).returncode == 0
    with sqlite3.connect(settings.data_dir / "gateway.db") as db:
        stored = db.execute("SELECT password_hash FROM conseillers WHERE login = 'camille'").fetchone()[0]
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    assert verify_password(PASSWORD, stored) and not verify_password(PASSWORD + "x", stored)
    assert hash_password(PASSWORD, n=2 ** 10) != hash_password(PASSWORD, n=2 ** 10)  # salted


def test_the_cli_refuses_short_passwords_and_bad_logins(settings):
    short = add_agent(settings, password="court")
    assert short.returncode == 2 and "au moins" in short.stderr
    bad = add_agent(settings, login="Camille Dupont")
    assert bad.returncode == 2 and "Identifiant" in bad.stderr


def test_the_pages_are_templates_that_escape_what_they_show(client):
    from bot.console.pages import render

    page = render("console.html", csrf='x" onload="alert(1)', login="<script>alert(1)</script>")
    assert "<script>alert(1)" not in page and 'x" onload' not in page
    assert "&lt;script&gt;" in page and "x&#34; onload" in page
    with pytest.raises(Exception, match="login"):  # a value left out is an error, not a blank
        render("console.html", csrf="x")
    sign_in(client)
    assert client.get("/console/static/console.html").status_code == 404  # pages are not files
