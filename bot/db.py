"""The gateway's database: its one declarative base (conversations, Telegram chats, the relay,
the console's accounts, sessions and call motifs), and a liveness check.

The engine helper and the clock are the knowledge database's (``knowledge.db``): one way to turn
a URL into an engine, one naive-UTC clock, for both databases.
"""
from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import declarative_base

from knowledge.db import make_engine, utc_now

__all__ = ["Base", "make_engine", "ping", "utc_now"]

Base = declarative_base()


def ping(engine: Engine) -> None:
    """Raises when the database does not answer."""
    with engine.connect() as c:
        c.execute(select(text("1")))
