"""Start the whole assistant: action server, Rasa server and gateway; stop all three together.

``python -m bot.run`` is what ``make run`` calls. The test suite uses :class:`Stack` to start the
very same processes on other ports.
"""
from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import yaml
from sqlalchemy.engine import make_url

from bot.passerelle import CHANNEL, HEADER, SECRET_ENV
from bot.settings import ROOT, Settings, new_token

PYTHON = sys.executable


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    # If the launcher is killed hard, the kernel stops the children too (Linux only).
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loopback_settings(data_dir: Path) -> Settings:
    """Settings for a private stack (tests, benchmarks): free loopback ports, its own data dir."""
    # Every test and benchmark comes from 127.0.0.1: no per-address limit (tests set their own).
    # The knowledge base is the stack's own, never one the calling process points at (the test
    # process sets SPRO_KNOWLEDGE_DB_URL for its in-process knowledge base: tests/conftest.py).
    return Settings(data_dir=data_dir, knowledge_db_url=f"sqlite:///{data_dir / 'knowledge.db'}",
                    gateway_port=free_port(),
                    rasa_url=f"http://127.0.0.1:{free_port()}",
                    actions_url=f"http://127.0.0.1:{free_port()}", rate_per_address=0)


def rasa_endpoints(settings: Settings) -> dict:
    """Rasa's endpoints.yml, derived from the settings' URLs (one source of truth)."""
    url = make_url(settings.tracker_db_url)
    tracker: dict = {"type": "SQL", "dialect": url.get_backend_name()}
    if url.get_backend_name() == "sqlite":
        tracker["db"] = url.database
    else:
        tracker.update(host=url.host, port=url.port, db=url.database,
                       username=url.username, password=url.password)
    endpoints = {
        # Rasa reads ${...} from its environment: the secret is never written into the file.
        "action_endpoint": {"url": f"{settings.actions_url}/webhook",
                            "headers": {HEADER: "${" + SECRET_ENV + "}"}},
        "tracker_store": {k: v for k, v in tracker.items() if v is not None},
    }
    if settings.redis_url:
        redis = urlsplit(settings.redis_url)
        endpoints["lock_store"] = {
            "type": "redis", "url": redis.hostname, "port": redis.port or 6379,
            "password": redis.password, "db": int((redis.path or "/0").strip("/") or 0),
        }
    return endpoints


@dataclass
class Stack:
    """The three processes of the assistant, started and stopped as one."""

    settings: Settings
    log_dir: Path | None = None  # None: children write to this terminal
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def commands(self, endpoints_file: Path, credentials_file: Path) -> dict[str, list[str]]:
        s = self.settings
        rasa = urlsplit(s.rasa_url)
        actions = urlsplit(s.actions_url)
        return {
            "actions": [PYTHON, "-m", "bot.actions_server", "--port", str(actions.port)],
            # The API token comes from the environment (bot/rasa_server.py), never the command line.
            "rasa": [PYTHON, "-m", "bot.rasa_server", "run", "--model", str(s.model_path),
                     "--endpoints", str(endpoints_file), "--credentials", str(credentials_file),
                     "--enable-api", "-i", rasa.hostname, "-p", str(rasa.port)],
            "gateway": [PYTHON, "-m", "uvicorn", "bot.app:create_app", "--factory",
                        "--host", s.gateway_host, "--port", str(s.gateway_port),
                        "--no-access-log", "--ws", "wsproto"],
        }

    def environment(self) -> dict[str, str]:
        s = self.settings
        env = dict(os.environ)
        env.update({
            "SPRO_DATA_DIR": str(s.data_dir), "SPRO_MODEL_PATH": str(s.model_path),
            "SPRO_GATEWAY_HOST": s.gateway_host, "SPRO_GATEWAY_PORT": str(s.gateway_port),
            "SPRO_RASA_URL": s.rasa_url, "SPRO_ACTIONS_URL": s.actions_url,
            "SPRO_RASA_TOKEN": s.rasa_token, "SPRO_TRACKER_DB_URL": s.tracker_db_url,
            "SPRO_GATEWAY_DB_URL": s.gateway_db_url, "SPRO_KNOWLEDGE_DB_URL": s.knowledge_db_url,
            "SPRO_RATE_PER_CONVERSATION": str(s.rate_per_conversation),
            "SPRO_RATE_PER_ADDRESS": str(s.rate_per_address),
            "SPRO_RATE_LIAISON_PER_ADDRESS": str(s.rate_liaison_per_address),
            "SPRO_ALLOWED_ORIGINS": json.dumps(s.allowed_origins),
            "SPRO_CONSOLE_HOURS": s.console_hours or "",
            "SPRO_RETENTION_DAYS": str(s.retention_days),
            "SPRO_QUEUE_MAX_MINUTES": str(s.queue_max_minutes),
            "SANIC_HOST": urlsplit(s.actions_url).hostname,  # rasa_sdk binds 0.0.0.0 otherwise
            "TF_CPP_MIN_LOG_LEVEL": "3", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONUNBUFFERED": "1",
        })
        if s.redis_url:
            env["SPRO_REDIS_URL"] = s.redis_url
        return env

    def start(self) -> None:
        s = self.settings
        if not s.rasa_token:
            s.rasa_token = new_token()
        if not s.model_path.exists():
            raise SystemExit(f"Modèle Rasa introuvable : {s.model_path}. Lancez « make train ».")
        s.data_dir.mkdir(parents=True, exist_ok=True)
        endpoints_file = s.data_dir / "endpoints.yml"
        endpoints_file.write_text(yaml.safe_dump(rasa_endpoints(s), sort_keys=False))
        credentials_file = s.data_dir / "credentials.yml"  # the gateway's channel, and no other
        credentials_file.write_text(yaml.safe_dump({CHANNEL: None}))
        env = self.environment()
        for name, cmd in self.commands(endpoints_file, credentials_file).items():
            out = None
            if self.log_dir is not None:
                self.log_dir.mkdir(parents=True, exist_ok=True)
                out = open(self.log_dir / f"{name}.log", "ab")
            self.procs[name] = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT if out else None,
                start_new_session=True, preexec_fn=_die_with_parent)

    def urls(self) -> dict[str, str]:
        s = self.settings
        return {
            "actions": f"{s.actions_url}/health",
            "rasa": f"{s.rasa_url}/status?token={s.rasa_token}",
            "gateway": f"{s.gateway_url}/healthz",
        }

    def wait_ready(self, timeout: float = 180.0) -> float:
        """Block until every component answers; returns the seconds waited."""
        start = time.monotonic()
        pending = dict(self.urls())
        with httpx.Client(timeout=2.0) as client:
            while pending:
                for name, proc in self.procs.items():
                    if proc.poll() is not None:
                        raise RuntimeError(f"{name} exited with code {proc.returncode}")
                for name, url in list(pending.items()):
                    try:
                        if client.get(url).status_code == 200:
                            del pending[name]
                    except httpx.HTTPError:
                        pass
                if time.monotonic() - start > timeout:
                    raise TimeoutError(f"not ready after {timeout:.0f} s: {', '.join(pending)}")
                if pending:
                    time.sleep(0.5)
        return time.monotonic() - start

    def stop_process(self, name: str, grace: float = 15.0) -> None:
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop(self) -> None:
        # Gateway first so no request reaches a half-stopped Rasa.
        for name in ("gateway", "rasa", "actions"):
            self.stop_process(name)


def main() -> int:
    settings = Settings()
    stack = Stack(settings)
    stack.start()

    def _terminate(signum, frame):
        raise KeyboardInterrupt

    # Ctrl-C and a service manager's SIGTERM both stop everything. SIGINT is set explicitly: a
    # process started in the background by a non-interactive shell inherits it as ignored.
    signal.signal(signal.SIGINT, _terminate)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        print("Démarrage de l'assistant (serveur d'actions, Rasa, passerelle)…", flush=True)
        waited = stack.wait_ready()
        print(f"\nPrêt en {waited:.0f} s.\n"
              f"  Discussion (page de démonstration) : {settings.gateway_url}/\n"
              f"  Console des téléconseillers : {settings.gateway_url}/console "
              "(comptes : python -m bot.console ajouter IDENTIFIANT)\n"
              f"  API (OpenAPI) : {settings.gateway_url}/docs\n"
              f"  Santé : {settings.gateway_url}/healthz\n"
              f"  Rasa : {settings.rasa_url} · actions : {settings.actions_url} (boucle locale)\n"
              + (f"  Telegram : activé ({settings.telegram_mode})\n" if settings.telegram_token else
                 "  Telegram : désactivé (définissez TELEGRAM_TOKEN pour l'activer)\n")
              + "Ctrl-C pour tout arrêter.", flush=True)
        while all(p.poll() is None for p in stack.procs.values()):
            time.sleep(0.5)
        dead = [n for n, p in stack.procs.items() if p.poll() is not None]
        print(f"Processus arrêté de façon inattendue : {', '.join(dead)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nArrêt…", flush=True)
        return 0
    except (RuntimeError, TimeoutError) as exc:
        print(f"Échec du démarrage : {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
        print("Tous les processus sont arrêtés.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
