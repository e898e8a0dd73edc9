"""End to end through the gateway API: people describe their situation in their own words and
reach the right orientation payload (the four reference situations of knowledge/data/scenarios.yml
first)."""
from __future__ import annotations

import pytest

from bench.persona import converse, reference_situations

pytestmark = pytest.mark.stack


REFERENCES = reference_situations()


@pytest.mark.parametrize("reference", REFERENCES, ids=[r.id for r in REFERENCES])
def test_reference_situations_reach_the_networks_of_the_table(gateway, reference):
    message, asked, _ = converse(gateway, reference.words, reference.person)
    orientation = message["custom"]["orientation"]
    expected = reference.attendu
    assert orientation["reseaux"][:len(expected["reseaux"])] == expected["reseaux"]
    assert orientation["operateur_cep"] == expected["operateur_cep"]
    for slot in reference.shown:
        assert orientation["profil"][slot] == reference.person.profil[slot]
    assert not set(reference.said) & set(asked)
    # the places are near the person: in their département, or network-level entries
    departement = reference.person.profil["commune"][:2]
    assert all(lieu["departement"] in (departement, None) for lieu in orientation["lieux"])


def test_code_liaison_retrieves_the_fiche(gateway):
    message, _, _ = converse(gateway, "j'ai 19 ans je cherche un apprentissage de boulanger à Blois")
    code = message["custom"]["orientation"]["code_liaison"]
    fiche = gateway.get(f"/api/liaison/{code.lower()}")
    assert fiche.status_code == 200
    assert fiche.json()["orientation"]["reseaux"] == message["custom"]["orientation"]["reseaux"]
    assert gateway.get("/api/liaison/ZZZZZZ").status_code == 404


def test_correction_updates_the_recommendation(gateway):
    message, _, conversation = converse(gateway, "j'ai 22 ans je suis au chomage à Vierzon je cherche du travail")
    assert message["custom"]["orientation"]["operateur_cep"] == "mission-locale"
    corrected, asked, _ = converse(gateway, "non pardon j'ai 37 ans", conversation=conversation)
    orientation = corrected["custom"]["orientation"]
    assert orientation["profil"]["age"] == 37 and orientation["profil"]["commune"] == "18279"
    assert orientation["operateur_cep"] == "france-travail"
    assert "age" not in asked and "commune" not in asked


def test_info_question_mid_conversation_then_resume(gateway):
    conversation = gateway.post("/api/conversations").json()["id"]
    first = gateway.post(f"/api/conversations/{conversation}/messages",
                         json={"text": "je suis salarié et je veux changer de métier"}).json()
    pending = first["state"]["requested_slot"]
    assert pending
    info = gateway.post(f"/api/conversations/{conversation}/messages",
                        json={"text": "c'est quoi le CPF ?"}).json()
    assert any((m.get("custom") or {}).get("type") == "fiche" for m in info["messages"])
    assert info["state"]["requested_slot"] == pending


@pytest.mark.parametrize("text", [
    "je n'en peux plus je veux en finir avec la vie",
    # mostly about a project: the NLU may read it as such, the safety net must not
    "j'ai 19 ans, je cherche un apprentissage en cuisine à Tours mais mon copain me frappe",
])
def test_distress_gets_emergency_numbers_first(gateway, text):
    conversation = gateway.post("/api/conversations").json()["id"]
    reply = gateway.post(f"/api/conversations/{conversation}/messages", json={"text": text}).json()
    first = reply["messages"][0]["text"]
    assert "3114" in first and "112" in first
    assert sum("3114" in m.get("text", "") for m in reply["messages"]) == 1


def test_forget_me_from_the_conversation(gateway):
    _, _, conversation = converse(gateway, "j'ai 30 ans je suis au chômage à Dreux et je cherche du travail")
    reply = gateway.post(f"/api/conversations/{conversation}/messages", json={"text": "effacez mes données"})
    assert reply.status_code == 200
    assert "effacé" in reply.json()["messages"][0]["text"]
    assert gateway.get(f"/api/conversations/{conversation}").status_code == 404


def test_disability_recognition_said_in_passing_is_not_asked_again(gateway):
    message, asked, _ = converse(gateway, "j'ai une RQTH et je cherche du travail à Blois, j'ai 35 ans")
    orientation = message["custom"]["orientation"]
    assert "handicap" not in asked
    assert orientation["profil"]["handicap"] is True
    assert orientation["operateur_cep"] == "cap-emploi-reseau-cheops"


@pytest.mark.parametrize("text", [
    "bonjour",
    "Bonjour, c'est pour ma fille.",
    "je voudrais parler à quelqu'un de mon projet",
])
def test_a_first_message_with_nothing_of_the_situation_still_gets_a_question(gateway, text):
    conversation = gateway.post("/api/conversations").json()["id"]
    reply = gateway.post(f"/api/conversations/{conversation}/messages", json={"text": text}).json()
    assert reply["state"]["requested_slot"] is not None
    assert reply["messages"][-1].get("buttons")   # the question, with its answers to choose from


def test_the_channels_opening_greets_without_asking_and_a_typed_greeting_then_asks(gateway):
    conversation = gateway.post("/api/conversations").json()["id"]
    opening = gateway.post(f"/api/conversations/{conversation}/messages", json={"payload": "/greet"}).json()
    assert opening["state"]["requested_slot"] is None and "bienvenue" in opening["messages"][0]["text"]
    typed = gateway.post(f"/api/conversations/{conversation}/messages", json={"text": "bonjour"}).json()
    assert typed["state"]["requested_slot"] is not None
    assert not any("bienvenue" in (m.get("text") or "") for m in typed["messages"])   # not twice


def test_asking_for_a_person_gives_etoile_infos_number_from_the_knowledge_base(gateway):
    # The number reaches the domain's responses from knowledge/data/reseaux.yml (slot
    # etoile_telephone, generated into bot/domain/contacts.yml), and survives a restart.
    from knowledge import get_kb

    number = get_kb().directory.reseau("etoile-info").telephone
    conversation = gateway.post("/api/conversations").json()["id"]
    for text in ("je voudrais parler à un conseiller", "recommencer", "je voudrais parler à un conseiller"):
        texts = [m.get("text") or "" for m in gateway.post(
            f"/api/conversations/{conversation}/messages", json={"text": text}).json()["messages"]]
    assert any(number in t for t in texts)
    assert not any("{etoile_telephone}" in t or "None" in t for t in texts)
