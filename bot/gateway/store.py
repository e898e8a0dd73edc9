"""The gateway's own records: which conversations exist (ids are opaque and unguessable),
on which channel, and since when; which Telegram chat (as a keyed hash) is in which conversation.
Transcripts live in Rasa's tracker store, not here."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Column, DateTime, String, delete, select, text, update
from sqlalchemy.orm import Session

from bot.db import Base, make_engine, ping, utc_now


class Conversation(Base):
    __tablename__ = "conversations"
    id = Column(String(64), primary_key=True)
    channel = Column(String(16), nullable=False, default="web")
    created_at = Column(DateTime, nullable=False, default=utc_now)
    last_seen = Column(DateTime, nullable=False, default=utc_now)
    # The person is told once, not at every message, that personal data was masked.
    masking_notice_sent = Column(Boolean, nullable=False, default=False)


class ConversationStore:
    def __init__(self, url: str):
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)

    def add(self, conversation_id: str, channel: str) -> None:
        with Session(self.engine, future=True) as s, s.begin():
            s.add(Conversation(id=conversation_id, channel=channel))

    def channel(self, conversation_id: str) -> str | None:
        """The conversation's channel, or None when it does not exist."""
        with Session(self.engine, future=True) as s:
            row = s.get(Conversation, conversation_id)
            return row.channel if row else None

    def idle_since(self, cutoff: dt.datetime) -> list[str]:
        """The conversations nobody wrote in since `cutoff` (naive UTC)."""
        with Session(self.engine, future=True) as s:
            return list(s.execute(select(Conversation.id).where(Conversation.last_seen < cutoff)).scalars())

    def touch(self, conversation_id: str) -> None:
        with self.engine.begin() as c:  # one UPDATE on every message, no ORM round trip
            c.execute(update(Conversation).where(Conversation.id == conversation_id)
                      .values(last_seen=utc_now()))

    def existing(self, conversation_ids: list[str]) -> set[str]:
        """Those of `conversation_ids` that exist (one query per thousand ids)."""
        found: set[str] = set()
        with Session(self.engine, future=True) as s:
            for i in range(0, len(conversation_ids), 1000):
                chunk = conversation_ids[i:i + 1000]
                found.update(s.execute(select(Conversation.id).where(Conversation.id.in_(chunk))).scalars())
        return found

    def first_masking_notice(self, conversation_id: str) -> bool:
        """True the first time it is called for a conversation (and records it)."""
        with Session(self.engine, future=True) as s, s.begin():
            row = s.get(Conversation, conversation_id)
            if row is None or row.masking_notice_sent:
                return False
            row.masking_notice_sent = True
            return True

    def remove(self, conversation_id: str) -> bool:
        """Forgets the conversation, and any Telegram chat pointing at it."""
        with Session(self.engine, future=True) as s, s.begin():
            s.execute(delete(TelegramChat).where(TelegramChat.conversation_id == conversation_id))
            return s.execute(delete(Conversation).where(Conversation.id == conversation_id)).rowcount > 0

    def ping(self) -> None:
        ping(self.engine)


class TelegramChat(Base):
    """Which conversation a Telegram chat is in. The chat is known only by a keyed hash of its id:
    the register never holds a Telegram identifier."""
    __tablename__ = "telegram_chats"
    chat_key = Column(String(64), primary_key=True)
    conversation_id = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utc_now)


class TelegramChatStore:
    def __init__(self, url: str):
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)

    def conversation(self, chat_key: str) -> str | None:
        with Session(self.engine, future=True) as s:
            row = s.get(TelegramChat, chat_key)
            return row.conversation_id if row else None

    def link(self, chat_key: str, conversation_id: str) -> None:
        """Points the chat at `conversation_id`, replacing any earlier conversation."""
        with Session(self.engine, future=True) as s, s.begin():
            row = s.get(TelegramChat, chat_key)
            if row is None:
                s.add(TelegramChat(chat_key=chat_key, conversation_id=conversation_id))
            else:
                row.conversation_id, row.created_at = conversation_id, utc_now()

    def unlink(self, chat_key: str) -> str | None:
        """Removes the chat's entry; returns the conversation it pointed at, if any."""
        with Session(self.engine, future=True) as s, s.begin():
            row = s.get(TelegramChat, chat_key)
            if row is None:
                return None
            s.delete(row)
            return row.conversation_id


class TrackerStore:
    """Direct access to Rasa's SQL tracker store: Rasa 3.6 has no API to delete a conversation."""

    def __init__(self, url: str):
        self.engine = make_engine(url)

    def _has_events(self, c) -> bool:
        return c.execute(text(
            "SELECT 1 FROM sqlite_master WHERE name='events'" if self.engine.dialect.name == "sqlite"
            else "SELECT 1 FROM information_schema.tables WHERE table_name='events'")).first() is not None

    def delete(self, sender_id: str) -> int:
        with self.engine.begin() as c:
            if not self._has_events(c):
                return 0
            return c.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": sender_id}).rowcount

    def senders(self, idle_before: float) -> list[str]:
        """The conversation ids whose last event is older than `idle_before` (a Unix time)."""
        with self.engine.connect() as c:
            if not self._has_events(c):
                return []
            return list(c.execute(text("SELECT sender_id FROM events GROUP BY sender_id "
                                       "HAVING MAX(timestamp) < :t"), {"t": idle_before}).scalars())

    def ping(self) -> None:
        ping(self.engine)
