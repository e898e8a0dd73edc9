"""Session fixtures: the real assistant (action server + Rasa + gateway) on free loopback ports."""
from __future__ import annotations

import httpx
import pytest

from bot.run import Stack, free_port, loopback_settings


@pytest.fixture(name="free_port")
def free_port_fixture():
    return free_port


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    """Started once per test session, stopped at its end (logs under the session's tmp dir)."""
    data = tmp_path_factory.mktemp("stack")
    settings = loopback_settings(data)
    if not settings.model_path.exists():
        pytest.fail("No trained model: run `make train` (make test does it).")
    running = Stack(settings, log_dir=data / "logs")
    running.start()
    try:
        running.wait_ready(timeout=240)
    except Exception:
        running.stop()
        logs = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in (data / "logs").glob("*.log"))
        pytest.fail(f"the stack did not start:\n{logs}")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def gateway(stack: Stack) -> httpx.Client:
    with httpx.Client(base_url=stack.settings.gateway_url, timeout=30) as client:
        yield client


@pytest.fixture
def conversation(gateway: httpx.Client) -> str:
    r = gateway.post("/api/conversations")
    assert r.status_code == 201
    return r.json()["id"]
