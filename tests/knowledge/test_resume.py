"""The plain-French summary of a profile, said back to the person on every channel."""
from pathlib import Path

import yaml

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
