"""The one conversation client every channel goes through.

It masks personal data, talks to Rasa's REST channel, reads the tracker for the profile and the
pending question, and turns any failure of Rasa or the action server into the polite fallback.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
from collections import OrderedDict
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool

from bot.gateway.limits import RateLimiter
from bot.gateway.masking import mask
from bot.gateway.payload import clean_payload
from bot.gateway.relay import LIVE, OpeningHours, Relay
from bot.gateway.safety import needs_safety_net, possible_distress_reply, reads_distress, sentences_to_judge
from bot.gateway.store import ConversationStore, TrackerStore
from bot.passerelle import HEADER as PASSERELLE_HEADER
from bot.passerelle import WEBHOOK
from bot.settings import Settings
from knowledge import SLOTS as PROFILE_SLOTS  # the only slots a channel ever sees
from knowledge import LiaisonStore, get_kb

log = logging.getLogger("spro.gateway")

MASKING_NOTICE = ("Pour protéger votre vie privée, j'ai masqué des informations personnelles "
                  "dans votre message. Ce service est anonyme : il n'a pas besoin de votre nom, "
                  "de votre adresse électronique ni de vos numéros.")


HANDOVER = ("Je transmets votre demande à un conseiller d'Etoile Info. Restez sur cette page : "
            "il vous répondra ici dans quelques instants.")


@lru_cache(maxsize=1)
def fallback_text() -> str:
    """Said when Rasa or the actions are down; Etoile Info's contacts come from the knowledge base."""
    etoile = get_kb().contact
    return ("Je suis momentanément indisponible, veuillez m'en excuser. Vous pouvez appeler "
            f"Etoile Info au {etoile.telephone} (service et appel gratuits) ou consulter "
            f"le site Etoile : {etoile.site_web}")


class UnknownConversation(LookupError):
    pass


class RasaUnavailable(RuntimeError):
    pass


@dataclass
class Reply:
    messages: list[dict[str, Any]]
    state: dict[str, Any]


def _message(raw: dict[str, Any]) -> dict[str, Any]:
    msg: dict[str, Any] = {}
    if raw.get("text"):
        msg["text"] = raw["text"]
    if raw.get("buttons"):
        msg["buttons"] = [{"title": b.get("title", ""), "payload": b.get("payload", "")}
                          for b in raw["buttons"]]
    if raw.get("custom"):
        msg["custom"] = raw["custom"]
    if raw.get("image"):
        msg["image"] = raw["image"]
    return msg


def merge_custom(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rasa sends an utterance's text and its `custom` payload as two messages; the orientation
    contract wants one message carrying both."""
    merged: list[dict[str, Any]] = []
    for msg in messages:
        if merged and set(msg) == {"custom"} and "custom" not in merged[-1]:
            merged[-1] = {**merged[-1], "custom": msg["custom"]}
        else:
            merged.append(msg)
    return merged


def signalled(messages: list[dict[str, Any]], signal: str) -> bool:
    """Whether an action asked the gateway for something in a message's `custom` payload:
    "oubli" (forget-me, action_oublier) or "conseiller" (a person asked for someone, action_humain)."""
    return any((m.get("custom") or {}).get("type") == signal for m in messages)


def wants_forgetting(messages: list[dict[str, Any]]) -> bool:
    return signalled(messages, "oubli")


def state_from_tracker(tracker: dict[str, Any]) -> dict[str, Any]:
    slots = tracker.get("slots") or {}
    return {
        "requested_slot": slots.get("requested_slot"),
        "profil": {k: slots[k] for k in PROFILE_SLOTS if slots.get(k) is not None},
    }


def transcript_from_tracker(tracker: dict[str, Any]) -> list[dict[str, str]]:
    lines = []
    for ev in tracker.get("events") or []:
        if ev.get("event") == "user" and ev.get("text"):
            lines.append({"de": "personne", "texte": ev["text"]})
        elif ev.get("event") == "bot" and ev.get("text"):
            lines.append({"de": "assistant", "texte": ev["text"]})
    return lines


SWEEP_GRACE_S = 600.0


class ConversationLocks:
    """One lock per conversation: its turns and its forgetting never interleave, so nothing Rasa
    writes for a turn in flight can land after the conversation was forgotten. In this process's
    memory: several gateway processes would need a shared lock (Redis)."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, conversation_id: str):
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        self._waiting[conversation_id] = self._waiting.get(conversation_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[conversation_id] -= 1
            if not self._waiting[conversation_id]:  # nobody else holds or awaits it
                del self._waiting[conversation_id], self._locks[conversation_id]


class ConversationClient:
    def __init__(self, settings: Settings, http: httpx.AsyncClient | None = None):
        self.settings = settings
        self.store = ConversationStore(settings.gateway_db_url)
        self.trackers = TrackerStore(settings.tracker_db_url)
        self.liaisons = LiaisonStore(settings.knowledge_db_url)
        self.http = http or httpx.AsyncClient(timeout=settings.rasa_timeout_s)
        self.limiter = RateLimiter(settings.rate_per_conversation)
        self.relay = Relay(settings.gateway_db_url)
        self.hours = OpeningHours.parse(settings.console_hours)
        # Replies to recent (conversation, message id) pairs: a message resent after a network
        # drop gets the same reply instead of being said twice.
        self._recent: OrderedDict[tuple[str, str], asyncio.Future] = OrderedDict()
        self.locks = ConversationLocks()

    async def close(self) -> None:
        await self.http.aclose()

    async def create(self, channel: str = "web") -> str:
        conversation_id = secrets.token_urlsafe(18)
        await run_in_threadpool(self.store.add, conversation_id, channel)
        return conversation_id

    async def _require(self, conversation_id: str) -> str:
        """The conversation's channel; UnknownConversation when it does not exist."""
        channel = await run_in_threadpool(self.store.channel, conversation_id)
        if channel is None:
            raise UnknownConversation(conversation_id)
        return channel

    async def _tracker(self, conversation_id: str, events: str = "NONE") -> dict[str, Any]:
        r = await self.http.get(
            f"{self.settings.rasa_url}/conversations/{conversation_id}/tracker",
            params={"token": self.settings.rasa_token, "include_events": events})
        r.raise_for_status()
        return r.json()

    async def send(self, conversation_id: str, text: str | None = None,
                   payload: str | None = None, message_id: str | None = None) -> Reply:
        """Send one user turn; `payload` is a button's `/intent{...}`, checked (BadPayload).

        With a `message_id` (chosen by the channel), sending the same message again returns the
        first reply, even while it is still being computed. Raises UnknownConversation, or
        TooManyMessages when the conversation sends too fast."""
        if message_id is None:
            return await self._send(conversation_id, text, payload)
        key = (conversation_id, message_id)
        future = self._recent.get(key)
        if future is None:
            future = asyncio.ensure_future(self._send(conversation_id, text, payload))
            self._recent[key] = future
            while len(self._recent) > 4096:
                self._recent.popitem(last=False)
            future.add_done_callback(
                lambda f: f.cancelled() or f.exception() is None or self._recent.pop(key, None))
        # Shielded: if the person's connection drops, the turn still completes for the resend.
        return await asyncio.shield(future)

    async def _rasa(self, conversation_id: str, message: str, channel: str) -> list[dict[str, Any]]:
        r = await self.http.post(f"{self.settings.rasa_url}{WEBHOOK}",
                                 json={"sender": conversation_id, "message": message,
                                       "metadata": {"canal": channel}},
                                 headers={PASSERELLE_HEADER: self.settings.rasa_token})
        r.raise_for_status()
        return merge_custom([m for m in map(_message, r.json()) if m])

    async def _a_sentence_reads_distress(self, message: str, replies: list[dict[str, Any]]) -> bool:
        """The classifier on each sentence that holds a word of risk (bot/gateway/safety.py)."""
        for sentence in sentences_to_judge(message, replies):
            r = await self.http.post(f"{self.settings.rasa_url}/model/parse",
                                     params={"token": self.settings.rasa_token}, json={"text": sentence})
            r.raise_for_status()
            if reads_distress(r.json()):
                return True
        return False

    async def _send(self, conversation_id: str, text: str | None, payload: str | None) -> Reply:
        async with self.locks.hold(conversation_id):
            return await self._send_locked(conversation_id, text, payload)

    async def _send_locked(self, conversation_id: str, text: str | None, payload: str | None) -> Reply:
        channel = await self._require(conversation_id)  # forgotten while this turn waited: 404
        self.limiter.take(conversation_id)
        masked: tuple[str, ...] = ()
        if payload is not None:
            message = clean_payload(payload)  # BadPayload for anything that is not one of ours
        else:
            result = mask(text or "")
            message, masked = result.text, result.kinds
        handed_over = await run_in_threadpool(self.relay.state, conversation_id)
        if handed_over and handed_over[0] == LIVE:  # a téléconseiller answers, not Rasa
            await run_in_threadpool(self.relay.add, conversation_id, "personne", message)
            await run_in_threadpool(self.store.touch, conversation_id)
            return Reply([], await self.state(conversation_id))
        try:
            messages = await self._rasa(conversation_id, message, channel)
            if payload is None and needs_safety_net(message, messages):
                messages = await self._rasa(conversation_id, "/detresse", channel) + messages
            elif payload is None and await self._a_sentence_reads_distress(message, messages):
                messages = [possible_distress_reply()] + messages
            if not messages and not await self.actions_alive():
                raise RasaUnavailable("action server down")
            state = state_from_tracker(await self._tracker(conversation_id))
        except (httpx.HTTPError, ValueError, RasaUnavailable) as exc:
            log.warning("conversation backend unavailable: %s", type(exc).__name__)
            return Reply([{"text": fallback_text()}],
                         {"requested_slot": None, "profil": {}})
        if wants_forgetting(messages):
            await self._forget_locked(conversation_id)
            return Reply(messages, {"requested_slot": None, "profil": {}})
        await run_in_threadpool(self.store.touch, conversation_id)
        if channel == "web" and signalled(messages, "conseiller"):
            messages.extend(await self.hand_over(conversation_id))
        if masked and await run_in_threadpool(self.store.first_masking_notice, conversation_id):
            messages.insert(0, {"text": MASKING_NOTICE})
        return Reply(messages, state)

    async def hand_over(self, conversation_id: str) -> list[dict[str, Any]]:
        """During opening hours, queue the conversation for the console; what to tell the person."""
        if self.hours.open_now():
            await run_in_threadpool(self.relay.request, conversation_id)
            return [{"text": HANDOVER}]
        if self.hours.slots:
            return [{"text": "Les conseillers d'Etoile Info répondent aussi ici, en direct, "
                             f"{self.hours.describe()}."}]
        return []

    async def state(self, conversation_id: str) -> dict[str, Any]:
        """The profile and pending question, or an empty state when Rasa does not answer."""
        try:
            return state_from_tracker(await self._tracker(conversation_id))
        except (httpx.HTTPError, ValueError):
            return {"requested_slot": None, "profil": {}}

    async def read(self, conversation_id: str) -> dict[str, Any]:
        await self._require(conversation_id)
        try:
            tracker = await self._tracker(conversation_id, events="ALL")
        except (httpx.HTTPError, ValueError):
            raise RasaUnavailable("rasa down") from None
        return {"state": state_from_tracker(tracker), "transcript": transcript_from_tracker(tracker)}

    async def forget(self, conversation_id: str) -> None:
        """Forget-me: once the turn in flight (if any) is over, everything derived from the
        conversation is deleted; a turn sent meanwhile finds the conversation gone (404)."""
        async with self.locks.hold(conversation_id):
            await self._forget_locked(conversation_id)

    async def _forget_locked(self, conversation_id: str) -> None:
        await self._require(conversation_id)
        # The gateway's row first: from here on, the conversation does not exist for anyone.
        await run_in_threadpool(self.store.remove, conversation_id)
        await run_in_threadpool(self.trackers.delete, conversation_id)
        await run_in_threadpool(self.relay.forget, conversation_id)
        await run_in_threadpool(self.liaisons.forget_conversation, conversation_id)
        for key in [k for k in self._recent if k[0] == conversation_id]:
            del self._recent[key]

    async def purge(self) -> int:
        """Forgets the conversations idle for longer than the retention; how many were."""
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        await run_in_threadpool(self.relay.drop_waiting_before,
                                now - dt.timedelta(minutes=self.settings.queue_max_minutes))
        await self.sweep_trackers()
        if self.settings.retention_days <= 0:
            return 0
        cutoff = now - dt.timedelta(days=self.settings.retention_days)
        idle = await run_in_threadpool(self.store.idle_since, cutoff)
        for conversation_id in idle:
            try:
                await self.forget(conversation_id)
            except UnknownConversation:  # forgotten meanwhile
                pass
        await run_in_threadpool(self.liaisons.purge_before, cutoff)
        return len(idle)

    async def sweep_trackers(self, grace_s: float = SWEEP_GRACE_S) -> int:
        """Deletes the trackers no gateway conversation owns and nobody wrote to for `grace_s`:
        a turn Rasa finished after the gateway gave up waiting, or a sender that went around the
        gateway. (The grace spares a conversation another gateway is opening right now.)"""
        idle_before = dt.datetime.now(dt.timezone.utc).timestamp() - grace_s
        senders = await run_in_threadpool(self.trackers.senders, idle_before)  # read before the owners
        owned = await run_in_threadpool(self.store.existing, senders)
        orphans = [s for s in senders if s not in owned]
        for sender in orphans:
            await run_in_threadpool(self.trackers.delete, sender)
        if orphans:
            log.info("retention: %d tracker(s) without a conversation deleted", len(orphans))
        return len(orphans)

    async def purge_logged(self) -> None:
        try:
            count = await self.purge()
            if count:
                log.info("retention: %d idle conversation(s) forgotten", count)
        except Exception:  # a database hiccup must not stop the gateway or the next run
            log.exception("retention purge failed")

    async def purge_forever(self, every_s: float = 3600.0) -> None:
        """Runs `purge` every hour for as long as the gateway runs (the gateway purges at start)."""
        while True:
            await asyncio.sleep(every_s)
            await self.purge_logged()

    async def actions_alive(self) -> bool:
        try:
            return (await self.http.get(f"{self.settings.actions_url}/health", timeout=2.0)).status_code == 200
        except httpx.HTTPError:
            return False

    async def health(self) -> dict[str, str]:
        status: dict[str, str] = {}
        try:
            r = await self.http.get(f"{self.settings.rasa_url}/status",
                                    params={"token": self.settings.rasa_token}, timeout=2.0)
            status["rasa"] = "ok" if r.status_code == 200 and r.json().get("model_file") else "indisponible"
        except (httpx.HTTPError, ValueError):
            status["rasa"] = "indisponible"
        status["actions"] = "ok" if await self.actions_alive() else "indisponible"
        for name, db in (("base_conversations", self.store), ("base_suivi_rasa", self.trackers)):
            try:
                await run_in_threadpool(db.ping)
                status[name] = "ok"
            except Exception:  # any driver error means "not answering"
                status[name] = "indisponible"
        return status
