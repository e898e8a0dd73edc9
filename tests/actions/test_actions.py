"""The custom actions: normalisation, the form's questions, orientation, services."""
from __future__ import annotations

import asyncio

import pytest

from actions.conversation import (
    ActionAccueillir,
    ActionDetresse,
    ActionEnregistrerAvis,
    ActionFicheInfo,
    ActionHumain,
    ActionIncomprehension,
)
from actions.orientation import ActionHorsSujet, ActionOrienter, liaisons
from actions.profil import ActionAskCommune, ValidateProfilForm, ValidateSlotMappings


def run(action, dispatcher, tracker, domain):
    return asyncio.run(action.run(dispatcher, tracker, domain))


def slots_of(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


# --- normalisation after every message ---------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ({"age": "dix-neuf"}, {"age": 19}),
    ({"age": "24"}, {"age": 24}),
    ({"age": "150"}, {"age": None}),
    ({"commune": "joue les tours"}, {"commune": "37122", "departement": "37"}),
    ({"commune": "chateauroux"}, {"commune": "36044", "departement": "36"}),
    ({"commune": "75011"}, {"commune": None, "departement": "hors_region"}),
    ({"commune": "loiret"}, {"commune": None, "departement": "45"}),
    ({"metier": "cuisinière"}, {"metier": "cuisinière", "secteur": "artisanat"}),
    ({"contrat": "cdd"}, {"contrat": "cdd", "statut": "salarie"}),
    ({"contrat": "alternance"}, {"contrat": "alternance", "statut": "apprenti"}),
    ({"handicap": "oui"}, {"handicap": True}),
    ({"handicap": "rqth"}, {"handicap": True}),
    ({"handicap": "non"}, {"handicap": False}),
    ({"cadre": "bac+5"}, {"cadre": True}),
    ({"statut": "chomeur"}, {"statut": "demandeur_emploi"}),
    ({"statut": "pilote de course"}, {"statut": None}),
    ({"statut": "demande"}, {"statut": None}),        # « je me demande », not « demandeur d'emploi »
    ({"besoin": "salarie"}, {"besoin": None}),
])
def test_slot_values_are_normalised(raw, expected, dispatcher, domain, make_tracker):
    events = run(ValidateSlotMappings(), dispatcher, make_tracker(raw), domain)
    assert {k: v for k, v in slots_of(events).items() if k in expected} == expected


def test_words_that_are_no_value_leave_what_was_known(dispatcher, domain, make_tracker):
    # DIET took the commune « Lèves » for a statut: the statut given before stays
    earlier = [{"event": "slot", "name": "statut", "value": "salarie"}, {"event": "user", "text": "/informer"}]
    tracker = make_tracker({"statut": "Lèves"}, text="Lèves", requested_slot="commune", events=earlier,
                           entities=[{"entity": "statut", "start": 0, "end": 5, "value": "Lèves"}])
    events = run(ValidateSlotMappings(), dispatcher, tracker, domain)
    assert slots_of(events)["statut"] == "salarie"


def test_a_contract_leaves_a_statut_given_before_alone(dispatcher, domain, make_tracker):
    tracker = make_tracker({"contrat": "cdd"})
    tracker.slots["statut"] = "demandeur_emploi"  # an earlier turn's answer
    assert slots_of(run(ValidateSlotMappings(), dispatcher, tracker, domain)) == {"contrat": "cdd"}


def test_an_ambiguous_commune_is_asked_back_with_buttons_not_guessed(dispatcher, domain, make_tracker):
    events = run(ValidateSlotMappings(), dispatcher, make_tracker({"commune": "st amand"}), domain)
    assert slots_of(events)["commune"] is None
    [message] = dispatcher.messages
    assert message["response"] == "utter_commune_ambigue"
    titles = [b["title"] for b in message["buttons"]]
    assert "Saint-Amand-Montrond (18)" in titles and len(titles) > 1


def test_the_ambiguity_is_said_once_a_turn_and_stands_for_the_commune_question(dispatcher, domain, make_tracker):
    tracker = make_tracker({"commune": "st amand"}, requested_slot="commune", active_loop="profil_form")
    run(ValidateSlotMappings(), dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_commune_ambigue"]
    # what Rasa puts in the tracker once the first validation has spoken
    tracker.events.append({"event": "bot", "text": "…", "metadata": {"utter_action": "utter_commune_ambigue"}})
    run(ValidateProfilForm(), dispatcher, tracker, domain)
    run(ActionAskCommune(), dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_commune_ambigue"]
    # the next turn, the question is asked as usual
    tracker.events.append({"event": "user", "text": "je ne sais pas"})
    run(ActionAskCommune(), dispatcher, tracker, domain)
    assert dispatcher.messages[-1]["response"] == "utter_ask_commune"


# --- the form asks what the knowledge base still needs ------------------------------------------

def next_question(events):
    return slots_of(events).get("requested_slot", "absent")


def test_apprenticeship_without_a_trade_asks_for_the_trade(dispatcher, domain, make_tracker):
    tracker = make_tracker({"besoin": "apprentissage", "age": 19, "statut": "decrocheur"})
    assert next_question(run(ValidateProfilForm(), dispatcher, tracker, domain)) == "metier"


def test_nothing_left_to_ask_ends_the_form(dispatcher, domain, make_tracker):
    tracker = make_tracker({"besoin": "apprentissage", "age": 19, "statut": "decrocheur",
                            "metier": "cuisinier", "secteur": "artisanat", "commune": "45234",
                            "departement": "45", "handicap": False})
    assert next_question(run(ValidateProfilForm(), dispatcher, tracker, domain)) is None


def test_a_bare_number_answers_the_age_question(dispatcher, domain, make_tracker):
    tracker = make_tracker({"besoin": "emploi", "statut": "demandeur_emploi"}, text="42",
                           requested_slot="age", active_loop="profil_form")
    events = run(ValidateProfilForm(), dispatcher, tracker, domain)
    assert slots_of(events)["age"] == 42
    assert next_question(events) != "age"


@pytest.mark.parametrize("answer, insee", [("Monts", "37159"), ("Vatan", "36230")])
def test_a_bare_commune_name_answers_the_commune_question(answer, insee, dispatcher, domain, make_tracker):
    """"Monts" is kept and read as its INSEE code, not dropped; Vatan's INSEE code (36230, also
    the postal code of Neuvy-Saint-Sépulchre) validated once is not read again as a postal code."""
    tracker = make_tracker({"besoin": "apprentissage", "statut": "demandeur_emploi", "age": 20,
                            "metier": "menuisier", "secteur": "artisanat", "handicap": False},
                           text=answer, requested_slot="commune", active_loop="profil_form")
    events = run(ValidateProfilForm(), dispatcher, tracker, domain)
    assert slots_of(events)["commune"] == insee
    again = make_tracker({"besoin": "apprentissage", "statut": "demandeur_emploi", "age": 20,
                          "metier": "menuisier", "secteur": "artisanat", "handicap": False, "commune": insee},
                         text=answer, requested_slot="commune", active_loop="profil_form")
    assert slots_of(run(ValidateProfilForm(), dispatcher, again, domain)).get("commune", insee) == insee
    assert [m for m in dispatcher.messages if m.get("response") == "utter_commune_ambigue"] == []


def test_a_typed_postal_code_that_is_also_an_insee_code_is_a_postal_code(dispatcher, domain, make_tracker):
    events = run(ValidateSlotMappings(), dispatcher, make_tracker({"commune": "36230"}, text="36230"), domain)
    assert slots_of(events)["commune"] is None  # Neuvy-Saint-Sépulchre and its neighbours: asked back
    assert "Neuvy-Saint-Sépulchre (36)" in [b["title"] for b in dispatcher.messages[0]["buttons"]]


def test_dont_know_is_accepted_and_never_asked_again(dispatcher, domain, make_tracker):
    tracker = make_tracker({"besoin": "emploi", "statut": "demandeur_emploi"}, text="je préfère ne pas répondre",
                           intent="ne_sais_pas", requested_slot="age", active_loop="profil_form")
    events = run(ValidateProfilForm(), dispatcher, tracker, domain)
    assert slots_of(events)["inconnus"] == ["age"]
    assert next_question(events) != "age"
    assert dispatcher.messages[0]["response"] == "utter_pas_de_souci"


# --- orientation -------------------------------------------------------------------------------

def test_orientation_payload_and_fiche_de_liaison(dispatcher, domain, make_tracker):
    tracker = make_tracker({"besoin": "apprentissage", "age": 19, "statut": "decrocheur",
                            "metier": "cuisinier", "secteur": "artisanat", "commune": "45234",
                            "departement": "45"})
    events = run(ActionOrienter(), dispatcher, tracker, domain)
    [message] = dispatcher.messages
    orientation = message["custom"]["orientation"]
    assert orientation["reseaux"][:2] == ["cma", "mission-locale"]
    assert orientation["profil"]["metier"] == "cuisinier"
    code = orientation["code_liaison"]
    assert slots_of(events)["code_liaison"] == code
    assert code in message["text"] and "Chambre de métiers" in message["text"]
    stored = liaisons().get(code.lower())
    assert stored is not None and stored.orientation["reseaux"] == orientation["reseaux"]
    assert "code_liaison" not in stored.orientation["profil"]
    # What every channel lays the orientation out from, worded once (knowledge/data/libelles.yml)
    assert orientation["annuaire"]["cma"] == {"nom": "Chambre de métiers et de l'artisanat",
                                              "site_web": "https://www.artisanat.fr"}
    assert orientation["annuaire"]["mission-locale"]["nom"] == "Mission locale"
    assert orientation["autres_portes"] == orientation["reseaux"][1:]
    assert "mission-locale" in orientation["autres_portes"]
    assert orientation["operateur_cep"] == "mission-locale" and orientation["cep_a_part"] is False
    assert orientation["contact"] == {"reseau": "etoile-info", "nom": "Etoile Info", "telephone": "0 800 222 100",
                                      "site_web": "https://www.etoile.regioncentre.fr"}
    textes = orientation["textes"]
    assert textes["resume"] == ("Si je résume : vous avez 19 ans, vous avez quitté l'école sans diplôme, vous "
                                "cherchez un apprentissage, le métier de cuisinier vous intéresse et vous "
                                "habitez à Orléans.")
    assert textes["porte"] == "Je vous conseille de vous adresser à : Chambre de métiers et de l'artisanat."
    assert textes["autres_portes"].startswith("Autre possibilité : Mission locale")
    assert textes["cep"] is None  # the CEP operator is among the networks: said once
    assert textes["suite"] == ("Donnez ce code à la structure ou à Etoile Info (0 800 222 100) : vous n'aurez "
                               "pas à tout réexpliquer. Il ne contient aucune information sur votre identité.")
    # the bot's text says the same sentences
    lines = message["text"].splitlines()
    assert [textes["resume"], textes["porte"], textes["autres_portes"]] == lines[:3]
    assert lines[-1] == f"Votre code de liaison : {code}. {textes['suite']}"
    assert set(stored.orientation) == {"reseaux", "operateur_cep", "lieux", "raisons", "profil"}


def test_a_cep_operator_outside_the_networks_is_said_on_its_own(dispatcher, domain, make_tracker):
    tracker = make_tracker({"besoin": "apprentissage", "age": 30, "statut": "salarie", "metier": "plombier",
                            "secteur": "artisanat"})
    run(ActionOrienter(), dispatcher, tracker, domain)
    orientation = dispatcher.messages[0]["custom"]["orientation"]
    assert orientation["reseaux"] == ["cma"] and orientation["operateur_cep"] == "cep-actifs-occupes"
    assert orientation["cep_a_part"] is True and orientation["autres_portes"] == []
    assert orientation["annuaire"]["cep-actifs-occupes"]["nom"] == (
        "Conseil en évolution professionnelle (actifs occupés)")
    assert orientation["textes"]["autres_portes"] is None
    assert orientation["textes"]["cep"] == ("Pour un conseil en évolution professionnelle, gratuit : "
                                            "Conseil en évolution professionnelle (actifs occupés).")
    assert orientation["textes"]["cep"] in dispatcher.messages[0]["text"].splitlines()


def test_outside_the_spro_is_said_kindly_without_a_route(dispatcher, domain, make_tracker):
    events = run(ActionOrienter(), dispatcher, make_tracker({"besoin": "hors_champ"}), domain)
    assert dispatcher.messages[0]["response"] == "utter_hors_champ"
    assert "custom" not in dispatcher.messages[0] or not dispatcher.messages[0]["custom"]
    assert slots_of(events)["code_liaison"] is None
    assert len(dispatcher.messages) == 1   # no commune: no place to name


def test_an_out_of_scope_request_names_the_nearest_france_services_once_the_commune_is_known(
        dispatcher, domain, make_tracker):
    run(ActionHorsSujet(), dispatcher, make_tracker(text="je cherche un logement", intent="out_of_scope"), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_out_of_scope"]
    dispatcher.messages.clear()
    at_vierzon = make_tracker({"commune": "18279"}, text="je cherche un logement à Vierzon", intent="out_of_scope")
    run(ActionHorsSujet(), dispatcher, at_vierzon, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_out_of_scope", "utter_lieu_hors_champ"]
    assert dispatcher.messages[1]["lieu"].startswith("France services")


def test_outside_the_spro_the_nearest_france_services_is_named(dispatcher, domain, make_tracker):
    run(ActionOrienter(), dispatcher, make_tracker({"besoin": "hors_champ", "commune": "18279"}), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_hors_champ", "utter_lieu_hors_champ"]
    assert dispatcher.messages[1]["lieu"].startswith("France services")
    assert "{lieu}" in domain["responses"]["utter_lieu_hors_champ"][0]["text"]


# --- services ----------------------------------------------------------------------------------

def test_info_card_from_the_knowledge_base(dispatcher, domain, make_tracker):
    tracker = make_tracker(intent="demander_info", entities=[{"entity": "sujet", "value": "cpf"}])
    run(ActionFicheInfo(), dispatcher, tracker, domain)
    fiche = dispatcher.messages[0]["custom"]["fiche"]
    assert fiche["key"] == "cpf" and fiche["lien"].startswith("https://")
    assert fiche["lien"] in dispatcher.messages[0]["text"]


def test_unknown_topic_offers_the_topics_and_the_orientation(dispatcher, domain, make_tracker):
    run(ActionFicheInfo(), dispatcher, make_tracker(intent="demander_info"), domain)
    assert dispatcher.messages[0]["response"] == "utter_sujets"
    assert len(dispatcher.messages[0]["buttons"]) >= 5
    assert dispatcher.messages[1]["response"] == "utter_proposer_orientation"


def test_unknown_topic_after_a_situation_asks_about_the_situation(dispatcher, domain, make_tracker):
    tracker = make_tracker({"statut": "independant", "besoin": "financement"}, intent="demander_info")
    events = run(ActionFicheInfo(), dispatcher, tracker, domain)
    assert dispatcher.messages == []
    assert any(e.get("event") == "followup" and e.get("name") == "profil_form" for e in events)


def fallback_event():
    return {"event": "user", "text": "gnagna", "parse_data": {"intent": {"name": "nlu_fallback"}}}


def test_a_first_misunderstanding_asks_the_most_useful_question(dispatcher, domain, make_tracker):
    once = make_tracker(text="gnagna", intent="nlu_fallback")
    events = run(ActionIncomprehension(), dispatcher, once, domain)
    assert dispatcher.messages[-1]["response"] == "utter_incompris_question"
    assert any(e.get("event") == "followup" and e.get("name") == "profil_form" for e in events)


def starts_the_questions(events) -> bool:
    return any(e.get("event") == "followup" and e.get("name") == "profil_form" for e in events)


GREETED = {"event": "bot", "text": "Bonjour", "metadata": {"utter_action": "utter_greet"}}
ORIENTED = {"event": "action", "name": "action_orienter"}


def test_the_channels_opening_gets_the_welcome_only(dispatcher, domain, make_tracker):
    events = run(ActionAccueillir(), dispatcher, make_tracker(text="/greet", intent="greet"), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_greet"]
    assert not starts_the_questions(events)


def test_a_typed_greeting_gets_the_welcome_once_then_the_first_question(dispatcher, domain, make_tracker):
    events = run(ActionAccueillir(), dispatcher, make_tracker(text="bonjour", intent="greet"), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_greet"] and starts_the_questions(events)
    dispatcher.messages.clear()
    again = make_tracker(text="bonjour, c'est pour mon fils", intent="greet", events=[GREETED])
    events = run(ActionAccueillir(), dispatcher, again, domain)
    assert dispatcher.messages == [] and starts_the_questions(events)   # not welcomed twice
    after = make_tracker(text="bonjour", intent="greet", events=[GREETED, ORIENTED])
    assert not starts_the_questions(run(ActionAccueillir(), dispatcher, after, domain))


def test_asking_for_a_person_gives_the_number_and_before_any_orientation_the_first_question(
        dispatcher, domain, make_tracker):
    events = run(ActionHumain(), dispatcher,
                 make_tracker(text="je voudrais parler à quelqu'un", intent="demander_humain"), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_humain", "utter_en_attendant"]
    assert all(m["response"] in domain["responses"] for m in dispatcher.messages)
    # the gateway hands a web conversation to a téléconseiller on this payload (as it forgets on "oubli")
    assert [m["custom"] for m in dispatcher.messages] == [{"type": "conseiller"}, {}]
    assert starts_the_questions(events)
    dispatcher.messages.clear()
    during = make_tracker({"besoin": "emploi"}, text="un conseiller svp", intent="demander_humain",
                          active_loop="profil_form")
    assert not starts_the_questions(run(ActionHumain(), dispatcher, during, domain))  # the rules resume it
    assert [m["response"] for m in dispatcher.messages] == ["utter_humain"]
    assert dispatcher.messages[0]["custom"] == {"type": "conseiller"}


def test_a_misunderstanding_during_the_questions_lets_the_form_ask_again(dispatcher, domain, make_tracker):
    tracker = make_tracker({"besoin": "emploi"}, text="gnagna", intent="nlu_fallback", active_loop="profil_form")
    events = run(ActionIncomprehension(), dispatcher, tracker, domain)
    assert dispatcher.messages[-1]["response"] == "utter_default"
    assert not any(e.get("event") == "followup" for e in events)


def test_an_info_card_then_starts_the_questions_when_the_situation_is_known(dispatcher, domain, make_tracker):
    tracker = make_tracker({"statut": "scolaire"}, intent="demander_info",
                           entities=[{"entity": "sujet", "value": "parcoursup-orientation-scolaire"}])
    events = run(ActionFicheInfo(), dispatcher, tracker, domain)
    assert dispatcher.messages[0]["custom"]["type"] == "fiche"
    assert any(e.get("event") == "followup" and e.get("name") == "profil_form" for e in events)


def test_an_info_card_alone_offers_the_orientation(dispatcher, domain, make_tracker):
    tracker = make_tracker(intent="demander_info", entities=[{"entity": "sujet", "value": "cpf"}])
    events = run(ActionFicheInfo(), dispatcher, tracker, domain)
    assert dispatcher.messages[-1]["response"] == "utter_proposer_orientation"
    assert dispatcher.messages[-1]["response"] in domain["responses"]
    assert not any(e.get("event") == "followup" for e in events)


def test_second_misunderstanding_in_a_row_offers_buttons_and_a_person(dispatcher, domain, make_tracker):
    twice = make_tracker(text="blabla", intent="nlu_fallback", events=[fallback_event()])
    run(ActionIncomprehension(), dispatcher, twice, domain)
    assert dispatcher.messages[-1]["response"] == "utter_incompris_deux_fois"


def test_misunderstood_text_is_still_tried_as_the_pending_answer(dispatcher, domain, make_tracker):
    tracker = make_tracker({"besoin": "emploi"}, text="Vierzon", intent="nlu_fallback",
                           requested_slot="commune", active_loop="profil_form")
    events = run(ActionIncomprehension(), dispatcher, tracker, domain)
    assert slots_of(events) == {"commune": "18279", "departement": "18"}
    assert dispatcher.messages == []


def avis_rows() -> list[tuple[str, str, bool]]:
    """The rows of the avis table, read back from the database the actions write to (a new engine
    on the same URL: only committed rows are seen)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from knowledge.liaison import AvisRow, LiaisonStore

    with Session(LiaisonStore().engine) as s:
        return [(r.canal, r.besoin, r.utile) for r in s.scalars(select(AvisRow).order_by(AvisRow.id))]


def test_satisfaction_is_recorded(dispatcher, domain, make_tracker):
    before = avis_rows()
    tracker = make_tracker({"besoin": "vae"}, intent="donner_avis", entities=[{"entity": "avis", "value": "pas_utile"}])
    run(ActionEnregistrerAvis(), dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"] == "utter_merci_avis_negatif"
    assert avis_rows() == before + [("web", "vae", False)]


def test_words_taken_for_an_opinion_before_any_orientation_start_the_questions(dispatcher, domain, make_tracker):
    before = avis_rows()
    tracker = make_tracker(text="je sais pas si c'est le bon endroit", intent="donner_avis")
    events = run(ActionEnregistrerAvis(), dispatcher, tracker, domain)
    assert avis_rows() == before
    assert {"event": "followup", "name": "profil_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events]


@pytest.mark.parametrize("text, entities, slot, expected", [
    ("g arreté le lycée l'an dernier", [("statut", 2, 20, "arreté le lycée l'")], "statut", "decrocheur"),
    ("je voudrais reprendre une formation", [("besoin", 12, 21, "reprendre"), ("besoin", 26, 35, "formation")],
     "besoin", "retour_formation"),
    ("je suis licenciée", [("statut", 8, 17, "licenciée")], "statut", "demandeur_emploi"),
    ("en interim", [("contrat", 3, 10, "interim")], "contrat", "interim"),
    # one word is no phrase cut short: « contrat » is not « contrat d'apprentissage »
    ("mon contrat se termine", [("besoin", 4, 11, "contrat")], "besoin", None),
])
def test_spans_cut_by_the_nlu_still_give_the_canonical_value(text, entities, slot, expected, dispatcher,
                                                              domain, make_tracker):
    ents = [{"entity": e, "start": s, "end": t, "value": v} for e, s, t, v in entities]
    tracker = make_tracker({slot: entities[-1][3]}, text=text, entities=ents)
    events = run(ValidateSlotMappings(), dispatcher, tracker, domain)
    assert slots_of(events)[slot] == expected


def test_rqth_in_a_description_is_a_disability_recognition(dispatcher, domain, make_tracker):
    said = make_tracker(text="j'ai une RQTH et je cherche du travail", intent="informer",
                        entities=[{"entity": "sujet", "value": "rqth"}])
    assert slots_of(run(ValidateSlotMappings(), dispatcher, said, domain))["handicap"] is True
    asked = make_tracker(text="c'est quoi la RQTH ?", intent="demander_info",
                         entities=[{"entity": "sujet", "value": "rqth"}])
    assert "handicap" not in slots_of(run(ValidateSlotMappings(), dispatcher, asked, domain))


def test_a_denied_rqth_is_no_disability_recognition(dispatcher, domain, make_tracker):
    # the NLU reader's explicit "no" (« pas de RQTH ») wins over the info-card topic
    said = make_tracker({"handicap": "non"}, text="je n'ai pas de RQTH", intent="informer",
                        entities=[{"entity": "sujet", "value": "rqth"},
                                  {"entity": "handicap", "value": "non", "start": 13, "end": 17}])
    assert slots_of(run(ValidateSlotMappings(), dispatcher, said, domain))["handicap"] is False


def test_each_fact_keeps_the_words_that_justify_it(dispatcher, domain, make_tracker):
    text = "je suis pas cadre, en CDD"
    tracker = make_tracker({"cadre": "non", "contrat": "cdd"}, text=text, entities=[
        {"entity": "cadre", "value": "non", "start": 12, "end": 17},
        {"entity": "contrat", "value": "cdd", "start": 19, "end": 25}])
    events = run(ValidateSlotMappings(), dispatcher, tracker, domain)
    preuves = slots_of(events)["preuves"]
    assert preuves == {"cadre": "cadre", "contrat": "en CDD"}
    assert slots_of(events)["cadre"] is False


def test_a_value_the_rule_reader_decided_is_kept_over_the_span_words(dispatcher, domain, make_tracker):
    # "je ne travaille plus depuis 2015": DIET's span "travaille" alone would read as salarié
    text = "je ne travaille plus depuis 2015"
    entity = {"entity": "statut", "value": "sans_activite", "start": 6, "end": 15,
              "extractor": "DIETClassifier", "processors": ["ProfilExtractor"]}
    tracker = make_tracker({"statut": "sans_activite"}, text=text, entities=[entity])
    assert slots_of(run(ValidateSlotMappings(), dispatcher, tracker, domain))["statut"] == "sans_activite"


# --- distress ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, slots, goes_on", [
    ("je suis salariée et mon mari me frappe", {"statut": "salarie"}, False),   # words of distress
    ("je suis salariée et je n'en peux plus de tout", {"statut": "salarie"}, True),  # the classifier alone
    ("je n'en peux plus de tout", {}, False),                                    # nothing to go on with
])
def test_distress_gets_the_numbers_then_the_questions_only_without_words_of_distress(
        text, slots, goes_on, dispatcher, domain, make_tracker):
    events = run(ActionDetresse(), dispatcher, make_tracker(slots, text=text, intent="detresse"), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_detresse"]
    assert any(e.get("event") == "followup" and e.get("name") == "profil_form" for e in events) is goes_on
