"""Téléconseiller accounts and sessions: scrypt password hashes, lock-out, server-side sessions.

Accounts are created on the command line (``python -m bot.console``), never from the web. A
session is a random token in an HttpOnly, SameSite=Strict cookie; the database keeps only its
SHA-256, with the CSRF token the console's pages send back on every change.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, Integer, String, delete, select
from sqlalchemy.orm import Session

from bot.db import Base, make_engine, utc_now

# scrypt (RFC 7914) at OWASP's recommended cost: N=2^17, r=8, p=1 (128 MiB, about 0.3 s here).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 17, 8, 1
MAX_FAILURES = 5
LOCK_MINUTES = 15
SESSION_HOURS = 9  # a working day
MIN_PASSWORD = 12


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def hash_password(password: str, n: int = SCRYPT_N) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P,
                         maxmem=256 * 1024 * 1024, dklen=32)
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


# At most two hashes at once (128 MiB each): sign-ins from many addresses queue, memory stays bounded.
_HASHING = threading.BoundedSemaphore(2)


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        with _HASHING:
            computed = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                                      p=int(p), maxmem=256 * 1024 * 1024, dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, base64.b64decode(key))


# Verified against when the login is unknown, so both failures take the same time.
_DUMMY = hash_password(secrets.token_urlsafe(16))


class AgentRow(Base):
    __tablename__ = "conseillers"
    login = Column(String(64), primary_key=True)
    password_hash = Column(String(255), nullable=False)
    failures = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime)
    created_at = Column(DateTime, nullable=False, default=utc_now)


class SessionRow(Base):
    __tablename__ = "sessions_conseillers"
    token_sha256 = Column(String(64), primary_key=True)
    login = Column(String(64), nullable=False, index=True)
    csrf = Column(String(64), nullable=False)
    expires_at = Column(DateTime, nullable=False)


@dataclass(frozen=True)
class Agent:
    login: str
    csrf: str


class LoginRefused(Exception):
    """Wrong login or password (never says which)."""


class AccountLocked(Exception):
    def __init__(self, minutes: int):
        super().__init__(minutes)
        self.minutes = minutes


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    def __init__(self, url: str, scrypt_n: int = SCRYPT_N):
        self.engine = make_engine(url)
        self.scrypt_n = scrypt_n
        Base.metadata.create_all(self.engine, tables=[AgentRow.__table__, SessionRow.__table__])

    # --- administration (command line) ---
    def set_password(self, login: str, password: str) -> bool:
        """Creates the account or changes its password (and unlocks it); True when created."""
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"Le mot de passe doit compter au moins {MIN_PASSWORD} caractères.")
        with Session(self.engine, future=True) as s, s.begin():
            row = s.get(AgentRow, login)
            created = row is None
            if created:
                row = AgentRow(login=login)
                s.add(row)
            row.password_hash = hash_password(password, self.scrypt_n)
            row.failures, row.locked_until = 0, None
            s.execute(delete(SessionRow).where(SessionRow.login == login))
            return created

    def remove(self, login: str) -> bool:
        with Session(self.engine, future=True) as s, s.begin():
            s.execute(delete(SessionRow).where(SessionRow.login == login))
            return s.execute(delete(AgentRow).where(AgentRow.login == login)).rowcount > 0

    def logins(self) -> list[str]:
        with Session(self.engine, future=True) as s:
            return list(s.execute(select(AgentRow.login).order_by(AgentRow.login)).scalars())

    # --- signing in and out ---
    def sign_in(self, login: str, password: str) -> tuple[str, Agent]:
        """A new session token and its agent; LoginRefused or AccountLocked otherwise."""
        with Session(self.engine, future=True) as s, s.begin():
            row = s.get(AgentRow, login)
            if row is None:
                verify_password(password, _DUMMY)
                raise LoginRefused()
            now = utc_now()
            if row.locked_until and row.locked_until > now:
                raise AccountLocked(max(1, int((row.locked_until - now).total_seconds() // 60) + 1))
            if not verify_password(password, row.password_hash):
                row.failures += 1
                if row.failures >= MAX_FAILURES:
                    row.failures, row.locked_until = 0, now + dt.timedelta(minutes=LOCK_MINUTES)
                    locked = True
                else:
                    locked = False
            else:
                row.failures, row.locked_until = 0, None
                token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
                s.add(SessionRow(token_sha256=_sha(token), login=login, csrf=csrf,
                                 expires_at=now + dt.timedelta(hours=SESSION_HOURS)))
                return token, Agent(login, csrf)
        if locked:
            raise AccountLocked(LOCK_MINUTES)
        raise LoginRefused()

    def agent(self, token: str | None) -> Agent | None:
        if not token:
            return None
        with Session(self.engine, future=True) as s:
            row = s.get(SessionRow, _sha(token))
            if row is None or row.expires_at <= utc_now():
                return None
            return Agent(row.login, row.csrf)

    def sign_out(self, token: str | None) -> None:
        if token:
            with Session(self.engine, future=True) as s, s.begin():
                s.execute(delete(SessionRow).where(SessionRow.token_sha256 == _sha(token)))
