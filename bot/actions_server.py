"""The action server (rasa_sdk), answering Rasa only.

rasa_sdk 3.6 runs any action for any caller. This is its own server (`rasa_sdk.endpoint.create_app`)
with one request check: `/webhook` needs Rasa's header `X-Spro-Passerelle` (the launcher's
`SPRO_RASA_TOKEN`, which Rasa sends from endpoints.yml), so a forged `action_orienter` call
cannot write a fiche. `/health` stays open for the gateway's health check.

    python -m bot.actions_server --port 5055      (what bot/run.py starts)
"""
from __future__ import annotations

import argparse
import logging
import os

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import response

from bot.passerelle import HEADER, SECRET_ENV, secret_matches

log = logging.getLogger("spro.actions")


def app(secret: str):
    server = create_app("actions", cors_origins=None)

    @server.on_request
    async def only_rasa(request):
        if request.path != "/health" and not secret_matches(request.headers, secret):
            return response.json({"detail": "Réservé à Rasa."}, status=401)
        return None

    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-8s %(name)s  - %(message)s")
    secret = os.environ.get(SECRET_ENV, "")
    if not secret:
        raise SystemExit(f"{SECRET_ENV} manquant : le serveur d'actions ne répond qu'à Rasa.")
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    log.info("Action endpoint on http://%s:%d (header %s required)", host, args.port, HEADER)
    app(secret).run(host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
