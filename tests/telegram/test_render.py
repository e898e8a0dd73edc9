"""What a Telegram user reads: long texts split for Telegram, the orientation result as a message
with its buttons (laid out from the payload's fields only), the bot's quick replies as an inline
keyboard. Pure functions."""
from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.gateway.telegram.render import (
    CALLBACK_DATA_LIMIT,
    TELEGRAM_LIMIT,
    callback_data,
    format_orientation,
    orientation_keyboard,
    render,
    split_message,
)
from knowledge import get_kb
from knowledge.directory import load_reseaux


def payload(orientation: dict) -> dict:
    """The orientation payload as the action sends it: the contract's fields and their presentation."""
    return {**orientation, **get_kb().presentation(orientation)}


ORIENTATION = payload({
    "reseaux": ["cma", "mission-locale"],
    "operateur_cep": "mission-locale",
    "lieux": [
        {"id": "reseau:cma", "reseau": "cma", "nom": "Chambre de métiers et de l'artisanat",
         "commune": None, "code_insee": None, "departement": None, "adresse": None,
         "telephone": None, "site_web": "https://www.artisanat.fr", "distance_km": None},
        {"id": "ml-test", "reseau": "mission-locale", "nom": "Mission locale de test",
         "commune": "Orléans", "code_insee": "45234", "departement": "45",
         "adresse": "1 rue de l'Exemple", "telephone": "02 00 00 00 00",
         "site_web": "https://mission-locale.example.org", "distance_km": 2.4},
    ],
    "raisons": [
        {"regle": "apprentissage-artisanat", "texte": "Vous cherchez un apprentissage dans l'artisanat."},
        {"regle": "cep-jeune-sans-emploi", "texte": "Vous avez 25 ans ou moins et pas d'emploi."},
    ],
    "profil": {"age": 19, "statut": "decrocheur", "besoin": "apprentissage", "metier": "cuisinier",
               "commune": "45234", "departement": "45"},
    "code_liaison": "K7M2QX",
})


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_a_short_message_is_left_alone():
    assert split_message("Bonjour !") == ["Bonjour !"]
    assert split_message("x" * TELEGRAM_LIMIT) == ["x" * TELEGRAM_LIMIT]


def test_long_messages_are_cut_between_lines():
    lines = [f"Ligne {i} : " + "mot " * 20 for i in range(200)]
    text = "\n".join(line.strip() for line in lines)
    parts = split_message(text)
    assert len(parts) > 1 and all(units(p) <= TELEGRAM_LIMIT for p in parts)
    assert "\n".join(parts) == text  # every cut fell on a line break, nothing lost
    assert all(p.startswith("Ligne ") for p in parts)


def test_a_long_paragraph_is_cut_between_words():
    text = " ".join(f"mot{i}" for i in range(2000))
    parts = split_message(text)
    assert len(parts) > 1 and all(units(p) <= TELEGRAM_LIMIT for p in parts)
    assert " ".join(parts).split() == text.split()


def test_text_without_spaces_is_cut_anywhere_and_emoji_count_double():
    assert [len(p) for p in split_message("a" * 9000)] == [4096, 4096, 808]
    parts = split_message("😀" * 3000)  # each counts for two UTF-16 units in Telegram's limit
    assert [len(p) for p in parts] == [2048, 952]
    assert all(units(p) <= TELEGRAM_LIMIT for p in parts)


def test_the_orientation_reads_as_a_message():
    text = format_orientation(ORIENTATION)
    lines = text.splitlines()
    assert lines[0].startswith("Si je résume : vous avez 19 ans") and "Orléans" in lines[0]
    assert "Je vous conseille de vous adresser à : Chambre de métiers et de l'artisanat." in lines
    assert "Autre possibilité : Mission locale." in lines
    assert "Pourquoi :" in lines
    assert "• Vous cherchez un apprentissage dans l'artisanat." in lines
    assert "• Mission locale de test" in lines
    assert "  1 rue de l'Exemple, Orléans (à 2 km)" in lines
    assert "  Tél. 02 00 00 00 00" in lines
    assert "  https://mission-locale.example.org" in lines
    assert "Votre code de liaison : K7M2QX" in lines
    assert ("Donnez ce code à la structure ou à Etoile Info (0 800 222 100) : vous n'aurez pas à tout "
            "réexpliquer. Il ne contient aucune information sur votre identité.") in lines
    # the CEP operator is already among the networks: not said twice
    assert "conseil en évolution professionnelle" not in text


def test_a_cep_operator_outside_the_networks_gets_its_own_line():
    adult = payload({**ORIENTATION, "reseaux": ["cma"], "operateur_cep": "cep-actifs-occupes",
                     "profil": {"age": 30, "statut": "salarie", "besoin": "apprentissage"}})
    lines = format_orientation(adult).splitlines()
    assert "Je vous conseille de vous adresser à : Chambre de métiers et de l'artisanat." in lines
    assert ("Pour un conseil en évolution professionnelle, gratuit : Conseil en évolution "
            "professionnelle (actifs occupés).") in lines
    assert not any(line.startswith("Autre possibilité") for line in lines)


def test_the_orientation_is_laid_out_from_its_payload_fields_only():
    """Whatever the server worded is what Telegram shows: no sentence of its own, no name looked up."""
    worded = {**ORIENTATION, "annuaire": {"cma": {"nom": "Nom A", "site_web": None}},
              "textes": {"resume": "Résumé T.", "porte": "Porte T.", "autres_portes": "Autres T.",
                         "cep": "CEP T.", "pourquoi": "Raisons T", "lieux": "Lieux T",
                         "code": "Code T", "suite": "Suite T."}}
    lines = format_orientation(worded).splitlines()
    assert lines[:5] == ["Résumé T.", "", "Porte T.", "Autres T.", "CEP T."]
    assert ["Raisons T :", "Lieux T :", "Code T : K7M2QX", "Suite T."] == [
        line for line in lines if line.endswith(("T :", "K7M2QX", "Suite T."))]
    assert "Chambre de métiers et de l'artisanat." not in lines and "Je vous conseille" not in "".join(lines)


def test_the_orientation_has_website_buttons_then_recommencer():
    rows = orientation_keyboard(ORIENTATION).inline_keyboard
    assert [b.url for row in rows[:-1] for b in row] == ["https://www.artisanat.fr",
                                                        "https://mission-locale.example.org"]
    assert [(b.text, b.callback_data) for b in rows[-1]] == [("Recommencer", "/recommencer")]


def test_without_a_place_website_the_network_site_is_offered():
    bare = payload({**ORIENTATION, "lieux": [{"nom": "Quelque part", "reseau": "france-travail"}],
                    "reseaux": ["france-travail"], "code_liaison": None})
    rows = orientation_keyboard(bare).inline_keyboard
    assert rows[0][0].url == load_reseaux()["france-travail"].reseau.site_web
    assert "code de liaison" not in format_orientation(bare)


def test_an_orientation_message_is_rendered_from_its_payload_not_its_text():
    text, markup = render({"text": "texte brut", "custom": {"type": "orientation", "orientation": ORIENTATION}})
    assert "texte brut" not in text
    assert text.splitlines()[2] == "Je vous conseille de vous adresser à : Chambre de métiers et de l'artisanat."
    assert "Votre code de liaison : K7M2QX" in text.splitlines()
    assert isinstance(markup, InlineKeyboardMarkup)
    assert markup.inline_keyboard[-1][0].callback_data == "/recommencer"


def test_quick_replies_become_an_inline_keyboard():
    text, markup = render({"text": "Êtes-vous cadre ?", "buttons": [
        {"title": "Oui", "payload": "/affirm"}, {"title": "Non", "payload": "/deny"}]})
    assert text == "Êtes-vous cadre ?"
    assert [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard] == [
        [("Oui", "/affirm"), ("Non", "/deny")]]
    _, markup = render({"text": "Quelle est votre situation ?", "buttons": [
        {"title": "Sorti·e de l'école sans diplôme", "payload": '/informer{"statut": "decrocheur"}'},
        {"title": "Retraité·e", "payload": '/informer{"statut": "retraite"}'}]})
    assert [len(row) for row in markup.inline_keyboard] == [1, 1]  # long titles: one per row
    assert render({"text": "Bonjour"}) == ("Bonjour", None)
    assert render({"custom": {"type": "autre"}}) is None


def test_payloads_too_long_for_telegram_are_compacted_or_left_out():
    assert callback_data("/affirm") == "/affirm"
    long = '/demander_info{"sujet": "obligation-formation-retour-formationx"}'
    assert len(long.encode()) > CALLBACK_DATA_LIMIT
    assert callback_data(long) == '/demander_info{"sujet":"obligation-formation-retour-formationx"}'
    assert callback_data('/informer{"metier": "' + "x" * 80 + '"}') is None
    _, markup = render({"text": "?", "buttons": [{"title": "Trop long", "payload": "/" + "x" * 80}]})
    assert markup is None
