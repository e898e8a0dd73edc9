"""The printable fiche de liaison (bot/console/fiche.py), from real stored fiches presented as the
console reads them (bot.console.app.presented)."""
from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

import bot.console.fiche as fiche_module
from bot.console.app import presented
from bot.console.fiche import date_fr, fiche_content, render_html, render_pdf
from knowledge import get_kb
from knowledge.liaison import LiaisonStore

SITUATION_2 = {"age": 19, "statut": "decrocheur", "besoin": "apprentissage", "metier": "cuisinier",
               "commune": "45234"}
SITUATION_3 = {"age": 24, "statut": "salarie", "contrat": "cdd", "besoin": "reconversion",
               "commune": "37261"}
ADULT_APPRENTICE = {"age": 30, "statut": "salarie", "besoin": "apprentissage", "metier": "plombier"}
A4_POINTS = (595.28, 841.89)


@pytest.fixture
def store(tmp_path) -> LiaisonStore:
    return LiaisonStore(f"sqlite:///{tmp_path / 'liaison.db'}")


def stored_fiche(store: LiaisonStore, profil: dict, canal: str = "console", **profil_extra) -> dict:
    """Route a profile with the real knowledge base, store it, and read the fiche back as the
    console does."""
    result = get_kb().route(profil)
    orientation = {key: result[key] for key in ("reseaux", "operateur_cep", "lieux", "raisons", "profil")}
    orientation["profil"].update(profil_extra)
    return presented(store.get(store.save(orientation, canal=canal)))


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


class Tags(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[tuple[str, str]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        if self.tags and data.strip():
            self.text.append((self.tags[-1][0], data))

    def texts(self, name: str) -> list[str]:
        """The text right inside each `name` element (entities decoded)."""
        return [data for tag, data in self.text if tag == name]

    def named(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.tags if tag == name]


@pytest.mark.parametrize("profil, words", [
    (SITUATION_2, ["Chambre de métiers", "Orléans", "cuisinier", "Mission locale"]),
    (SITUATION_3, ["Conseil en évolution professionnelle", "Tours", "salarié·e en CDD", "changer de métier"]),
])
def test_pdf_is_one_a4_page_with_the_whole_fiche(store, profil, words):
    fiche = stored_fiche(store, profil)
    data = render_pdf(fiche)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == (round(A4_POINTS[0], 1), round(A4_POINTS[1], 1))
    text = pdf_text(data)
    orientation = fiche["orientation"]
    premier = get_kb().directory.reseau(orientation["reseaux"][0]).nom
    for expected in ["Fiche de liaison", fiche["code_liaison"], premier, *words]:
        assert expected in text
    for raison in orientation["raisons"]:
        assert flat(raison["texte"]) in text
    assert "aucune information d'identité" in text
    assert reader.metadata.title == f"Fiche de liaison {fiche['code_liaison']}"
    assert reader.trailer["/Root"]["/Lang"] == "fr"


@pytest.mark.parametrize("profil, lignes", [
    (SITUATION_2, ["Je vous conseille de vous adresser à : Chambre de métiers et de l'artisanat.",
                   "Autre possibilité : Mission locale."]),
    # the CEP operator is among the networks: said once, as the deuxième porte
    (SITUATION_3, ["Je vous conseille de vous adresser à : Conseil en évolution professionnelle (actifs occupés).",
                   "Autre possibilité : Mission locale."]),
    (ADULT_APPRENTICE, ["Je vous conseille de vous adresser à : Chambre de métiers et de l'artisanat.",
                        "Pour un conseil en évolution professionnelle, gratuit : Conseil en évolution "
                        "professionnelle (actifs occupés)."]),
])
def test_the_orientation_says_what_every_channel_says(store, profil, lignes):
    fiche = stored_fiche(store, profil)
    sections = {section["titre"]: section["lignes"] for section in fiche_content(fiche)["sections"]}
    assert sections["Orientation"] == lignes
    page = Tags(render_html(fiche))
    assert all(line in page.texts("p") for line in lignes)
    assert all(flat(line) in pdf_text(render_pdf(fiche)) for line in lignes)


def test_the_fiche_lays_out_the_payload_fields_only(store):
    """No sentence or contact of its own: what the presentation says is what the fiche prints."""
    fiche = stored_fiche(store, SITUATION_2)
    fiche["orientation"]["textes"].update(porte="Porte T.", autres_portes=None, cep="CEP T.")
    fiche["orientation"]["contact"] = {"reseau": "x", "nom": "Contact T", "telephone": "01 02 03 04 05",
                                       "site_web": None}
    content = fiche_content(fiche)
    assert [s["lignes"] for s in content["sections"] if s["titre"] == "Orientation"] == [["Porte T.", "CEP T."]]
    assert dict(content["entete"])["Premier contact"] == "appel à Contact T (01 02 03 04 05)"


def test_the_date_and_channel_are_in_words(store):
    content = fiche_content(stored_fiche(store, SITUATION_2, canal="console"))
    entete = dict(content["entete"])
    assert entete["Premier contact"] == "appel à Etoile Info (0 800 222 100)"
    assert fiche_content(stored_fiche(store, SITUATION_2, canal="web"))["entete"][2][1] == "site Etoile"
    assert fiche_content(stored_fiche(store, SITUATION_2, canal="telegram"))["entete"][2][1] == "Telegram"
    # Stored in UTC, shown in French time (winter +1 h, summer +2 h).
    assert date_fr("2026-11-25T09:12") == "25 novembre 2026 à 10 h 12"
    assert date_fr("2026-07-01T08:05") == "1er juillet 2026 à 10 h 05"


def test_unknown_profile_keys_are_never_printed(store):
    fiche = stored_fiche(store, SITUATION_2, nom="Durand", courriel="durand@example.org")
    assert fiche["orientation"]["profil"]["nom"] == "Durand"  # the pollution did reach the fiche
    for rendered in (pdf_text(render_pdf(fiche)), render_html(fiche)):
        assert "Durand" not in rendered
        assert "example.org" not in rendered
        assert "cuisinier" in rendered  # the known slots still are


def test_html_is_one_accessible_page(store):
    fiche = stored_fiche(store, SITUATION_2)
    page = render_html(fiche)
    tags = Tags(page)
    assert tags.named("html") == [{"lang": "fr"}]
    assert len(tags.named("h1")) == 1
    titles = [section["titre"] for section in fiche_content(fiche)["sections"]]
    assert len(tags.named("h2")) == len(titles) and "Où s&#39;adresser" in page
    assert f"<title>Fiche de liaison {fiche['code_liaison']}</title>" in page
    assert tags.named("link") == [{"rel": "stylesheet", "href": "/console/static/fiche.css"}]
    assert not tags.named("style") and not tags.named("script")
    assert "Chambre de métiers" in page and "Orléans" in page


def test_html_escapes_hostile_values_and_links_only_https_and_tel(store):
    fiche = stored_fiche(store, SITUATION_2, metier="<script>alert(1)</script>")
    lieux = fiche["orientation"]["lieux"]
    lieux[0].update(site_web="javascript:alert(2)", telephone="02 38 00 00 00")
    lieux[1].update(site_web="https://example.org/a\"onclick=\"x", adresse="<b>1 rue</b>")
    page = render_html(fiche)
    tags = Tags(page)
    assert not tags.named("script") and not tags.named("b")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    hrefs = [attrs["href"] for attrs in tags.named("a")]
    assert "tel:0238000000" in hrefs
    assert all(href.startswith(("https://", "tel:")) for href in hrefs)
    assert not any("javascript" in href or "onclick" in href for href in hrefs)
    assert "javascript:alert(2)" in page  # shown as text, not as a link


def test_motif_is_printed_only_when_given(store):
    fiche = stored_fiche(store, SITUATION_3)
    motif = "Fin de CDD le mois prochain, veut se « reconvertir » dans l'œnologie"
    assert "Motif de l'appel" not in pdf_text(render_pdf(fiche))
    assert "Motif de l&#39;appel" not in render_html(fiche)
    assert flat(motif) in pdf_text(render_pdf(fiche, motif))
    page = render_html(fiche, motif)
    assert "Motif de l&#39;appel" in page and "« reconvertir » dans l&#39;œnologie" in page


def test_the_fullest_fiche_still_fits_on_one_page(store):
    """Five places with every detail and the longest motif: the font shrinks, nothing is cut."""
    fiche = stored_fiche(store, SITUATION_2)
    fiche["orientation"]["lieux"] = [
        {"id": f"test-{n}", "reseau": "mission-locale", "nom": f"Lieu d'essai numéro {n}, antenne du centre",
         "adresse": "12 rue de l'Exemple", "commune": "Orléans", "telephone": "02 38 00 00 00",
         "site_web": f"https://www.example.org/structures/lieu-essai-{n}"} for n in range(1, 6)]
    data = render_pdf(fiche, "Un motif très détaillé. " * 200)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    text = pdf_text(data)
    assert "https://www.example.org/structures/lieu-essai-5" in text
    assert "Cette fiche ne contient aucune information" in text


def test_without_dejavu_the_core_font_keeps_french_characters(store, monkeypatch, tmp_path):
    monkeypatch.setattr(fiche_module, "FONT_DIR", tmp_path)  # no font files there
    data = render_pdf(stored_fiche(store, SITUATION_2), "Le cœur du métier « cuisine » 日本")
    assert b"DejaVu" not in data
    text = pdf_text(data)
    for expected in ["Chambre de métiers", "Orléans", "Le cœur du métier « cuisine » ??"]:
        assert expected in text


def test_the_console_reads_a_stored_fiche_with_its_presentation(tmp_path, free_port):
    """Through the console's routes: the code look-up and the print view get the payload's fields."""
    from fastapi.testclient import TestClient

    from bot.app import create_app
    from bot.settings import Settings
    from tests.console.test_console_auth import add_agent, sign_in

    settings = Settings(data_dir=tmp_path, rasa_url=f"http://127.0.0.1:{free_port()}",
                        actions_url=f"http://127.0.0.1:{free_port()}", rasa_token="x")
    assert add_agent(settings).returncode == 0
    code = stored_fiche(LiaisonStore(settings.knowledge_db_url), ADULT_APPRENTICE)["code_liaison"]
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        sign_in(client)
        orientation = client.get(f"/console/api/liaison/{code}").json()["orientation"]
        page = client.get(f"/console/fiche/{code}").text
    assert orientation["annuaire"]["cma"]["nom"] == "Chambre de métiers et de l'artisanat"
    assert orientation["cep_a_part"] is True and orientation["autres_portes"] == []
    assert orientation["textes"]["cep"] == ("Pour un conseil en évolution professionnelle, gratuit : "
                                            "Conseil en évolution professionnelle (actifs occupés).")
    assert "Je vous conseille de vous adresser à : Chambre de métiers et de l&#39;artisanat." in page
    assert Tags(page).named("script") == [{"src": "/console/static/imprimer.js", "defer": None}]
