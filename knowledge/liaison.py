"""Fiches de liaison: the hand-over from the première porte to the deuxième porte.

A fiche holds the profile and the orientation result under a short code the person can give to a
téléconseiller or to the structure. It never holds an identity: the profile has none.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Mapping

from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge.db import Base, make_engine, utc_now

# No 0/O, 1/I/L: the code is read out on the phone.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# 31^8 ≈ 8.5e11 codes. With 10,000 live fiches, a guess finds one with a probability of 1.2e-8;
# at the gateway's 30 look-ups a minute from one address, that is one hit in about 5 years per
# address (README, the console's fiche de liaison). Codes of 6 characters, given before 2026-12-02, stay
# readable until the retention removes their fiches.
CODE_LENGTH = 8
READABLE_LENGTHS = (6, 8)


class FicheRow(Base):
    __tablename__ = "fiches_liaison"
    code = Column(String(12), primary_key=True)
    created_at = Column(DateTime, nullable=False)
    canal = Column(String(16), nullable=False)
    orientation = Column(JSON, nullable=False)


class FicheConversationRow(Base):
    """Which conversation a fiche came from, so forgetting the conversation deletes its fiches.
    The conversation is known by a hash only: a fiche's code never leads to a conversation."""
    __tablename__ = "fiches_conversations"
    code = Column(String(12), primary_key=True)
    conversation = Column(String(64), nullable=False, index=True)


def conversation_key(conversation_id: str) -> str:
    return hashlib.sha256(conversation_id.encode("utf-8")).hexdigest()


class AvisRow(Base):
    """One answer to "was this useful?", with the motif for the indicators — nothing else."""
    __tablename__ = "avis"
    id = Column(Integer, primary_key=True, autoincrement=True)
    created_at = Column(DateTime, nullable=False)
    canal = Column(String(16), nullable=False)
    besoin = Column(String(32))
    utile = Column(Boolean, nullable=False)


class MotifRow(Base):
    """The motif of a call to the free number, noted by the téléconseiller, for the indicators
    beside the satisfaction answers: nothing that identifies the caller."""
    __tablename__ = "motifs_appels"
    id = Column(Integer, primary_key=True, autoincrement=True)
    created_at = Column(DateTime, nullable=False)
    canal = Column(String(16), nullable=False)
    motif = Column(String(32), nullable=False)


@dataclass(frozen=True)
class Fiche:
    code: str
    created_at: dt.datetime
    canal: str
    orientation: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"code_liaison": self.code, "date": self.created_at.isoformat(timespec="minutes"),
                "canal": self.canal, "orientation": self.orientation}


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str | None:
    """What a person reads out ("k7m2 qx9p", "K7M2-QX9P") to the stored form, or None if it
    cannot be a code."""
    code = "".join(text.replace("-", " ").split()).upper()
    return code if len(code) in READABLE_LENGTHS and all(c in ALPHABET for c in code) else None


class LiaisonStore:
    def __init__(self, url: str | None = None):
        self.engine = make_engine(url)
        tables = (FicheRow, FicheConversationRow, AvisRow, MotifRow)
        Base.metadata.create_all(self.engine, tables=[t.__table__ for t in tables])

    def save(self, orientation: Mapping[str, Any], canal: str = "web", conversation: str | None = None) -> str:
        """Store a result (its `profil` included) and return its new code; `conversation` is
        the id of the conversation it came from, if any (see `forget_conversation`)."""
        for _ in range(5):  # a collision is rare (see CODE_LENGTH): retry it
            code = new_code()
            try:
                with Session(self.engine, future=True) as s, s.begin():
                    s.add(FicheRow(code=code, canal=canal, orientation=dict(orientation),
                                   created_at=utc_now()))
                    if conversation:
                        s.add(FicheConversationRow(code=code, conversation=conversation_key(conversation)))
                return code
            except IntegrityError:
                continue
        raise RuntimeError("no free code_liaison after 5 tries")

    def record_avis(self, utile: bool, canal: str, besoin: str | None) -> None:
        with Session(self.engine, future=True) as s, s.begin():
            s.add(AvisRow(created_at=utc_now(), canal=canal, besoin=besoin, utile=utile))

    def record_motif(self, motif: str, canal: str = "console") -> None:
        with Session(self.engine, future=True) as s, s.begin():
            s.add(MotifRow(created_at=utc_now(), canal=canal, motif=motif))

    def get(self, code: str) -> Fiche | None:
        normalised = normalise_code(code)
        if normalised is None:
            return None
        with Session(self.engine, future=True) as s:
            row = s.execute(select(FicheRow).where(FicheRow.code == normalised)).scalar_one_or_none()
            if row is None:
                return None
            return Fiche(row.code, row.created_at, row.canal, row.orientation)

    def forget_conversation(self, conversation_id: str) -> int:
        """Deletes the fiches made in that conversation; how many there were."""
        key = conversation_key(conversation_id)
        with self.engine.begin() as c:
            codes = select(FicheConversationRow.code).where(FicheConversationRow.conversation == key)
            count = c.execute(delete(FicheRow).where(FicheRow.code.in_(codes))).rowcount
            c.execute(delete(FicheConversationRow).where(FicheConversationRow.conversation == key))
            return count

    def purge_before(self, cutoff: dt.datetime) -> int:
        """Deletes the fiches made before `cutoff` (naive UTC): they follow the conversations'
        retention. How many there were."""
        with self.engine.begin() as c:
            old = select(FicheRow.code).where(FicheRow.created_at < cutoff)
            c.execute(delete(FicheConversationRow).where(FicheConversationRow.code.in_(old)))
            return c.execute(delete(FicheRow).where(FicheRow.created_at < cutoff)).rowcount
