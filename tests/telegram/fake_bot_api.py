"""A local fake of Telegram's Bot API server, so the real python-telegram-bot client runs in tests
and benchmarks without Telegram.

It serves what the channel uses (getMe, getUpdates with long polling, setMyCommands,
deleteWebhook, setWebhook, sendMessage, editMessageReplyMarkup, answerCallbackQuery,
sendChatAction), records every call, and lets a test play a user: a text, a command, a button
press, a shared location, a sticker... Several bots (tokens) can share one server.

    with FakeBotApi() as api:
        ...  # point TELEGRAM_BASE_URL at api.base_url
        mark = api.mark()
        api.send_text(chat_id, "Bonjour")
        reply = api.wait_for_message(chat_id, mark, lambda m: "Bonjour" in m.text)
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.run import free_port

BOT_ID = 7000001
DEFAULT_TOKEN = "7000001:fake-token-for-tests"


@dataclass
class Call:
    """One request the bot made, with its parameters as sent (values JSON-decoded when they are
    JSON: chat ids, keyboards, lists)."""
    token: str
    method: str
    params: dict[str, Any]
    result: Any = None
    at: float = field(default_factory=time.perf_counter)

    @property
    def chat_id(self) -> Optional[int]:
        chat = self.params.get("chat_id")
        return int(chat) if chat is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def markup(self) -> dict[str, Any]:
        return self.params.get("reply_markup") or {}

    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard's buttons, in order."""
        return [b for row in self.markup.get("inline_keyboard", []) for b in row]

    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons() if "callback_data" in b]


def _decode(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


class FakeBotApi:
    def __init__(self) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        self.calls: list[Call] = []
        self._cond = threading.Condition()
        self._updates: dict[str, list[dict[str, Any]]] = {}
        self._wakeups: dict[str, asyncio.Event] = {}
        self._sent: dict[tuple[int, int], dict[str, Any]] = {}  # (chat, message id) -> bot message
        self._ids = itertools.count(1)
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._closing = False
        app = Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])],
                        lifespan=self._lifespan)
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                     log_level="warning", ws="none",
                                                     timeout_graceful_shutdown=1))
        self._thread = threading.Thread(target=self._server.run, name="fake-bot-api", daemon=True)

    # -- lifecycle -----------------------------------------------------------------------------
    def __enter__(self) -> "FakeBotApi":
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake Bot API server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: Any) -> None:
        with self._cond:
            self._closing = True
            wakeups = list(self._wakeups.values())
        for wakeup in wakeups:  # end the long polls still waiting
            self._loop.call_soon_threadsafe(wakeup.set)
        self._server.should_exit = True
        self._thread.join(10)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app):
        self._loop = asyncio.get_running_loop()
        yield

    # -- the Bot API ---------------------------------------------------------------------------
    async def _endpoint(self, request: Request) -> JSONResponse:
        token, method = request.path_params["token"], request.path_params["method"]
        body = (await request.body()).decode()
        if request.headers.get("content-type", "").startswith("application/json"):
            params = json.loads(body or "{}")
        else:
            params = {k: (v if k == "text" else _decode(v)) for k, v in parse_qsl(body)}
        call = Call(token, method, params)
        if method != "getUpdates":
            call.result = self._answer(token, method, params)
        with self._cond:  # recorded on arrival: a long poll counts from its start
            self.calls.append(call)
            self._cond.notify_all()
        if method == "getUpdates":
            call.result = await self._get_updates(token, params)
        return JSONResponse({"ok": True, "result": call.result})

    def _answer(self, token: str, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "Assistant SPRO",
                    "username": "spro_test_bot", "can_join_groups": False,
                    "can_read_all_group_messages": False, "supports_inline_queries": False}
        if method == "sendMessage":
            message = {"message_id": next(self._ids), "date": int(time.time()),
                       "chat": {"id": int(params["chat_id"]), "type": "private"},
                       "from": {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "Assistant SPRO"},
                       "text": params.get("text", "")}
            if isinstance(params.get("reply_markup"), dict) and "inline_keyboard" in params["reply_markup"]:
                message["reply_markup"] = params["reply_markup"]
            with self._cond:
                self._sent[(message["chat"]["id"], message["message_id"])] = message
            return message
        if method == "editMessageReplyMarkup":
            with self._cond:
                message = self._sent.get((int(params["chat_id"]), int(params["message_id"])))
                if message is None:
                    return True
                message.pop("reply_markup", None)
                if params.get("reply_markup"):
                    message["reply_markup"] = params["reply_markup"]
                return message
        return True  # setMyCommands, deleteWebhook, setWebhook, answerCallbackQuery, sendChatAction…

    async def _get_updates(self, token: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while True:
            with self._cond:
                queue = self._updates.setdefault(token, [])
                queue[:] = [u for u in queue if u["update_id"] >= offset]  # an offset confirms
                if queue:
                    return list(queue)
                wakeup = self._wakeups.setdefault(token, asyncio.Event())
                wakeup.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing:
                return []
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(wakeup.wait(), remaining)

    # -- playing a user ------------------------------------------------------------------------
    def enqueue(self, update: dict[str, Any], token: str = DEFAULT_TOKEN) -> dict[str, Any]:
        with self._cond:
            update = {**update, "update_id": next(self._ids)}  # in the order they are queued
            self._updates.setdefault(token, []).append(update)
            wakeup = self._wakeups.setdefault(token, asyncio.Event())
        if self._loop is not None:
            self._loop.call_soon_threadsafe(wakeup.set)
        return update

    @staticmethod
    def _chat(chat_id: int, kind: str) -> dict[str, Any]:
        if kind == "private":
            return {"id": chat_id, "type": "private", "first_name": "Camille"}
        return {"id": chat_id, "type": kind, "title": "Un groupe"}

    def update(self, chat_id: int, chat_type: str = "private", edited: bool = False,
               **content: Any) -> dict[str, Any]:
        """An update carrying a message from the person in `chat_id` (user id = chat id)."""
        message = {"message_id": next(self._ids), "date": int(time.time()),
                   "chat": self._chat(chat_id, chat_type),
                   "from": {"id": abs(chat_id), "is_bot": False, "first_name": "Camille"}, **content}
        if edited:
            message["edit_date"] = int(time.time())
        return {"update_id": next(self._ids), "edited_message" if edited else "message": message}

    def message(self, chat_id: int, token: str = DEFAULT_TOKEN, **kwargs: Any) -> dict[str, Any]:
        """The person sends a message, e.g. message(42, text="Bonjour") or sticker={...}."""
        return self.enqueue(self.update(chat_id, **kwargs), token)

    def send_text(self, chat_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
        entities = []
        if text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.message(chat_id, text=text, **({"entities": entities} if entities else {}), **kwargs)

    def send_location(self, chat_id: int, latitude: float, longitude: float, **kwargs: Any) -> dict[str, Any]:
        return self.message(chat_id, location={"latitude": latitude, "longitude": longitude}, **kwargs)

    def press(self, call: Call, data: str, token: str = DEFAULT_TOKEN) -> dict[str, Any]:
        """The person presses the button `data` under the bot message that `call` sent."""
        message = self.sent_message(call)
        return self.enqueue({"callback_query": {
            "id": f"cq{next(self._ids)}", "chat_instance": "instance",
            "from": {"id": message["chat"]["id"], "is_bot": False, "first_name": "Camille"},
            "message": message, "data": data}}, token)

    def sent_message(self, call: Call) -> dict[str, Any]:
        """The message that `call` sent, as Telegram holds it now (keyboard gone after an edit)."""
        with self._cond:
            return json.loads(json.dumps(self._sent[(call.chat_id, call.result["message_id"])]))

    # -- what the bot did ----------------------------------------------------------------------
    def mark(self) -> int:
        """A position in the recorded calls: later waits look only after it."""
        with self._cond:
            return len(self.calls)

    def wait_for(self, found: Callable[[list[Call]], Any], timeout: float = 90.0, what: str = "") -> Any:
        """Waits until `found(calls)` is truthy and returns its value; fails after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = found(self.calls)
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    recent = [(c.method, c.text[:120]) for c in self.calls[-12:] if c.method != "getUpdates"]
                    raise AssertionError(f"timed out waiting for {what or 'the bot'}; last calls: {recent}")
                self._cond.wait(min(remaining, 0.5))  # also re-checks conditions outside the calls

    def messages(self, chat_id: int, since: int = 0, token: str = DEFAULT_TOKEN) -> list[Call]:
        with self._cond:
            return [c for c in self.calls[since:]
                    if c.method == "sendMessage" and c.token == token and c.chat_id == chat_id]

    def wait_for_message(self, chat_id: int, since: int, match: Callable[[Call], bool],
                         token: str = DEFAULT_TOKEN, timeout: float = 90.0, what: str = "") -> Call:
        def found(calls: list[Call]) -> Optional[Call]:
            return next((c for c in calls[since:] if c.method == "sendMessage" and c.token == token
                         and c.chat_id == chat_id and match(c)), None)
        return self.wait_for(found, timeout, what or "a message")

    def calls_of(self, method: str, token: str = DEFAULT_TOKEN, since: int = 0) -> list[Call]:
        with self._cond:
            return [c for c in self.calls[since:] if c.method == method and c.token == token]
