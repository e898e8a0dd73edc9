"""The console in headless Chromium, on the really running assistant: a call, the fiche, a code,
accessibility, and taking over a web conversation live."""
from __future__ import annotations

import io
import os
import re
import sqlite3
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from bench.persona import EVERYDAY, Person, converse, question_buttons, reference_situations
from bot.settings import ROOT
from knowledge import get_kb
from tests.webchat.widget_page import Widget, axe_violations

pytestmark = pytest.mark.stack
PASSWORD = "mot de passe des tests console"
# The four reference situations (knowledge/data/scenarios.yml), as a téléconseiller types what the
# caller says; the caller is the table's person, and must reach the table's deuxième porte.
CALLER_WORDS = {
    "situation-1-parent-licenciee": "Elle a 45 ans, elle vient d'être licenciée, elle habite à Bourges",
    "situation-2-apprentissage-cuisine": "19 ans, cherche un apprentissage en cuisine vers Orléans",
    "situation-3-jeune-salariee-fin-de-cdd":
        "Elle a 24 ans, elle est en CDD à Tours, son contrat se termine le mois prochain et elle "
        "voudrait changer de métier",
    "situation-4-jeune-decrocheur":
        "17 ans, a arrêté le lycée l'an dernier, ne fait rien depuis, voudrait reprendre une formation",
}
REFERENCES = {reference.id: reference for reference in reference_situations()}


@pytest.fixture(scope="module")
def agent(stack) -> str:
    """An account made with the real command line in the stack's database."""
    done = subprocess.run([sys.executable, "-m", "bot.console", "ajouter", "dominique", "--mot-de-passe-stdin"],
                          input=PASSWORD + "\n", text=True, capture_output=True, cwd=ROOT,
                          env={**os.environ, **stack.environment()})
    assert done.returncode == 0, done.stderr
    return "dominique"


def sign_in(page: Page, base_url: str, login: str) -> None:
    page.goto(base_url + "/console")  # redirected to the sign-in page
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Appel en cours")).to_be_visible()


def network_name(code: str) -> str:
    return get_kb().directory.reseau(code).nom


def say(page: Page, words: str) -> None:
    """Types what the caller says and sends it (Ctrl+Entrée)."""
    page.get_by_label("Ce que dit la personne").fill(words)
    page.keyboard.press("Control+Enter")
    page.locator("#ecran-appel:not([aria-busy])").wait_for()


def run_call(page: Page, words: str, person: Person) -> int:
    """Types the caller's words, answers each question as `person` does, with its Alt+digit
    shortcut (or types the answer); returns the number of actions besides typing the words."""
    say(page, words)
    actions = 1
    for _ in range(6):
        recommendation = page.locator("#recommandation .porte")
        question = page.locator("#question[data-slot]")
        recommendation.or_(question).first.wait_for()
        if recommendation.count():
            return actions
        slot = question.get_attribute("data-slot")
        actions += 1
        # a button's text is its title, then its shortcut
        shown = [re.sub(r"\s*Alt\+\d+$", "", t).strip() for t in question.get_by_role("button").all_inner_texts()]
        answer = person.answer(slot, [b for b in question_buttons(slot) if b["title"] in shown])
        if not answer.title:
            assert answer.text, f"{slot}: no button to say {answer.payload}"
            say(page, answer.text)
            continue
        index = shown.index(answer.title)
        question.locator("button").nth(index).wait_for()
        page.keyboard.press(f"Alt+{index + 1}")
        page.locator("#ecran-appel:not([aria-busy])").wait_for()
    pytest.fail("no recommendation")


@pytest.mark.parametrize("situation", CALLER_WORDS)
def test_each_reference_situation_reaches_its_deuxieme_porte(page, stack, agent, situation):
    reference = REFERENCES[situation]
    porte = reference.attendu["reseaux"][0]
    sign_in(page, stack.settings.gateway_url, agent)
    actions = run_call(page, CALLER_WORDS[situation], reference.person)
    print(f"\n{porte}: {actions} actions besides typing the caller's words")
    expect(page.locator("#recommandation .porte")).to_contain_text(network_name(porte))


def test_a_call_for_a_reference_situation(page, stack, agent):
    base = stack.settings.gateway_url
    sign_in(page, base, agent)
    cdd = REFERENCES["situation-3-jeune-salariee-fin-de-cdd"]
    actions = run_call(page, CALLER_WORDS[cdd.id], cdd.person)
    print(f"\nactions besides typing the caller's words: {actions} (+1 print)")
    box = page.locator("#recommandation")
    expect(box.locator(".porte")).to_contain_text(network_name(cdd.attendu["reseaux"][0]))
    # the sentences of the payload, as every channel says them (the CEP operator is the porte: once)
    expect(box.locator(".porte")).to_have_text(
        "Je vous conseille de vous adresser à : Conseil en évolution professionnelle (actifs occupés).")
    expect(box.locator("p", has_text="Autre possibilité : Mission locale.")).to_have_count(1)
    expect(box).not_to_contain_text("Pour un conseil en évolution professionnelle")
    expect(box).to_contain_text("Raisons à lire")
    profile = page.locator("#profil")
    for said in ("24 ans", "en CDD", "Tours"):
        expect(profile).to_contain_text(said)
    code = box.locator(".code strong").inner_text()

    # the profile is editable by click
    page.get_by_role("button", name="Modifier : Âge").click()
    page.locator("#edition-age").fill("27")
    page.get_by_role("button", name="Valider").click()
    expect(profile).to_contain_text("27 ans")

    # the motif, anonymously
    page.get_by_label("Motif de l'appel").select_option("reconversion")
    page.get_by_role("button", name="Enregistrer le motif").click()
    expect(page.locator("#annonce")).to_contain_text("Motif enregistré")
    with sqlite3.connect(stack.settings.data_dir / "knowledge.db") as db:  # beside the satisfaction answers
        assert db.execute("SELECT count(*) FROM motifs_appels WHERE motif = 'reconversion'").fetchone()[0] >= 1

    # the fiche: print view and PDF, never without a session
    fiche = page.context.new_page()
    fiche.goto(f"{base}/console/fiche/{code}")
    expect(fiche.locator("h1")).to_contain_text("Fiche de liaison")
    expect(fiche.locator("body")).to_contain_text(code)
    pdf = page.context.request.get(f"{base}/console/fiche/{code}/pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert code in text and network_name("cep-actifs-occupes") in text
    assert fiche.context.request.get(f"{base}/console/fiche/{code}/pdf").ok
    anonymous = page.context.browser.new_context().request.get(f"{base}/console/fiche/{code}/pdf",
                                                              max_redirects=0)
    assert anonymous.status in (303, 401)


def test_retrieve_a_code_created_on_the_web(page, stack, gateway, agent):
    apprentissage = REFERENCES["situation-2-apprentissage-cuisine"]
    message, _, _ = converse(gateway, apprentissage.words, apprentissage.person)
    code = message["custom"]["orientation"]["code_liaison"]
    sign_in(page, stack.settings.gateway_url, agent)
    page.keyboard.press("Alt+r")
    page.get_by_label("Code donné par la personne").fill(code.lower()[:3] + " " + code.lower()[3:])
    page.keyboard.press("Enter")
    result = page.locator("#resultat-code")
    expect(result).to_contain_text(code)
    expect(result.locator(".porte")).to_contain_text(network_name("cma"))
    expect(result.locator(".porte")).to_have_text(
        f"Je vous conseille de vous adresser à : {network_name('cma')}.")  # presented when read back
    expect(result).to_contain_text("19 ans")


def test_console_pages_have_zero_axe_violations(page, stack, agent):
    page.goto(stack.settings.gateway_url + "/console/connexion")
    assert axe_violations(page) == [], "sign-in page"
    sign_in(page, stack.settings.gateway_url, agent)
    assert axe_violations(page) == [], "empty console"
    run_call(page, "j'ai 45 ans, je viens d'être licencié, j'habite à Bourges", EVERYDAY)
    assert axe_violations(page) == [], "console with a recommendation"
    page.keyboard.press("Alt+f")
    assert axe_violations(page) == [], "queue"


def test_takeover_of_a_web_conversation(browser, spare_gateway, agent):
    spare = spare_gateway(SPRO_CONSOLE_HOURS="1-7 00:00-24:00")
    person = Widget(browser.new_context(locale="fr-FR").new_page(), spare.url).open_demo()
    person.open()
    person.type("j'ai 30 ans et je voudrais changer de métier")
    before = person.bubbles().count()
    person.page.get_by_role("button", name="Parler à un conseiller").click()
    person.wait_answer(before + 1)
    assert "Restez sur cette page" in " ".join(person.texts("assistant"))

    console = browser.new_context(locale="fr-FR").new_page()
    sign_in(console, spare.url, agent)
    console.keyboard.press("Alt+f")
    console.get_by_role("button", name="Prendre").first.click()
    expect(console.locator("#relais-echange")).to_contain_text("changer de métier")  # what was said before
    expect(person.bubbles("systeme").last).to_contain_text("a rejoint la conversation")

    console.get_by_label("Votre message à la personne").fill("Bonjour, je suis Dominique. Que puis-je pour vous ?")
    console.get_by_role("button", name="Envoyer").click()
    expect(person.bubbles("conseiller")).to_contain_text("Que puis-je pour vous ?")

    person.input.fill("je voudrais savoir si j'ai droit au CPF")
    person.page.get_by_role("button", name="Envoyer").click()
    expect(console.locator("#relais-echange")).to_contain_text("droit au CPF")

    console.get_by_role("button", name="Clore l'échange").click()
    expect(person.bubbles("systeme").last).to_contain_text("terminé l'échange")
    person.type("merci")  # back to the assistant
    assert person.texts("assistant")[-1]
