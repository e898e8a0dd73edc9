"""How many questions before a recommendation, when the first message describes the situation.

Starts the real stack, plays a scripted person for each first message below (bench/persona.py)
and prints the number of questions asked for each, their median and the networks reached.
Target: median <= 3 when the first message describes the situation.
"""
from __future__ import annotations

import statistics
import sys

import httpx

from bench.bench_gateway import started_stack
from bench.persona import NoOrientation, converse

FIRST_MESSAGES = [
    "Bonjour, je viens d'être licenciée et je voudrais savoir ce que je peux faire. J'ai 45 ans, j'habite à Bourges.",
    "salut jai 19 ans je cherche un apprentissage en cuisine vers orleans",
    "j'ai 24 ans, je suis en CDD à Tours et mon contrat se termine le mois prochain",
    "jai 17 ans g arreté le lycée l'an dernier et depuis je fais rien",
    "je suis aide-soignante depuis 12 ans et je voudrais faire une VAE",
    "je suis en terminale à Chartres et je sais pas quoi faire après le bac",
    "étudiant en L2 à Tours, je veux changer de filière",
    "je suis salarié en CDI, cadre, et je veux me reconvertir",
    "je voudrais créer mon entreprise de plomberie, je suis au chômage depuis 3 mois",
    "j'ai une RQTH et je cherche du travail à Blois",
    "je suis fonctionnaire territoriale et je veux évoluer",
    "jsuis au chomage jai 22 ans a vierzon",
    "je voudrais financer une formation de comptable, je suis salariée",
    "je cherche un apprentissage de boulanger à Montargis",
    "je suis auto-entrepreneur et je veux faire un bilan de compétences",
    "mère au foyer depuis 10 ans, je voudrais reprendre un travail, j'habite Dreux",
    "j'ai 30 ans je suis intérimaire à Châteauroux et je cherche un emploi stable",
    "je suis en 3e et je veux devenir mécanicien",
    "bonjour je cherche une formation",
    "je veux changer de métier",
]


def main() -> int:
    with started_stack() as settings, httpx.Client(base_url=settings.gateway_url, timeout=60) as gateway:
        counts = []
        for first in FIRST_MESSAGES:
            try:
                message, asked, _ = converse(gateway, first)
            except NoOrientation as exc:
                print(f"  ÉCHEC  {first[:60]!r}: {exc}")
                continue
            counts.append(len(asked))
            reseaux = message["custom"]["orientation"]["reseaux"]
            print(f"  {len(asked)} question(s) {asked!s:40s} -> {reseaux}  « {first[:55]} »")
    print(f"{len(counts)}/{len(FIRST_MESSAGES)} reached a recommendation; "
          f"median questions = {statistics.median(counts)}, mean = {statistics.mean(counts):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
