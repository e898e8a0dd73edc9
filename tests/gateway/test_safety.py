"""The distress safety net: emergency numbers first, whatever the NLU made of the message."""
import pytest

from bot.gateway.safety import needs_safety_net, possible_distress_reply, reads_distress, sentences_to_judge

ORDINARY_REPLY = [{"text": "Quel âge avez-vous ?"}]
EMERGENCY_REPLY = [{"text": "Si vous pensez au suicide, appelez le 3114 (gratuit)."}]


@pytest.mark.parametrize("text", [
    "je cherche un apprentissage mais parfois j'ai envie d'en finir",
    "Je pense au SUICIDE depuis mon licenciement",
    "mon mari me frappe et je voudrais une formation",
    "j'ai des idées noires, je suis au chômage",
    "je suis battue",
    "je me sens en danger chez moi",
    "mon chef me harcèle, je veux changer de métier",
    "j'ai envie de me foutre en l'air",
])
def test_distress_words_get_the_emergency_numbers(text):
    assert needs_safety_net(text, ORDINARY_REPLY)
    assert not needs_safety_net(text, EMERGENCY_REPLY)  # already given: not twice


@pytest.mark.parametrize("text", [
    "je me suis battu pour avoir mon diplôme",
    "mon emploi est menacé, je veux me reconvertir",
    "je suis mort de rire",
    "j'ai fini mon CDD, je veux en savoir plus sur la formation",
    "je veux tuer le temps en apprenant un métier",
])
def test_ordinary_words_do_not_trigger_it(text):
    assert not needs_safety_net(text, ORDINARY_REPLY)


def test_each_sentence_with_a_word_of_risk_is_judged_on_its_own():
    text = ("Je cherche un BTS en alternance à Blois. Depuis l'hiver je pleure tous les soirs. "
            "J'ai 19 ans.")
    assert sentences_to_judge(text, ORDINARY_REPLY) == ["Depuis l'hiver je pleure tous les soirs."]
    assert sentences_to_judge(text, EMERGENCY_REPLY) == []  # the numbers are already there
    assert sentences_to_judge("Je cherche un BTS en alternance à Blois.", ORDINARY_REPLY) == []


@pytest.mark.parametrize("ranking, distress", [
    ([{"name": "detresse", "confidence": 0.97}, {"name": "informer", "confidence": 0.02}], True),
    ([{"name": "informer", "confidence": 0.6}, {"name": "detresse", "confidence": 0.4}], False),
    ([{"name": "detresse", "confidence": 0.9}], False),     # not confident enough
    ([], False),
])
def test_a_sentence_reads_as_distress_only_when_the_classifier_is_confident(ranking, distress):
    assert reads_distress({"intent": {"name": "x"}, "intent_ranking": ranking}) is distress


def test_the_line_for_a_possible_distress_is_the_domains_and_gives_the_3114():
    line = possible_distress_reply()["text"]
    assert "3114" in line and "3919" not in line   # not the full emergency message
    assert "\n" not in line and "  " not in line
