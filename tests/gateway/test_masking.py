"""Personal data never reaches Rasa: each kind is masked, ordinary sentences are left alone."""
from pathlib import Path

import pytest
import yaml

from bot.gateway.masking import mask


@pytest.mark.parametrize("text, kind, secret", [
    ("écrivez-moi à jeanne.martin+spro@exemple.fr svp", "courriel", "jeanne.martin+spro@exemple.fr"),
    ("mon tel 06 12 34 56 78", "telephone", "06 12 34 56 78"),
    ("appelez le 0612345678", "telephone", "0612345678"),
    ("mon numéro +33 6 12 34 56 78", "telephone", "6 12 34 56 78"),
    ("mon numéro de sécu 1 85 05 78 006 084 36", "nir", "78 006 084"),
    ("secu 285052A00608436", "nir", "285052A00608436"),
    ("IBAN FR76 3000 6000 0112 3456 7890 189", "iban", "3456 7890"),
    ("je m'appelle Kevin Durand et je cherche un apprentissage", "nom", "Kevin"),
    ("Bonjour, moi c'est Léa, j'ai 17 ans", "nom", "Léa"),
    # the gaps found by probing (issue 12)
    ("je suis Marcel Probenom", "nom", "Probenom"),
    ("nom Lavaldeprobe", "nom", "Lavaldeprobe"),
    ("j'habite 12 rue de la Paix, 45000 Orléans", "adresse", "rue de la Paix"),
    ("né le 12/03/2005", "naissance", "12/03/2005"),
    ("née le 3 mars 2005", "naissance", "3 mars 2005"),
    ("je suis né en 2004, le 2 mai", "naissance", "2004"),
    ("bjr c Enzo, une question sur le BTS", "nom", "Enzo"),
])
def test_each_kind_is_masked(text, kind, secret):
    result = mask(text)
    assert kind in result.kinds
    assert secret not in result.text
    assert "masqué" in result.text


@pytest.mark.parametrize("text", [
    "j'ai 19 ans et je cherche un apprentissage en cuisine",
    "j'habite à Tours, 37000",
    "je suis en CDD jusqu'au 31 12 2026",
    "bac+3 en 2019, salaire 1800 euros",
    "j'appelle le 0 800 222 100 demain ?",
    "/greet@0.01",
    "je suis Boulanger depuis 10 ans",
    "mon CDD finit le 31/12/2026",
])
def test_ordinary_sentences_are_untouched(text):
    assert mask(text).text == text
    assert mask(text).kinds == ()


def test_the_name_is_masked_but_the_rest_of_the_sentence_kept():
    assert mask("je m'appelle Sarah Ben Ali, j'ai 24 ans").text == "je m'appelle [nom masqué], j'ai 24 ans"


def test_a_name_ends_at_the_first_ordinary_word():
    assert mask("je m'appelle Léa je cherche un apprentissage à Tours").text == \
        "je m'appelle [nom masqué] je cherche un apprentissage à Tours"


def test_the_town_and_postal_code_after_a_street_are_kept():
    assert mask("8 allée des Chênes 37300 Joué-lès-Tours").text == "[adresse masquée] 37300 Joué-lès-Tours"


# --- the corpus (tests/gateway/masking_corpus.yml, written apart from the masker) ---------------
CORPUS = yaml.safe_load((Path(__file__).parent / "masking_corpus.yml").read_text(encoding="utf-8"))


# Measured 2026-12-02 (fourth session): 108 of 110 masked, 110 of 110 ordinary sentences kept. The
# two left: a surname in lower case after « je m'appelle marie-claire », « Ana » between a masked
# surname and a comma.
MAX_LEAKED = 2
MAX_CHANGED = 0


def test_the_corpus_is_big_enough():
    assert len(CORPUS["personnel"]) >= 100 and len(CORPUS["ordinaire"]) >= 100


def masking_report() -> tuple[list[str], list[str]]:
    """(sentences with personal data left, ordinary sentences changed)."""
    leaked = [item["texte"] for item in CORPUS["personnel"]
              if any(secret in mask(item["texte"]).text for secret in item["secrets"])
              or not all(kept in mask(item["texte"]).text for kept in item.get("garder", []))]
    changed = [text for text in CORPUS["ordinaire"] if mask(text).text != text]
    return leaked, changed


def test_the_corpus_is_masked_and_ordinary_sentences_kept():
    leaked, changed = masking_report()
    print(f"masking corpus: recall {1 - len(leaked) / len(CORPUS['personnel']):.3f}, "
          f"ordinary kept {1 - len(changed) / len(CORPUS['ordinaire']):.3f}")
    assert len(leaked) <= MAX_LEAKED, leaked
    assert len(changed) <= MAX_CHANGED, changed
