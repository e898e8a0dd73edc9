"""The plain-French wording shared by every channel: the summary of a profile, and the
presentation of an orientation (the payload's fields beside the contract's)."""
import re
from pathlib import Path

import yaml

from knowledge import get_kb
from knowledge.resume import libelles, phrase, resume_profil


def test_summary_of_a_reference_situation():
    parts = resume_profil({"age": 19, "statut": "decrocheur", "besoin": "apprentissage",
                           "metier": "cuisinier"}, "Orléans")
    assert phrase(parts) == ("vous avez 19 ans, vous avez quitté l'école sans diplôme, vous cherchez "
                             "un apprentissage, le métier de cuisinier vous intéresse et vous habitez à Orléans")


def test_a_job_seeker_looking_for_a_job_is_said_once():
    parts = resume_profil({"statut": "demandeur_emploi", "besoin": "emploi"})
    assert parts == ["vous cherchez un emploi"]


def test_empty_profile_says_nothing():
    assert phrase(resume_profil({})) == ""


def test_the_console_has_a_prompt_for_every_question_the_form_asks():
    profil_yml = Path(__file__).resolve().parents[2] / "bot" / "domain" / "profil.yml"
    domain = yaml.safe_load(profil_yml.read_text(encoding="utf-8"))
    asked = set(domain["forms"]["profil_form"]["required_slots"])
    prompts = libelles()["questions_conseiller"]
    assert set(prompts) == asked
    assert all(p.startswith("Demandez") and p.rstrip().endswith((".", "…")) for p in prompts.values())


def presented(reseaux, operateur_cep=None, lieux=(), profil=None) -> dict:
    return get_kb().presentation({"reseaux": reseaux, "operateur_cep": operateur_cep, "lieux": list(lieux),
                                  "raisons": [], "profil": profil or {}})


def test_the_doors_are_worded_once_for_every_channel():
    shown = presented(["cio", "mission-locale", "france-travail"], "mission-locale",
                      [{"reseau": "cidff", "nom": "Un lieu"}], {"age": 17, "commune": "36044"})
    assert shown["annuaire"] == {"cio": {"nom": "CIO", "site_web": None},
                                 "mission-locale": {"nom": "Mission locale", "site_web": None},
                                 "france-travail": {"nom": "France Travail", "site_web": "https://www.francetravail.fr"},
                                 "cidff": shown["annuaire"]["cidff"]}
    assert shown["autres_portes"] == ["mission-locale", "france-travail"] and shown["cep_a_part"] is False
    textes = shown["textes"]
    assert textes["resume"] == "Si je résume : vous avez 17 ans et vous habitez à Châteauroux."
    assert textes["porte"] == "Je vous conseille de vous adresser à : CIO."
    assert textes["autres_portes"] == "Autres possibilités : Mission locale, France Travail."
    assert textes["cep"] is None
    assert (textes["pourquoi"], textes["lieux"], textes["code"]) == (
        "Pourquoi", "Où vous adresser", "Votre code de liaison")


def test_the_cep_operator_gets_its_line_only_when_not_among_the_networks():
    alone = presented(["cma"], "cep-actifs-occupes")
    assert alone["cep_a_part"] is True and alone["autres_portes"] == [] and alone["textes"]["autres_portes"] is None
    assert alone["textes"]["cep"] == ("Pour un conseil en évolution professionnelle, gratuit : "
                                      "Conseil en évolution professionnelle (actifs occupés).")
    assert list(alone["annuaire"]) == ["cma", "cep-actifs-occupes"]
    assert presented(["cep-actifs-occupes"], "cep-actifs-occupes")["textes"]["cep"] is None
    assert presented(["etoile-info"])["textes"]["resume"] is None  # nothing understood: no summary


def test_the_contact_given_when_nothing_is_near_is_etoile_info_from_the_data():
    contact = get_kb().contact
    assert (contact.code, contact.nom, contact.telephone) == ("etoile-info", "Etoile Info", "0 800 222 100")
    assert presented(["cio"])["contact"] == {"reseau": "etoile-info", "nom": "Etoile Info",
                                             "telephone": "0 800 222 100",
                                             "site_web": "https://www.etoile.regioncentre.fr"}
    assert presented(["cio"])["textes"]["suite"] == (
        "Donnez ce code à la structure ou à Etoile Info (0 800 222 100) : vous n'aurez pas à tout "
        "réexpliquer. Il ne contient aucune information sur votre identité.")


def test_no_channel_words_an_orientation_itself():
    """The sentences of libelles.yml `orientation` live there only: not in a channel, an action, a
    page; nor does any of them name Etoile Info's network code."""
    root = Path(__file__).resolve().parents[2]
    sources = [path for folder in ("actions", "bot", "webchat", "knowledge")
               for path in (root / folder).rglob("*") if path.suffix in (".py", ".js", ".html")]
    fixed = [part.strip(" :.()") for text in libelles()["orientation"].values()
             for part in re.split(r"\{\w+\}", text)]
    fixed = [part for part in fixed if len(part) >= 10]  # "Pourquoi" alone is any page's word
    assert len(fixed) == 9, fixed
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert not [part for part in fixed if part in text], path
        assert "etoile-info" not in text, path
