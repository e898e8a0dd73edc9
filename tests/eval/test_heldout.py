"""The held-out evaluation sets stay held out, and their labels agree with the knowledge base."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bench.bench_understanding import load_distress, load_first_messages
from knowledge import get_kb
from knowledge.profile import SLOTS
from knowledge.texte import words

ROOT = Path(__file__).resolve().parents[2]


def training_texts() -> list[str]:
    texts = []
    for path in sorted((ROOT / "nlu_data").rglob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in (item.get("examples") or "").splitlines():
                line = re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}", r"\1\2", line.strip().lstrip("- "))
                if line:
                    texts.append(words(line))
    return texts


def eval_texts() -> list[tuple[str, str]]:
    sets = load_distress()
    return ([(m["id"], m["texte"]) for m in load_first_messages()]
            + [(m["id"], m["texte"]) for m in sets["detresse"] + sets["ordinaire"]])


def test_no_evaluation_message_is_in_the_training_data():
    training = training_texts()
    whole = set(training)
    joined = "\n".join(training)
    copied = []
    for ident, text in eval_texts():
        # Two-word answers ("oui", "en 3e") are everybody's words, not copies.
        if len(words(text).split()) >= 4 and words(text) in whole:
            copied.append(ident)
            continue
        # nor any long sentence of it (a message cut into training examples)
        for sentence in re.split(r"[.!?…\n]+", text):
            folded = words(sentence)
            if len(folded) >= 40 and folded in joined:
                copied.append(ident)
                break
    assert copied == []


def test_the_sets_are_big_enough_and_ids_unique():
    firsts, sets = load_first_messages(), load_distress()
    assert len(firsts) >= 200 and len(sets["detresse"]) >= 60
    ids = [i for i, _ in eval_texts()]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("item", load_first_messages(), ids=lambda m: m["id"])
def test_each_label_is_what_the_knowledge_base_routes(item):
    profil = {**(item.get("reponses") or {}), **(item.get("faits") or {})}
    assert set(profil) <= set(SLOTS)
    reseaux = get_kb().route(profil)["reseaux"]
    assert (reseaux[0] if reseaux else "aucun") == item["porte"]
