"""Handing a web conversation to a téléconseiller, and back.

When a person in the widget asks for a person during opening hours, the conversation joins a
queue the console shows. A téléconseiller takes it: from then on the person's messages go to them
instead of Rasa, and theirs are pushed to the widget; they hand it back to the assistant or close
it. The queue and the live messages are in the gateway's database; the push to open WebSockets is
in this process's memory (one gateway process; several would need a shared pub/sub such as Redis).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Column, DateTime, Integer, String, Text, delete, select
from sqlalchemy.orm import Session

from bot.db import Base, make_engine, utc_now

WAITING, LIVE = "attente", "en_cours"
PARIS = ZoneInfo("Europe/Paris")
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
SLOT = re.compile(r"^\s*([1-7])(?:-([1-7]))?\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})\s*$")


class RelayRow(Base):
    __tablename__ = "relais"
    conversation_id = Column(String(64), primary_key=True)
    etat = Column(String(16), nullable=False, default=WAITING)
    conseiller = Column(String(64))
    demande_at = Column(DateTime, nullable=False, default=utc_now)


class RelayMessageRow(Base):
    __tablename__ = "relais_messages"
    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(64), nullable=False, index=True)
    de = Column(String(16), nullable=False)  # personne | conseiller | systeme
    texte = Column(Text, nullable=False)
    at = Column(DateTime, nullable=False, default=utc_now)


@dataclass(frozen=True)
class OpeningHours:
    """Weekly slots in Paris time, from a setting like "1-5 09:00-12:30; 1-5 13:30-17:00"
    (1 = Monday). Empty: never open, and the widget gives the phone number instead."""
    slots: tuple[tuple[int, int, dt.time, dt.time], ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> "OpeningHours":
        slots = []
        for part in filter(str.strip, (text or "").split(";")):
            m = SLOT.match(part)
            if not m:
                raise ValueError(f"Horaires illisibles : {part!r} (format : « 1-5 09:00-17:00 »)")
            first, last = int(m[1]), int(m[2] or m[1])
            start = dt.time(int(m[3]), int(m[4]))
            end = dt.time.max if (m[5], m[6]) == ("24", "00") else dt.time(int(m[5]), int(m[6]))
            slots.append((first, last, start, end))
        return cls(tuple(slots))

    def open_at(self, when: dt.datetime) -> bool:
        local = when.astimezone(PARIS)
        day, time = local.isoweekday(), local.time()
        return any(first <= day <= last and start <= time < end for first, last, start, end in self.slots)

    def open_now(self) -> bool:
        return self.open_at(dt.datetime.now(dt.timezone.utc))

    def describe(self) -> str:
        def hm(t: dt.time) -> str:
            return "24 h" if t == dt.time.max else f"{t.hour} h" + (f" {t.minute:02d}" if t.minute else "")
        return " ; ".join(
            (f"du {DAYS[first - 1]} au {DAYS[last - 1]}" if first != last else f"le {DAYS[first - 1]}")
            + f" de {hm(s)} à {hm(e)}" for first, last, s, e in self.slots)


class Relay:
    def __init__(self, url: str):
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine, tables=[RelayRow.__table__, RelayMessageRow.__table__])
        self._listeners: dict[str, set[asyncio.Queue]] = defaultdict(set)

    # --- the queue (database) ---
    def request(self, conversation_id: str) -> bool:
        """Puts the conversation in the queue; False when it already is."""
        with Session(self.engine, future=True) as s, s.begin():
            if s.get(RelayRow, conversation_id) is not None:
                return False
            s.add(RelayRow(conversation_id=conversation_id))
            return True

    def state(self, conversation_id: str) -> tuple[str, str | None] | None:
        """(etat, conseiller) or None when the conversation is not handed over."""
        with Session(self.engine, future=True) as s:
            row = s.get(RelayRow, conversation_id)
            return (row.etat, row.conseiller) if row else None

    def queue(self) -> list[dict[str, Any]]:
        with Session(self.engine, future=True) as s:
            rows = s.execute(select(RelayRow).order_by(RelayRow.demande_at)).scalars()
            return [{"id": r.conversation_id, "etat": r.etat, "conseiller": r.conseiller,
                     "demande": r.demande_at.isoformat(timespec="seconds") + "Z"} for r in rows]

    def take(self, conversation_id: str, login: str) -> bool:
        """The téléconseiller takes the conversation; False if it is gone or someone else has it."""
        with Session(self.engine, future=True) as s, s.begin():
            row = s.get(RelayRow, conversation_id)
            if row is None or (row.etat == LIVE and row.conseiller != login):
                return False
            row.etat, row.conseiller = LIVE, login
            return True

    def end(self, conversation_id: str) -> None:
        """Back to the assistant (or closed): the live messages are not kept."""
        with Session(self.engine, future=True) as s, s.begin():
            s.execute(delete(RelayMessageRow).where(RelayMessageRow.conversation_id == conversation_id))
            s.execute(delete(RelayRow).where(RelayRow.conversation_id == conversation_id))

    forget = end

    def drop_waiting_before(self, cutoff: dt.datetime) -> int:
        """Requests nobody took in time leave the queue (the person was told the phone number)."""
        with Session(self.engine, future=True) as s, s.begin():
            return s.execute(delete(RelayRow).where(RelayRow.etat == WAITING,
                                                    RelayRow.demande_at < cutoff)).rowcount

    def add(self, conversation_id: str, de: str, texte: str) -> dict[str, Any]:
        with Session(self.engine, future=True) as s, s.begin():
            row = RelayMessageRow(conversation_id=conversation_id, de=de, texte=texte)
            s.add(row)
            s.flush()
            return {"id": row.id, "de": de, "texte": texte}

    def messages(self, conversation_id: str, after: int = 0) -> list[dict[str, Any]]:
        with Session(self.engine, future=True) as s:
            rows = s.execute(select(RelayMessageRow).where(
                RelayMessageRow.conversation_id == conversation_id, RelayMessageRow.id > after
            ).order_by(RelayMessageRow.id)).scalars()
            return [{"id": r.id, "de": r.de, "texte": r.texte} for r in rows]

    # --- live push to the person's open WebSockets (this process) ---
    def subscribe(self, conversation_id: str) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(maxsize=100)
        self._listeners[conversation_id].add(queue)
        return queue

    def unsubscribe(self, conversation_id: str, queue: asyncio.Queue) -> None:
        self._listeners[conversation_id].discard(queue)
        if not self._listeners[conversation_id]:
            del self._listeners[conversation_id]

    def publish(self, conversation_id: str, message: dict[str, Any]) -> None:
        for queue in self._listeners.get(conversation_id, ()):
            if not queue.full():
                queue.put_nowait(message)
