"""The widget's live connection: one WebSocket per conversation, JSON frames, and the
téléconseiller's messages pushed as they are written."""
from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from bot.gateway.client import ConversationClient, UnknownConversation
from bot.gateway.deps import app_settings, client_address, get_client
from bot.gateway.limits import RateLimiter, TooManyMessages
from bot.gateway.schemas import NOT_FOUND, ApiError, MessageIn, validated
from bot.settings import Settings

# WebSocket close codes (4000–4999 are the application's): the widget reacts to each.
WS_UNKNOWN, WS_FORBIDDEN = 4404, 4403

router = APIRouter()


def origin_allowed(websocket: WebSocket, settings: Settings) -> bool:
    """Browsers send Origin on WebSockets, which CORS does not cover: same host or allowed."""
    origin = websocket.headers.get("origin")
    if origin is None:  # not a browser
        return True
    return (urlsplit(origin).netloc == websocket.headers.get("host")
            or origin in settings.allowed_origins)


@router.websocket("/api/conversations/{conversation_id}/ws")
async def conversation_socket(websocket: WebSocket, conversation_id: str,
                              conversations: ConversationClient = Depends(get_client),
                              settings: Settings = Depends(app_settings)):
    """The widget's live connection. Frames are JSON objects:
    in  {"type": "message", "id": "...", "text": "..."} or {..., "payload": "/intent"};
    out {"type": "typing", "re": id}, {"type": "reply", "re": id, "messages", "state"},
        {"type": "error", "re": id, "status": 4xx, "detail": "..."}.
    The same message id sent again (after a reconnection) gets the same reply, once."""
    # Accepted before any refusal: a close code is only seen by a browser on an open socket.
    await websocket.accept()
    if not origin_allowed(websocket, settings):
        await websocket.close(code=WS_FORBIDDEN)
        return
    if await run_in_threadpool(conversations.store.channel, conversation_id) is None:
        await websocket.close(code=WS_UNKNOWN)
        return
    relay = conversations.relay
    pushed = relay.subscribe(conversation_id)
    forwarder = asyncio.create_task(_forward_relay(websocket, pushed))
    frames = _Frames(websocket, conversations, conversation_id, settings,
                     websocket.app.state.per_address)
    try:
        # What a téléconseiller said while the person was disconnected (?apres=last id seen).
        after = websocket.query_params.get("apres", "0")
        missed = await run_in_threadpool(relay.messages, conversation_id,
                                         int(after) if after.isdigit() else 0)
        if [m for m in missed if m["de"] != "personne"]:
            await websocket.send_json({"type": "relais", "messages": [
                m for m in missed if m["de"] != "personne"]})
        while True:
            raw = await websocket.receive()
            if raw["type"] == "websocket.disconnect" or not await frames.answer(raw):
                return
    except WebSocketDisconnect:
        return
    finally:
        relay.unsubscribe(conversation_id, pushed)
        forwarder.cancel()


async def _forward_relay(websocket: WebSocket, pushed: asyncio.Queue) -> None:
    """A téléconseiller's messages, pushed to the person as they are written."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await websocket.send_json({"type": "relais", "messages": [await pushed.get()]})


class _Frames:
    """The frames of one connection, answered one at a time."""

    def __init__(self, websocket: WebSocket, conversations: ConversationClient, conversation_id: str,
                 settings: Settings, per_address: RateLimiter):
        self.websocket, self.conversations = websocket, conversations
        self.conversation_id, self.settings, self.per_address = conversation_id, settings, per_address

    async def answer(self, raw: dict) -> bool:
        """Answers one frame; False when the connection was closed."""
        websocket = self.websocket
        frame: Any = None
        data = raw.get("text")
        if data is not None and len(data.encode()) <= self.settings.max_body_bytes:
            try:
                frame = json.loads(data)
            except ValueError:
                pass
        elif data is not None:
            await websocket.send_json({"type": "error", "status": 413,
                                       "detail": "Message trop volumineux."})
            return True
        if not isinstance(frame, dict) or frame.get("type") not in ("message", "ping"):
            await websocket.send_json({"type": "error", "status": 400,
                                       "detail": "Message illisible : la conversation continue."})
            return True
        if frame["type"] == "ping":
            await websocket.send_json({"type": "pong"})
            return True
        message_id = frame.get("id")
        if not isinstance(message_id, str) or not 0 < len(message_id) <= 64:
            await websocket.send_json({"type": "error", "status": 422,
                                       "detail": "Identifiant de message manquant."})
            return True

        async def error(status: int, detail: str) -> None:
            await websocket.send_json({"type": "error", "re": message_id, "status": status,
                                       "detail": detail})

        try:
            text, payload = validated(MessageIn(text=frame.get("text"), payload=frame.get("payload")),
                                      self.settings)
            self.per_address.take(client_address(websocket))
            await websocket.send_json({"type": "typing", "re": message_id})
            reply = await self.conversations.send(self.conversation_id, text=text, payload=payload,
                                                  message_id=message_id)
        except ValueError:  # pydantic: text or payload is not a string
            await error(422, "Envoyez soit un texte (« text »), soit un bouton (« payload »).")
        except ApiError as exc:
            await error(exc.status, exc.detail)
        except TooManyMessages as exc:
            await error(429, str(exc))
        except UnknownConversation:  # forgotten meanwhile (another tab, the API)
            await error(404, NOT_FOUND)
            await websocket.close(code=WS_UNKNOWN)
            return False
        else:
            await websocket.send_json({"type": "reply", "re": message_id,
                                       "messages": reply.messages, "state": reply.state})
        return True
