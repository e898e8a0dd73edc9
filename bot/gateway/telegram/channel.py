"""The Telegram handlers: each update becomes one turn of the conversation client, and its reply
becomes Telegram messages. Rasa owns the dialogue; nothing here decides what to say next.

A chat is known by a keyed hash of its id only (HMAC-SHA256 with a key derived from the bot
token), mapped to a conversation of the client in the gateway's database. Message texts and chat
ids are never logged.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import weakref
from typing import Any

from starlette.concurrency import run_in_threadpool
from telegram import Chat, ReplyKeyboardRemove, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.gateway.client import ConversationClient, UnknownConversation, fallback_text, wants_forgetting
from bot.gateway.limits import TooManyMessages
from bot.gateway.payload import BadPayload
from bot.gateway.store import TelegramChatStore
from bot.gateway.telegram import render
from bot.settings import Settings
from knowledge import get_kb

log = logging.getLogger("spro.telegram")


def chat_key(token: str, chat_id: int) -> str:
    """The only form in which a chat id is stored: HMAC-SHA256 keyed by a secret derived from the
    bot token, so the register cannot be matched against Telegram ids without the token."""
    secret = hashlib.sha256(b"spro-telegram-chat-key:" + token.encode()).digest()
    return hmac.new(secret, str(chat_id).encode(), hashlib.sha256).hexdigest()


class TelegramChannel:
    def __init__(self, settings: Settings, client: ConversationClient):
        self.token = settings.telegram_token or ""
        self.client = client
        self.chats = TelegramChatStore(settings.gateway_db_url)
        self.max_chars = settings.max_message_chars
        # Updates are handled concurrently; one chat's turns still go one at a time, in order.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        # Chats shown the location keyboard, to take it away once the commune is known.
        self._location_shown: set[str] = set()

    def install(self, application: Application) -> None:
        private = filters.ChatType.PRIVATE
        application.add_handlers([
            MessageHandler(filters.UpdateType.EDITED, self.on_edited),
            MessageHandler(~private & ~filters.StatusUpdate.ALL, self.on_not_private),
            CommandHandler("start", self.on_start),
            CommandHandler("recommencer", self.on_restart),
            CommandHandler("conseiller", self.on_conseiller),
            CommandHandler("oubli", self.on_forget),
            CommandHandler("confidentialite", self.on_privacy),
            CommandHandler("aide", self.on_help),
            MessageHandler(filters.COMMAND, self.on_unknown_command),
            MessageHandler(filters.TEXT, self.on_text),
            MessageHandler(filters.LOCATION, self.on_location),
            CallbackQueryHandler(self.on_button),
            MessageHandler(~filters.StatusUpdate.ALL, self.on_unsupported),
        ])
        application.add_error_handler(self.on_error)

    # -- conversation turns --------------------------------------------------------------------

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    async def converse(self, chat: Chat, text: str | None = None, payload: str | None = None,
                       before: tuple[str, ...] = (), after: tuple[str, ...] = ()) -> None:
        key = chat_key(self.token, chat.id)
        async with self._lock(key):
            await self._turn(chat, key, text, payload, before, after)

    async def reply(self, chat: Chat, text: str, markup: Any = None) -> None:
        """A fixed answer of the channel, after the chat's turn in progress (replies keep the
        order of the messages)."""
        async with self._lock(chat_key(self.token, chat.id)):
            await send(chat, text, markup)

    async def _turn(self, chat: Chat, key: str, text: str | None, payload: str | None,
                    before: tuple[str, ...] = (), after: tuple[str, ...] = ()) -> None:
        typing = asyncio.create_task(self._typing(chat))
        try:
            messages, state = await self._send(key, text, payload)
        finally:
            await typing
        messages = [{"text": t} for t in before] + messages + [{"text": t} for t in after]
        await self._show(chat, key, messages, state.get("requested_slot"))

    async def _send(self, key: str, text: str | None, payload: str | None) -> tuple[list, dict]:
        try:
            conversation = await run_in_threadpool(self.chats.conversation, key)
            try:
                if conversation is None:
                    raise UnknownConversation(key)
                reply = await self.client.send(conversation, text=text, payload=payload)
            except UnknownConversation:  # first message, or the conversation expired or was forgotten
                conversation = await self.client.create("telegram")
                await run_in_threadpool(self.chats.link, key, conversation)
                reply = await self.client.send(conversation, text=text, payload=payload)
        except (TooManyMessages, BadPayload) as exc:  # too fast, or a forged button
            return [{"text": str(exc)}], {}
        if wants_forgetting(reply.messages):  # "effacez mes données": the client forgot it
            await run_in_threadpool(self.chats.unlink, key)
        return reply.messages, reply.state

    async def _show(self, chat: Chat, key: str, messages: list[dict[str, Any]],
                    requested_slot: str | None) -> None:
        take_keyboard_away = key in self._location_shown and requested_slot != "commune"
        for message in messages:
            rendered = render.render(message)
            if rendered is None:
                continue
            text, markup = rendered
            if markup is None and take_keyboard_away:
                markup, take_keyboard_away = ReplyKeyboardRemove(), False
                self._location_shown.discard(key)
            await send(chat, text, markup)
        if requested_slot == "commune":
            await chat.send_message(render.LOCATION_PROMPT, reply_markup=render.location_keyboard())
            self._location_shown.add(key)

    @staticmethod
    async def _typing(chat: Chat) -> None:
        with contextlib.suppress(TelegramError):
            await chat.send_action(ChatAction.TYPING)

    # -- handlers ------------------------------------------------------------------------------

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text = update.effective_message.text.strip()
        if not text:
            return
        if len(text) > self.max_chars:
            await self.reply(update.effective_chat, render.too_long(self.max_chars))
            return
        await self.converse(update.effective_chat, text=text)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        message = query.message
        pressed = None
        if message is not None and message.is_accessible and message.reply_markup:
            pressed = next((b for row in message.reply_markup.inline_keyboard for b in row
                            if b.callback_data is not None and b.callback_data == query.data), None)
        if pressed is None:  # an old or forged button: only the keyboards we sent are answered
            await query.answer(render.BUTTON_GONE, show_alert=True)
            return
        key = chat_key(self.token, message.chat.id)
        async with self._lock(key):
            await query.answer()
            with contextlib.suppress(TelegramError):  # already edited by a double tap
                await query.edit_message_reply_markup(reply_markup=None)
            await self._turn(message.chat, key, None, pressed.callback_data)

    async def on_location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        location = update.effective_message.location
        commune = get_kb().communes.nearest(location.latitude, location.longitude)
        if commune is None:
            await self.reply(update.effective_chat, render.OUTSIDE_REGION)
            return
        # The same answer as the dialogue's own commune buttons; the position itself is not kept.
        await self.converse(update.effective_chat, payload=f'/informer{{"commune": "{commune.insee}"}}',
                            before=(render.near_commune(commune.insee),))

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.converse(update.effective_chat, payload="/greet", after=(render.PRIVACY,))

    async def on_restart(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.converse(update.effective_chat, payload="/recommencer")

    async def on_forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        key = chat_key(self.token, chat.id)
        async with self._lock(key):
            conversation = await run_in_threadpool(self.chats.conversation, key)
            if conversation is not None:
                with contextlib.suppress(UnknownConversation):  # already expired or forgotten
                    await self.client.forget(conversation)
                await run_in_threadpool(self.chats.unlink, key)
            self._location_shown.discard(key)
            await chat.send_message(render.FORGOTTEN if conversation else render.NOTHING_TO_FORGET,
                                    reply_markup=ReplyKeyboardRemove())

    async def on_conseiller(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.reply(update.effective_chat, *render.conseiller())

    async def on_privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.reply(update.effective_chat, render.PRIVACY)

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.reply(update.effective_chat, render.help_text())

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.reply(update.effective_chat, render.unknown_command())

    async def on_unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.reply(update.effective_chat, render.UNSUPPORTED)

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.edited_message and update.edited_message.location:
            return  # a live location moving: not something the person typed
        await self.reply(update.effective_chat, render.EDITED)

    async def on_not_private(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.reply(update.effective_chat, render.PRIVATE_ONLY)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram update failed: %s", type(context.error).__name__, exc_info=context.error)
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is not None:
            with contextlib.suppress(TelegramError):
                await chat.send_message(fallback_text())


async def send(chat: Chat, text: str, markup: Any = None) -> None:
    """Sends a text of any length; the keyboard goes with its last part."""
    parts = render.split_message(text)
    for i, part in enumerate(parts):
        await chat.send_message(part, reply_markup=markup if i == len(parts) - 1 else None)
