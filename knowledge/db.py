"""The knowledge database's plumbing: its one declarative base, how a URL becomes an engine and a
session factory, and the clock every stored row is dated by.

The knowledge database holds the structures directory (``knowledge.models``) and the fiches de
liaison and answers (``knowledge.liaison``): one database, one ``Base``. Each store creates only
its own tables. The helpers are pure SQLAlchemy, so the gateway's database (``bot.db``) uses the
same ones; ``knowledge`` itself imports nothing of ``bot``.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import declarative_base, sessionmaker

Base = declarative_base()
# The one name of the knowledge database's URL, for every process: the gateway's settings
# (bot.settings, prefix SPRO_) read the same variable, and the launcher hands it to its children.
URL_ENV = "SPRO_KNOWLEDGE_DB_URL"


def utc_now() -> dt.datetime:
    """Now in UTC, naive: what every DateTime column of both databases stores."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def default_url() -> str:
    """SPRO_KNOWLEDGE_DB_URL, else knowledge.db under SPRO_DATA_DIR (default ./var), as the
    gateway's settings resolve it."""
    url = os.environ.get(URL_ENV)
    if url:
        return url
    data_dir = Path(os.environ.get("SPRO_DATA_DIR") or "var")
    return f"sqlite:///{(data_dir / 'knowledge.db').as_posix()}"


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default: default_url()); creates the SQLite file's folder."""
    url = url or default_url()
    parsed = make_url(url)
    connect_args = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # Action servers and the gateway read from several threads.
        connect_args["check_same_thread"] = False
    return create_engine(url, future=True, connect_args=connect_args)


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)
