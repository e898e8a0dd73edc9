"""Personal data never reaches Rasa: each kind is masked, ordinary sentences are left alone."""
import pytest

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
])
def test_ordinary_sentences_are_untouched(text):
    assert mask(text).text == text
    assert mask(text).kinds == ()


def test_the_name_is_masked_but_the_rest_of_the_sentence_kept():
    assert mask("je m'appelle Sarah Ben Ali, j'ai 24 ans").text == "je m'appelle [nom masqué], j'ai 24 ans"
