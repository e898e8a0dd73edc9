"""The one settings object, read from the environment (prefix ``SPRO_``).

Defaults run everything on a laptop: SQLite files under ``SPRO_DATA_DIR`` and every service on
the loopback interface. A PostgreSQL URL for the tracker/gateway and a Redis URL for the lock
store switch to a multi-machine deployment; nothing else changes.
"""
from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Optional

from pydantic import BaseSettings, Field, validator

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    data_dir: Path = ROOT / "var"
    model_path: Path = ROOT / "models" / "spro.tar.gz"

    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"
    actions_url: str = "http://127.0.0.1:5055"
    # Token of Rasa's HTTP API (tracker reads). The launcher generates one per run when unset.
    rasa_token: str = ""

    tracker_db_url: Optional[str] = None
    gateway_db_url: Optional[str] = None
    knowledge_db_url: Optional[str] = None
    redis_url: Optional[str] = None

    rasa_timeout_s: float = 15.0
    max_message_chars: int = 2000
    max_body_bytes: int = 16_384
    # Messages per minute (0: no limit): per conversation, on every channel; per client address,
    # on the web API and WebSocket. A whole class behind one school address must still fit.
    rate_per_conversation: int = 20
    rate_per_address: int = 300
    # Fiche de liaison look-ups per minute and client address (0: no limit): a person or a
    # structure reads a few; guessing codes needs millions.
    rate_liaison_per_address: int = 30
    # Sites allowed to embed the widget from another origin (CORS), e.g. https://www.etoile.regioncentre.fr
    allowed_origins: list[str] = []

    # Conversations idle for longer are forgotten everywhere (0: kept). Our default, for the SPRO to
    # confirm: a month lets a person come back to a conversation, then nothing of it remains.
    retention_days: int = 30
    # A request for a téléconseiller nobody took after this long leaves the console's queue.
    queue_max_minutes: int = 120

    # When téléconseillers answer in the widget, Paris time, e.g. "1-5 09:00-12:30; 1-5 13:30-17:00"
    # (1 = Monday). Unset: the widget gives the phone number and nobody is queued.
    console_hours: Optional[str] = None

    # Telegram (issue 6): off without a token. base_url lets tests use a local fake Bot API server.
    telegram_token: Optional[str] = Field(None, env="TELEGRAM_TOKEN")
    telegram_base_url: Optional[str] = Field(None, env="TELEGRAM_BASE_URL")
    # "polling" (default) or "webhook"; the webhook checks Telegram's secret-token header.
    telegram_mode: str = Field("polling", env="TELEGRAM_MODE")
    telegram_webhook_url: Optional[str] = Field(None, env="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: Optional[str] = Field(None, env="TELEGRAM_WEBHOOK_SECRET")

    class Config:
        env_prefix = "SPRO_"

    @validator("tracker_db_url", always=True)
    def _tracker_default(cls, v, values):
        return v or f"sqlite:///{values['data_dir'] / 'tracker.db'}"

    @validator("gateway_db_url", always=True)
    def _gateway_default(cls, v, values):
        return v or f"sqlite:///{values['data_dir'] / 'gateway.db'}"

    @validator("knowledge_db_url", always=True)
    def _knowledge_default(cls, v, values):
        # SPRO_KNOWLEDGE_DB_URL: the same variable, and the same default, as knowledge.db's.
        return v or f"sqlite:///{values['data_dir'] / 'knowledge.db'}"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.gateway_host}:{self.gateway_port}"


def new_token() -> str:
    return secrets.token_urlsafe(24)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
