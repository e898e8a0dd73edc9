"""End-to-end latency of the Telegram channel: a person's update queued in a local fake Bot API
server → the bot's first sendMessage recorded there, through the real python-telegram-bot client
(long polling), the gateway, Rasa and the action server; then the same messages through the
gateway's JSON API, for comparison. Prints p50/p95. Asserts nothing.

    .venv/bin/python -m bench.bench_telegram --messages 30 --chats 3
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import httpx

from bench.bench_gateway import TURNS, started_stack
from tests.telegram.fake_bot_api import DEFAULT_TOKEN, FakeBotApi


def percentile(samples: list[float], q: float) -> float:
    samples = sorted(samples)
    return samples[max(0, round(len(samples) * q) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=30)
    parser.add_argument("--chats", type=int, default=3, help="conversations the messages are spread over")
    args = parser.parse_args()
    with FakeBotApi() as api:
        # The stack's gateway inherits these, so its Telegram channel polls the fake server.
        os.environ.update(TELEGRAM_TOKEN=DEFAULT_TOKEN, TELEGRAM_BASE_URL=api.base_url, TELEGRAM_MODE="polling")
        with started_stack() as settings:
            api.wait_for(lambda calls: any(c.method == "getUpdates" for c in calls), what="polling")
            chats = [1_000_000 + i for i in range(args.chats)]
            for chat in chats:  # warm-up: first parses load lazily
                mark = api.mark()
                api.send_text(chat, "bonjour")
                api.wait_for_message(chat, mark, lambda c: True)
            samples = []
            for i in range(args.messages):
                chat = chats[i % len(chats)]
                text = TURNS[(i // len(chats)) % len(TURNS)]
                mark = api.mark()
                queued = time.perf_counter()  # Call.at uses the same clock
                api.send_text(chat, text)
                reply = api.wait_for_message(chat, mark, lambda c: True)
                samples.append((reply.at - queued) * 1000)
            direct = via_api(settings.gateway_url, args.messages, len(chats))
    print(f"{args.messages} messages over {len(chats)} conversations, one at a time")
    summary("Telegram (update queued -> first sendMessage)", samples)
    summary("JSON API of the same gateway (round trip)", direct)


def via_api(gateway: str, messages: int, conversations: int) -> list[float]:
    """The same messages through the gateway's JSON API: what the channel adds on top of it."""
    samples = []
    with httpx.Client(base_url=gateway, timeout=60) as client:
        ids = [client.post("/api/conversations").json()["id"] for _ in range(conversations)]
        for conversation in ids:
            client.post(f"/api/conversations/{conversation}/messages", json={"text": "bonjour"})
        for i in range(messages):
            start = time.perf_counter()
            client.post(f"/api/conversations/{ids[i % conversations]}/messages",
                        json={"text": TURNS[(i // conversations) % len(TURNS)]}).raise_for_status()
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(name: str, samples: list[float]) -> None:
    print(f"{name:<48} p50={statistics.median(samples):6.1f} ms  "
          f"p95={percentile(samples, 0.95):6.1f} ms  max={max(samples):6.1f} ms")


if __name__ == "__main__":
    main()
