"""The gateway with no assistant running: its OpenAPI contract, its limits, its answer when Rasa
is down, and the channel class Rasa's credentials name. Not marked `stack`: `make check` runs them."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.gateway.limits import RateLimiter, TooManyMessages
from bot.passerelle import CHANNEL
from bot.settings import Settings
from knowledge.directory import load_reseaux


def test_the_openapi_contract_says_what_the_api_does(tmp_path):
    spec = create_app(Settings(data_dir=tmp_path, rasa_token="x")).openapi()
    assert spec["components"]["schemas"]["State"]["properties"]["requested_slot"]["nullable"] is True
    post = spec["paths"]["/api/conversations/{conversation_id}/messages"]["post"]["responses"]
    assert {"404", "413", "422", "429"} <= set(post)
    assert post["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert spec["components"]["schemas"]["Error"]["properties"]["detail"]["type"] == "string"
    assert "/telegram/webhook" not in spec["paths"]  # Telegram is off here: the route answers 404


def test_fiche_look_ups_are_limited_per_address(tmp_path, free_port):
    """Guessing codes needs millions of look-ups: beyond a few a minute, a 429."""
    settings = Settings(data_dir=tmp_path, rasa_url=f"http://127.0.0.1:{free_port()}",
                        actions_url=f"http://127.0.0.1:{free_port()}", rasa_token="x",
                        rate_liaison_per_address=3)
    with TestClient(create_app(settings)) as client:
        statuses = [client.get(f"/api/liaison/ZZZZZ{c}").status_code for c in "23456"]
    assert statuses == [404, 404, 404, 429, 429]


def test_rasa_down_gives_the_polite_fallback_not_a_500(tmp_path, free_port):
    """The same gateway code, pointed at a Rasa and action server that are not running."""
    settings = Settings(data_dir=tmp_path, rasa_url=f"http://127.0.0.1:{free_port()}",
                        actions_url=f"http://127.0.0.1:{free_port()}", rasa_token="x")
    with TestClient(create_app(settings)) as client:
        conversation = client.post("/api/conversations").json()["id"]
        r = client.post(f"/api/conversations/{conversation}/messages", json={"text": "Bonjour"})
        assert r.status_code == 200
        assert load_reseaux()["etoile-info"].reseau.telephone in r.json()["messages"][0]["text"]
        assert client.get("/healthz").status_code == 503
        assert client.get(f"/api/conversations/{conversation}").status_code == 503


def test_the_limiter_refills_over_time():
    now = [0.0]
    limiter = RateLimiter(per_minute=2, clock=lambda: now[0])
    limiter.take("a"), limiter.take("a")
    with pytest.raises(TooManyMessages) as refused:
        limiter.take("a")
    assert refused.value.retry_after == 30
    limiter.take("b")  # keys are independent
    now[0] = 30.0
    limiter.take("a")
    with pytest.raises(TooManyMessages):
        limiter.take("a")


def test_the_credentials_name_the_channel_class():
    from bot.rasa_channel import PasserelleInput

    assert CHANNEL == f"{PasserelleInput.__module__}.{PasserelleInput.__qualname__}"
