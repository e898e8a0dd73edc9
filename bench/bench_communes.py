"""Commune resolution speed: what people type, resolved to communes. Prints numbers, asserts nothing."""
from __future__ import annotations

import statistics
import time

from knowledge.communes import load_communes

TYPED = ["Tours", "chateauroux", "joue les tours", "st amand", "chateaurou", "37000", "loiret",
         "vineuil 41", "bourge", "orleans", "le blanc", "vierson", "la chapelle", "41000"]
SENTENCES = ["j'ai 24 ans je suis en CDD à Tours et je voudrais changer de métier",
             "jsuis au chomage depuis 2 mois j'habite vers chateauroux", "j'ai 19 ans"]


def timed(fn, inputs, rounds=200) -> list[float]:
    samples = []
    for _ in range(rounds):
        for text in inputs:
            start = time.perf_counter()
            fn(text)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    start = time.perf_counter()
    communes = load_communes()
    print(f"load: {(time.perf_counter() - start) * 1000:.1f} ms, {len(communes.all())} communes")
    for name, fn, inputs in (("resolve", communes.resolve, TYPED),
                             ("find_in_text", communes.find_in_text, SENTENCES)):
        samples = sorted(timed(fn, inputs))
        p95 = samples[int(len(samples) * 0.95)]
        print(f"{name}: n={len(samples)} p50={statistics.median(samples):.3f} ms p95={p95:.3f} ms")


if __name__ == "__main__":
    main()
