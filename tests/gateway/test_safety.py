"""The distress safety net: emergency numbers first, whatever the NLU made of the message."""
import pytest

from bot.gateway.safety import needs_safety_net

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
