"""Session fixtures: the real assistant (action server + Rasa + gateway) on free loopback ports."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from knowledge.db import URL_ENV

# This process's knowledge base (get_kb(), the actions' LiaisonStore()): a throw-away database,
# set before anything opens it. Only this process: a private stack (the `stack` fixture) keeps its
# own under its data dir, pinned by loopback_settings, and its children get that one.
os.environ[URL_ENV] = f"sqlite:///{Path(tempfile.mkdtemp(prefix='spro-tests-')) / 'knowledge.db'}"

from bot.run import ROOT, Stack, free_port, loopback_settings  # noqa: E402


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


class SpareGateway:
    """A second gateway process beside the session's stack (same Rasa, actions and databases
    unless `env` says otherwise): a test can stop it and start it again on the same port."""

    def __init__(self, stack: Stack, env: dict[str, str]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**stack.environment(), **env, "SPRO_GATEWAY_PORT": str(self.port)}
        data = stack.settings.data_dir
        self.command = [*stack.commands(data / "endpoints.yml", data / "credentials.yml")["gateway"]]
        self.command[self.command.index("--port") + 1] = str(self.port)
        self.log = stack.settings.data_dir / f"gateway-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> "SpareGateway":
        self.proc = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self.log.open("ab"),
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"spare gateway exited:\n{self.log.read_text()[-3000:]}")
            try:
                httpx.get(f"{self.url}/healthz", timeout=2.0)  # any answer: it is listening
                return self
            except httpx.HTTPError:
                time.sleep(0.2)
        pytest.fail("spare gateway did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def spare_gateway(stack: Stack):
    """Factory: spare_gateway(SPRO_RASA_URL=...) starts one; all are stopped after the test."""
    started: list[SpareGateway] = []

    def start(**env: str) -> SpareGateway:
        started.append(SpareGateway(stack, env).start())
        return started[-1]

    yield start
    for gateway in started:
        gateway.stop()


# Headless Debian Chromium driven by Playwright (never `playwright install`: nothing is downloaded).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


# Module scope: Playwright's sync API runs an event loop in this thread while it is open, which
# asyncio.run() in other test modules would trip over.
@pytest.fixture(scope="module")
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `apt-get install chromium` (make test installs it).")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Page:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
