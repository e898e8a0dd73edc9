"""The scripted person of the tests and benchmarks: a profile (the facts a person would answer, slot →
value) that answers each question the assistant asks as a person would, and the reference situations
it plays, read from the scenario table (knowledge/data/scenarios.yml).

`Person.answer(slot, buttons)` decides what to say; each transport only sends it: `converse` here for
the gateway's JSON API (end-to-end tests, bench/bench_questions.py), the Telegram, widget and console
tests for theirs.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import httpx
import yaml

from knowledge.scenarios import SCENARIOS_PATH, load_scenarios

UNKNOWN = "/ne_sais_pas"
WORDED = {"age", "commune", "departement", "metier"}  # open questions: the person types


@dataclass(frozen=True)
class Answer:
    """A button to press (its payload and title) or words to type."""
    text: str | None = None
    payload: str | None = None
    title: str | None = None


def _sets(payload: str) -> dict[str, Any]:
    """The slots a button's payload sets: `/informer{"statut": "salarie"}` → {"statut": "salarie"}."""
    _, brace, entities = payload.partition("{")
    try:
        return json.loads(brace + entities) if brace else {}
    except ValueError:
        return {}


@dataclass(frozen=True)
class Person:
    """Someone who knows `profil` (slot → value as in knowledge/profile.py) and nothing else."""
    profil: Mapping[str, Any]
    inconnus: frozenset[str] = field(default_factory=frozenset)

    def value(self, slot: str) -> Any:
        slot = "commune" if slot == "departement" else slot
        return None if slot in self.inconnus else self.profil.get(slot)

    def answer(self, slot: str, buttons: Iterable[Mapping[str, str]] = ()) -> Answer:
        """The button whose payload says the person's value when one is offered, else words."""
        value, buttons = self.value(slot), list(buttons)
        wanted = (UNKNOWN if value is None else "/affirm" if value is True else "/deny" if value is False
                  else None)
        for button in buttons:
            payload = button.get("payload") or ""
            if payload == wanted or (wanted is None and value is not None and any(
                    str(v) == str(value) for k, v in _sets(payload).items() if k in (slot, "commune"))):
                return Answer(payload=payload, title=button.get("title"))
        if value is not None and not isinstance(value, bool) and slot not in WORDED:
            return Answer(payload="/informer" + json.dumps({slot: value}))  # a closed value is clicked
        return Answer(text=self.words(slot, value))

    @staticmethod
    def words(slot: str, value: Any) -> str:
        if value is None:
            return "je ne sais pas"
        if isinstance(value, bool):
            return "oui" if value else "non"
        if slot == "age":
            return f"{value} ans"
        if slot in ("commune", "departement"):
            from knowledge import get_kb

            commune = get_kb().communes.get(str(value))
            return commune.nom if commune else str(value)
        return str(value)


def question_buttons(slot: str) -> list[dict[str, str]]:
    """The buttons the domain offers under the question for `slot` (title, payload), for the surfaces
    that show only titles (widget, console)."""
    domain = SCENARIOS_PATH.parents[2] / "bot" / "domain" / "profil.yml"
    responses = yaml.safe_load(domain.read_text(encoding="utf-8"))["responses"]
    return responses.get(f"utter_ask_{slot}", [{}])[0].get("buttons", [])


# Someone for the tests that need an orientation, not a particular one: a job seeker of 45 in Tours.
EVERYDAY = Person({"besoin": "emploi", "statut": "demandeur_emploi", "age": 45, "commune": "37261",
                   "metier": "cuisinier", "secteur": "artisanat", "cadre": False, "handicap": False,
                   "contrat": "cdd"})


@dataclass(frozen=True)
class Reference:
    """One of the four reference situations: the scenario, what the person says first, and the person
    (the scenario's profile, plus their age and commune when the words say them and the table does not).

    `said`: slots the first words state, never asked again; `shown`: slots the orientation's profile
    must hold with the person's value.
    """
    scenario: Mapping[str, Any]
    words: str
    person: Person
    said: tuple[str, ...]
    shown: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.scenario["id"]

    @property
    def attendu(self) -> Mapping[str, Any]:
        return self.scenario["attendu"]


# What each reference person says first, the facts the words add to the table's profile, `said`, `shown`.
_FIRST_WORDS = {
    "situation-1-parent-licenciee": (
        "Bonjour, je viens d'être licenciée et je voudrais savoir ce que je peux faire pour moi. "
        "J'ai 45 ans, j'habite à Bourges.", {"age": 45, "commune": "18033"}, ("age", "statut"), ("statut",)),
    "situation-2-apprentissage-cuisine": (
        "salut jai 19 ans je cherche un apprentissage en cuisine vers orleans", {},
        ("age", "metier"), ("age", "commune")),
    "situation-3-jeune-salariee-fin-de-cdd": (
        "j'ai 24 ans, je suis en CDD à Tours et mon contrat se termine le mois prochain, "
        "je voudrais savoir quoi faire après", {"commune": "37261"}, ("age",), ("contrat",)),
    "situation-4-jeune-decrocheur": (
        "jai 17 ans g arreté le lycée l'an dernier et depuis je fais rien, je voudrais reprendre une "
        "formation", {"commune": "36044"}, ("age",), ("statut",)),
}


def reference_situations() -> list[Reference]:
    """The four reference situations, in the table's order (its first four scenarios)."""
    scenarios = load_scenarios()[:4]
    assert [s["id"] for s in scenarios] == list(_FIRST_WORDS), "scenarios.yml: the reference situations moved"
    references = []
    for scenario in scenarios:
        words, facts, said, shown = _FIRST_WORDS[scenario["id"]]
        person = Person({**facts, **scenario["profil"]}, frozenset(scenario.get("inconnus", ())))
        references.append(Reference(scenario, words, person, said, shown))
    return references


class NoOrientation(AssertionError):
    pass


def converse(gateway: httpx.Client, first: str, person: Person = EVERYDAY, max_turns: int = 8,
             conversation: str | None = None) -> tuple[dict[str, Any], list[str], str]:
    """Over the gateway's JSON API: say `first`, let `person` answer every question until the
    orientation arrives.

    Returns (the orientation message, the slots asked in order, the conversation id); raises
    NoOrientation when the assistant stops asking without recommending, or asks twice the same.
    """
    conversation = conversation or gateway.post("/api/conversations").json()["id"]
    body, asked = {"text": first}, []
    for _ in range(max_turns):
        reply = gateway.post(f"/api/conversations/{conversation}/messages", json=body)
        if reply.status_code != 200:
            raise NoOrientation(reply.text)
        data = reply.json()
        for message in data["messages"]:
            if (message.get("custom") or {}).get("type") == "orientation":
                return message, asked, conversation
        slot = data["state"]["requested_slot"]
        if not slot:
            raise NoOrientation(f"no question and no orientation after {asked}: {data['messages']}")
        if slot in asked:
            raise NoOrientation(f"asked {slot} twice")
        asked.append(slot)
        answer = person.answer(slot, [b for m in data["messages"] for b in m.get("buttons") or []])
        body = {"payload": answer.payload} if answer.payload else {"text": answer.text}
    raise NoOrientation(f"no orientation after {asked}")
