"""Message round trip through the gateway (JSON API and the widget's WebSocket) vs. straight to
Rasa's REST channel, under concurrency.

Starts the real stack (action server, Rasa, gateway) on free loopback ports, or uses a running
gateway given with --gateway URL (and --rasa URL for the direct comparison). Prints p50/p95 per
message for both paths and the gateway's overhead. Asserts nothing.

By default each person sends the next message as soon as the answer arrives (the saturating
case). With --pause S, people arrive over S seconds and each reads and types for S seconds on
average (0.5 S to 1.5 S) before the next message: the "20 people chatting at once" case.

    .venv/bin/python -m bench.bench_gateway --conversations 20 --turns 5
    .venv/bin/python -m bench.bench_gateway --conversations 20 --turns 5 --pause 5
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import websockets

from bot.passerelle import HEADER, SECRET_ENV, WEBHOOK
from bot.run import Stack, loopback_settings

PAUSE = random.Random(20261201)
TURNS = ["bonjour", "j'ai 24 ans je suis en CDD à Tours", "je voudrais changer de métier",
         "non", "c'est quoi le CPF ?", "tu es un robot ?", "merci"]


async def think(pause: float, turn: int) -> None:
    """The person reads the answer and types the next message; people arrive over one pause."""
    if pause:
        await asyncio.sleep(PAUSE.uniform(0.5, 1.5) * pause if turn else PAUSE.uniform(0, pause))


def summary(name: str, samples: list[float]) -> float:
    samples = sorted(samples)
    p50 = statistics.median(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"{name:<8} n={len(samples):4d}  p50={p50:7.1f} ms  p95={p95:7.1f} ms  max={samples[-1]:7.1f} ms")
    return p50


async def via_gateway(client: httpx.AsyncClient, turns: int, samples: list[float],
                      pause: float = 0) -> None:
    conversation = (await client.post("/api/conversations")).json()["id"]
    for i, text in enumerate((TURNS * 3)[:turns]):
        await think(pause, i)
        start = time.perf_counter()
        r = await client.post(f"/api/conversations/{conversation}/messages", json={"text": text})
        samples.append((time.perf_counter() - start) * 1000)
        r.raise_for_status()


async def via_websocket(client: httpx.AsyncClient, turns: int, samples: list[float],
                        pause: float = 0) -> None:
    conversation = (await client.post("/api/conversations")).json()["id"]
    url = f"{str(client.base_url).replace('http', 'ws', 1).rstrip('/')}/api/conversations/{conversation}/ws"
    async with websockets.connect(url) as ws:
        for i, text in enumerate((TURNS * 3)[:turns]):
            await think(pause, i)
            start = time.perf_counter()
            await ws.send(json.dumps({"type": "message", "id": str(i), "text": text}))
            while (frame := json.loads(await ws.recv()))["type"] == "typing":
                pass
            samples.append((time.perf_counter() - start) * 1000)
            if frame["type"] != "reply":
                raise RuntimeError(frame)


async def direct(client: httpx.AsyncClient, sender: str, turns: int, samples: list[float],
                 pause: float = 0) -> None:
    for i, text in enumerate((TURNS * 3)[:turns]):
        await think(pause, i)
        start = time.perf_counter()
        r = await client.post(WEBHOOK, json={"sender": sender, "message": text})
        samples.append((time.perf_counter() - start) * 1000)
        r.raise_for_status()


async def measure(gateway: str, rasa: str, secret: str, conversations: int, turns: int, pause: float = 0) -> None:
    """`secret`: the stack's SPRO_RASA_TOKEN, which Rasa's only channel requires (bot/passerelle.py)."""
    limits = httpx.Limits(max_connections=conversations * 2)
    async with httpx.AsyncClient(base_url=gateway, timeout=60, limits=limits) as g, \
            httpx.AsyncClient(base_url=rasa, timeout=60, limits=limits, headers={HEADER: secret}) as r:
        await via_gateway(g, 2, [])  # warm-up: first parse loads lazily
        gw: list[float] = []
        ws: list[float] = []
        dr: list[float] = []
        for round_ in range(2):  # interleave the paths so all see the same machine load
            await asyncio.gather(*(via_gateway(g, turns, gw, pause) for _ in range(conversations)))
            await asyncio.gather(*(via_websocket(g, turns, ws, pause) for _ in range(conversations)))
            await asyncio.gather(*(direct(r, f"bench-{round_}-{i}-{time.time_ns()}", turns, dr, pause)
                                   for i in range(conversations)))
    pace = f", {pause:g} s between a person's messages on average" if pause else ", back to back"
    print(f"{conversations} concurrent conversations x {turns} messages x 2 rounds{pace}")
    g50 = summary("api", gw)
    w50 = summary("ws", ws)
    d50 = summary("rasa", dr)
    for name, p50 in (("api", g50), ("ws", w50)):
        print(f"gateway overhead, {name} (p50): {p50 - d50:+.1f} ms ({(p50 - d50) / d50 * 100:+.1f} %)")


@contextlib.contextmanager
def started_stack():
    """The real stack on free loopback ports with a throw-away data directory; yields its settings."""
    data = Path(tempfile.mkdtemp())
    settings = loopback_settings(data)
    stack = Stack(settings, log_dir=data / "logs")
    start = time.monotonic()
    stack.start()
    try:
        stack.wait_ready(timeout=300)
        print(f"stack ready in {time.monotonic() - start:.1f} s")
        yield settings
    finally:
        stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--pause", type=float, default=0,
                        help="mean seconds a person takes to read and type (0: back to back)")
    parser.add_argument("--gateway")
    parser.add_argument("--rasa", help=f"Rasa's URL (with --gateway; the secret from {SECRET_ENV})")
    args = parser.parse_args()
    if args.gateway:
        asyncio.run(measure(args.gateway, args.rasa, os.environ.get(SECRET_ENV, ""), args.conversations,
                            args.turns, args.pause))
        return
    with started_stack() as settings:
        asyncio.run(measure(settings.gateway_url, settings.rasa_url, settings.rasa_token, args.conversations,
                            args.turns, args.pause))


if __name__ == "__main__":
    main()
