"""The rule and lexicon reader (knowledge/comprendre.py) on its own: each case names one behaviour.

These are our own probe sentences; the held-out evaluation set (tests/eval/) is measured by
bench/bench_understanding.py and tests/eval/test_understanding.py, never used here.
"""
from __future__ import annotations

import pytest

from knowledge.comprendre import check_data, detresse_lexicon, expand, get_lecteur


@pytest.fixture(scope="module")
def lire():
    lecteur = get_lecteur()
    return lambda text: lecteur.lire(text).profil()


def test_the_data_file_is_valid():
    assert check_data() == []


def test_cue_syntax_expands_choices_and_options():
    assert expand("(je suis|chui) [en] cdi") == ["chui cdi", "chui en cdi", "je suis cdi", "je suis en cdi"]
    assert expand("d'emploi") == ["d emploi"]


@pytest.mark.parametrize("text, expected", [
    ("je suis au chomage et je suis pas cadre", {"statut": "demandeur_emploi", "cadre": False}),
    ("demandeur d'emploi, pas de handicap", {"statut": "demandeur_emploi", "handicap": False}),
    ("je n'ai jamais eu de RQTH", {"handicap": False}),
    ("ni cadre ni rien, juste ouvrier", {"cadre": False}),
    ("comptable en CDI depuis 12 ans, non cadre.", {"cadre": False}),
    ("je suis non-cadre", {"cadre": False}),
    ("catégorie C donc pas cadre", {"cadre": False}),   # "c" before "pas" is not "c'est pas"
])
def test_a_negation_means_no_for_a_yes_no_slot(lire, text, expected):
    assert {k: v for k, v in lire(text).items() if k in expected} == expected


@pytest.mark.parametrize("text, slot", [
    ("je ne suis plus inscrit à pôle emploi", "statut"),
    ("je suis pas encore inscrite à France Travail", "statut"),
    ("je ne veux pas faire d'apprentissage", "besoin"),
])
def test_a_negated_cue_gives_no_fact(lire, text, slot):
    assert slot not in lire(text)


def test_a_cue_that_contains_its_negation_is_a_fact(lire):
    assert lire("je suis sans emploi depuis mars")["statut"] == "demandeur_emploi"


@pytest.mark.parametrize("text, age", [
    ("j'ai dix-neuf ans et je cherche un apprentissage", 19),
    ("bonjour, 24 ans, en CDD à Tours", 24),
    ("jai 19ans", 19),
    ("vingt et un ans, au chômage", 21),
])
def test_ages_in_digits_or_words(lire, text, age):
    assert lire(text)["age"] == age


@pytest.mark.parametrize("text", [
    "je travaille depuis 8 ans dans la même boîte",
    "j'avais 20 ans quand j'ai commencé",
    "10 ans d'expérience en logistique",
    "à l'âge de 17 ans j'ai commencé comme maçon",
])
def test_numbers_of_years_that_are_not_an_age(lire, text):
    assert "age" not in lire(text)


def test_someone_elses_situation_gives_that_persons_profile(lire):
    profil = lire("je suis infirmière et mon fils de 16 ans est en 3e, il ne sait pas quoi faire")
    assert profil["age"] == 16 and profil["statut"] == "scolaire"
    assert "metier" not in profil  # the parent's trade is not the child's


def test_a_person_described_in_the_third_person_is_the_person_helped(lire):
    # how a téléconseiller types what the caller says
    profil = lire("Elle a 45 ans, elle vient d'être licenciée, elle habite à Bourges")
    assert profil["age"] == 45 and profil["statut"] == "demandeur_emploi"


def test_the_writers_own_request_stays_theirs_when_a_relative_is_mentioned(lire):
    profil = lire("mon mari est au chômage, moi je voudrais me reconvertir")
    assert profil["besoin"] == "reconversion"
    assert "statut" not in profil


@pytest.mark.parametrize("text, expected", [
    ("j'aimerais monter ma propre boîte de plomberie", {"besoin": "creation_entreprise"}),
    ("je veux reprendre la boulangerie de mon oncle", {"besoin": "creation_entreprise"}),
    ("je voudrais passer un diplôme sans retourner à l'école, j'y travaille depuis 8 ans", {"besoin": "vae"}),
    ("mon employeur ne me propose rien", {"statut": "salarie"}),
    ("je suis en terminale et je stresse pour parcoursup", {"statut": "scolaire", "besoin": "orientation_scolaire"}),
    ("licenciée après 15 ans", {"statut": "demandeur_emploi"}),
    ("j'ai signé une rupture conventionnelle", {"statut": "demandeur_emploi"}),
    ("je fais de l'intérim", {"statut": "salarie", "contrat": "interim"}),
    ("je suis à mon compte", {"statut": "independant"}),
    ("agent à la mairie depuis 10 ans", {"statut": "agent_public"}),
    ("fonctionnaire hospitalière", {"statut": "agent_public"}),
    ("jeune retraitée", {"statut": "retraite"}),
    ("en BTS en alternance", {"statut": "apprenti", "contrat": "alternance"}),
    ("je suis en L2 de droit", {"statut": "etudiant"}),
    ("mon CPF affiche 3 400 euros, qui paye le reste ?", {"besoin": "financement"}),
    # a present contract outranks leaving school told as history
    ("depuis que j'ai arrêté le lycée je fais de l'intérim", {"statut": "salarie", "contrat": "interim"}),
    # « une formation » for a young person who left school is going back to training
    ("j'ai lâché le lycée en première, je voudrais faire une formation", {"statut": "decrocheur",
                                                                         "besoin": "retour_formation"}),
    # the words that give the statut do not also give the need
    ("je finis mon bac pro en alternance en juin, je cherche un poste d'électricien",
     {"statut": "apprenti", "besoin": "emploi"}),
    ("il me reste 6 mois de formation et je dois retrouver un patron pour finir", {"besoin": "apprentissage"}),
    # SMS spellings are read as their words by the cues too
    ("jcherche un taf pr l'été", {"besoin": "emploi"}),
    # a state told in the present, parsed as a passive, is not the past
    ("je suis apprentie en CAP fleuriste", {"statut": "apprenti"}),
    # a result told in the passé composé is a fact, not a wish
    ("j'ai obtenu ma RQTH l'an dernier", {"handicap": True}),
    ("je suis devenue auto-entrepreneuse en mai", {"statut": "independant"}),
    # « sans que » negates its own clause, not the employer
    ("puis-je utiliser mon CPF sans que mon employeur le sache ?", {"statut": "salarie"}),
    ("kiné libérale depuis 2010", {"statut": "independant"}),
    ("j'ai trois salariés dans ma menuiserie", {"statut": "independant"}),
    ("je fais les saisons dans les vignes", {"statut": "salarie", "contrat": "cdd"}),
    ("adjointe administrative au conseil départemental", {"statut": "agent_public"}),
    ("j'aimerais passer en catégorie B", {"besoin": "evolution"}),
    ("à 30 ans je voudrais reprendre des études", {"besoin": "retour_formation"}),
    ("je voudrais m'installer en maraîchage", {"besoin": "creation_entreprise"}),
    ("qui finance la formation d'un artisan ?", {"besoin": "financement"}),
    # fifth tuning (the January set read)
    ("je recherche un emploi depuis l'été", {"statut": "demandeur_emploi", "besoin": "emploi"}),
    ("ancien instituteur, retraité de la fonction publique", {"statut": "retraite"}),
    ("professeure des écoles en maternelle", {"statut": "agent_public"}),
    ("photographe en micro-entreprise depuis 2019", {"statut": "independant"}),
    ("je suis en PEC à la ressourcerie", {"statut": "salarie", "contrat": "autre"}),
    ("elle a tout lâché en seconde pro l'an passé", {"statut": "decrocheur"}),
    ("est-ce qu'un BTS se prépare par apprentissage ?", {"besoin": "apprentissage"}),
    ("ni travail ni école depuis juin", {"statut": "sans_activite"}),
    ("le bilan coûte trop cher pour moi", {"besoin": "financement"}),
    ("on voudrait créer notre propre agence de voyages", {"besoin": "creation_entreprise"}),
])
def test_statut_and_besoin_cues(lire, text, expected):
    assert {k: v for k, v in lire(text).items() if k in expected} == expected


@pytest.mark.parametrize("text, slot", [
    ("mon fils nous annonce qu'il veut arrêter l'info", "besoin"),   # the verb, not a job ad
    # a dismissal feared or announced is not one
    ("mon chef parle d'un licenciement économique en fin d'année", "statut_demandeur"),
    ("je risque d'être licenciée, je préfère anticiper", "statut_demandeur"),
])
def test_words_that_only_look_like_a_cue(lire, text, slot):
    if slot == "statut_demandeur":
        assert lire(text).get("statut") != "demandeur_emploi"
    else:
        assert slot not in lire(text)


def test_ones_own_thing_after_a_past_verb_is_still_ones_own(lire):
    assert lire("j'ai reçu une relance de l'Urssaf pour ma micro-entreprise")["statut"] == "independant"
    # a verb that ends it
    assert "statut" not in lire("j'ai fermé ma micro-entreprise l'an dernier")


def test_other_people_named_as_a_group_or_a_boy(lire):
    assert lire("le patron qui prend des apprentis, c'est où ?").get("statut") != "apprenti"
    profil = lire("je suis vendeuse, notre garçon a 15 ans et il est en 3e")
    assert profil["statut"] == "scolaire" and profil["age"] == 15
    # a fear, not a fact
    assert lire("on ne veut pas qu'il décroche, il est en seconde").get("statut") == "scolaire"


@pytest.mark.parametrize("text, age", [
    ("je viens d'avoir 18 ans", 18),
    ("j'ai eu 26 ans en mars", 26),
    ("aujourd'hui à 41 ans je voudrais changer", 41),
])
def test_ages_told_as_just_reached(lire, text, age):
    assert lire(text)["age"] == age


@pytest.mark.parametrize("text", [
    "je voudrais être en CDI un jour",       # a wish, not the present
    "j'étais en CDI pendant dix ans",        # the past
])
def test_a_wished_or_past_contract_is_not_the_situation(lire, text):
    assert "contrat" not in lire(text)


def test_a_hedged_yes_no_fact_is_asked_rather_than_kept(lire):
    assert "cadre" not in lire("je suis peut-être cadre, je ne sais pas trop")


def test_a_trade_after_a_possessive_is_someone_elses(lire):
    assert lire("mon formateur m'a dit de changer de patron, je suis apprenti boulanger")["metier"] == "boulanger"
    assert "metier" not in lire("ma conseillère m'a appelé hier")


@pytest.mark.parametrize("text, trade", [
    ("prof des écoles depuis 10 ans, je voudrais changer", "prof des écoles"),
    ("juriste en CDI, je cherche à évoluer", "juriste"),
    ("Mécano depuis 8 ans sans diplôme", "Mécano"),
])
def test_office_public_and_health_trades(lire, text, trade):
    assert lire(text)["metier"] == trade


def test_a_trade_field_counts_only_for_an_apprenticeship_or_a_creation(lire):
    assert "metier" not in lire("je suis au chômage et je voudrais travailler dans la santé")
    assert lire("je cherche un apprentissage en boulangerie")["metier"] == "boulangerie"


def test_the_words_behind_a_fact_are_kept():
    lecture = get_lecteur().lire("Bonjour, je suis en CDD à Tours")
    fait = lecture.fait("contrat")
    assert fait.texte in ("CDD", "en CDD", "je suis en CDD")
    assert "Bonjour, je suis en CDD à Tours"[fait.start:fait.end] == fait.texte


@pytest.mark.parametrize("text, distress", [
    ("parfois j'ai envie d'en finir", True),
    ("il m'a frappée hier soir", True),
    ("je cherche une formation prévention du suicide pour les infirmiers", False),
    ("je suis au collège", False),
    ("ce boulot me tue, je veux changer", False),
    ("j'aimerais en finir avec l'intérim", False),
    ("jveux pu me reveiller le matin", True),    # SMS spellings (data `sms`)
    ("jveux pu travailler de nuit", False),
    ("il lève la main sur moi quand il a bu", True),
    ("je me suis entaillé les poignets", True),
    ("ils seraient mieux sans moi", True),
    ("j'ai rédigé mes dernières volontés", True),
    ("il m'a encore étranglée hier", True),
    ("j'accompagne des patients qui ont fait des tentatives de suicide", False),
    ("l'agence d'intérim me harcèle de textos pour des missions", False),
    ("ma mère va me tuer quand elle saura que j'arrête la fac", False),
    # concepts rather than sentences: a thought a few words from its verb, the means at hand,
    # violence done to someone else, a child abused, forced marriage, threats, no roof tonight
    ("je pense de plus en plus souvent à me tuer", True),
    ("j'ai envie d'en finir avec les contrats courts", False),
    ("mon voisin bat ses enfants, on les entend crier", True),
    ("son oncle la touche quand ils sont seuls", True),
    ("ma famille veut me marier cet été avec quelqu'un que je connais pas", True),
    ("il m'a écrit qu'il allait me crever", True),
    ("on est à la rue avec mon fils depuis hier", True),
    ("je ne sais pas où dormir ce soir", True),
    ("mon patron m'a mis dehors, je cherche du travail", False),
    ("je m'occupe de patients qui ont fait des tentatives de suicide", False),
    ("il a été victime de harcèlement en 4e mais c'est réglé, il va bien maintenant", False),
    # fifth tuning: other words for the same concepts, and their look-alikes
    ("je suis lasse de vivre, franchement", True),
    ("tout le monde serait soulagé si je disparaissais", True),
    ("j'ai pris assez pour ne pas me rater", True),
    ("mon frère continue à me frapper quand mes parents sortent", True),
    ("j'ai peur qu'elle fasse une bêtise, elle ne mange plus", True),
    ("je veux en finir avec la restauration, je cherche autre chose", False),
    ("je suis harcelée au téléphone par des centres de formation pour mon CPF", False),
    ("je veux prendre en charge les patients en crise suicidaire, quelle formation ?", False),
    ("mon ado a des entailles sur les poignets, je ne sais pas quoi faire", True),
    ("je me sens un poids pour mes enfants depuis mon licenciement", True),
    ("mon patron garde mon passeport et je travaille sans etre paye", True),
    ("je n'ai nulle part ou dormir ce soir", True),
    ("ancien policier, j'ai ete confronte a des suicides, je veux devenir formateur", False),
    ("je fais un memoire sur le harcelement scolaire et je cherche un stage", False),
])
def test_distress_words(text, distress):
    assert get_lecteur().lire(text).detresse is distress


@pytest.mark.parametrize("text, expected", [
    # « a » without its accent before a commune is « à », not a passé composé
    ("je suis soudeur en CDI a Vierzon et je voudrais une formation", {"statut": "salarie", "contrat": "cdi"}),
    ("ma fille de 12 ans est en 5e a Romorantin, elle veut etre fleuriste", {"statut": "scolaire"}),
    # a wish that comes after the situation, in its own clause, does not make it a wish
    ("Vendeuse en CDI a Tours depuis 6 ans, je voudrais devenir responsable", {"statut": "salarie", "contrat": "cdi"}),
    # SMS: a negation does not reach past a new « jai », « jveux »
    ("jai pas le brevet jai arrete en 3eme", {"statut": "decrocheur"}),
    ("personne me repond jamais jveux juste travailler", {"besoin": "emploi"}),
])
def test_the_situation_survives_accentless_and_sms_text(lire, text, expected):
    assert {k: v for k, v in lire(text).items() if k in expected} == expected


def test_a_wished_apprenticeship_after_a_mistagged_trade_is_a_need_not_a_statut(lire):
    profil = lire("j'ai 16 ans, je voudrais faire un CAP fleuriste en alternance")
    assert profil.get("besoin") == "apprentissage" and "statut" not in profil and "contrat" not in profil


@pytest.mark.parametrize("text, slot", [
    ("mon patron a-t-il le droit de me licencier pendant mon arret", "statut"),
    ("mon pere voudrait savoir s'il peut partir en retraite a 62 ans", "statut"),
])
def test_a_question_about_a_right_is_not_a_statut(lire, text, slot):
    assert lire(text).get(slot) not in ("demandeur_emploi", "retraite")


@pytest.mark.parametrize("text, expected", [
    ("plus au chomage : j'ai trouve un CDD de 6 mois chez un paysagiste", {"statut": "salarie", "contrat": "cdd"}),
    ("je sais pas ce que je veux, ni quel metier choisir", {"besoin": "choix_metier"}),
    ("mon contrat finit en mai, j'aimerais trouver autre chose vite", {"besoin": "emploi"}),
])
def test_a_contract_just_found_and_a_need_after_ni(lire, text, expected):
    assert {k: v for k, v in lire(text).items() if k in expected} == expected


def test_a_working_life_told_from_its_start_is_not_a_job_search(lire):
    assert lire("mon pere a commence a travailler a 16 ans, il veut connaitre ses droits").get("besoin") != "emploi"


def test_an_auxiliary_far_away_does_not_make_a_present_contract_past(lire):
    # the parser hangs the « a » of « elle a 24 ans » on « termine », three words after « en CDD »
    profil = lire("Elle a 24 ans, elle est en CDD à Tours, son contrat se termine le mois prochain")
    assert (profil.get("statut"), profil.get("contrat")) == ("salarie", "cdd")


@pytest.mark.parametrize("text, expected", [
    # a former statut (« ancien », « ex- ») is not the present one
    ("ex apprentie coiffeuse, je suis au chomage depuis l'ete", {"statut": "demandeur_emploi"}),
    # a dismissal feared is not a dismissal
    ("je suis aide a domicile en CDI et j'ai peur de me faire licencier", {"statut": "salarie"}),
    # excluded from school is a school leaver, not a job seeker
    ("mon fils a 15 ans, il a ete renvoye du college en janvier", {"statut": "decrocheur"}),
    # a cadre with no other statut said is an employee
    ("responsable logistique, cadre depuis 6 ans, je voudrais evoluer", {"statut": "salarie", "cadre": True}),
])
def test_former_feared_and_implied_statuts(lire, text, expected):
    assert {k: v for k, v in lire(text).items() if k in expected} == expected


@pytest.mark.parametrize("text", [
    "au chomage, je voudrais me mettre a mon compte comme paysagiste",
    "je reve de creer une petite structure de garde d'animaux",
])
def test_wanting_to_work_for_oneself_is_a_business_creation(lire, text):
    profil = lire(text)
    assert profil.get("besoin") == "creation_entreprise" and profil.get("statut") != "independant"


def test_a_request_said_not_to_be_for_ones_children_is_ones_own(lire):
    profil = lire("ce n'est pas pour mes enfants que j'ecris, c'est pour moi. J'ai 52 ans et je viens d'etre licencie.")
    assert (profil.get("statut"), profil.get("age")) == ("demandeur_emploi", 52)


def test_an_orientation_fair_is_not_a_need(lire):
    assert lire("je suis allee au forum des metiers mais je cherche un emploi").get("besoin") == "emploi"


@pytest.mark.parametrize("text, distress", [
    ("j'ai laissé une lettre à mon frère dans ma table de nuit, au cas où", True),
    ("tous les matins je pense à faire un pas en avant quand le RER arrive", True),
    ("si je disparaissais demain personne ne s'en rendrait compte", True),
    ("je voudrais m'endormir ce soir et ne jamais me réveiller", True),
    ("ma cousine refuse d'épouser le garçon que son père a choisi, elle a peur", True),
    ("mon copain me force quand il a bu", True),
    ("un élève m'a dit qu'il allait se tuer ce week-end", True),
    ("mon chef me met la main aux fesses à chaque réunion", True),
    ("ma soeur est enfermée par son mari depuis une semaine", True),
    # look-alikes
    ("je voudrais me lancer dans la restauration rapide", False),
    ("pompier, je secours des personnes après des tentatives de suicide, je veux devenir infirmier", False),
    ("greffière, je gère les dossiers de violences conjugales au tribunal, je veux évoluer", False),
    ("moniteur de saut, j'aime sauter d'un pont avec un élastique, quelle formation ?", False),
])
def test_distress_concepts_of_the_march_tuning(text, distress):
    assert detresse_lexicon()(text) is distress


@pytest.mark.parametrize("text, expected", [
    ("mon CDD de serveuse finit en juin, je cherche la suite", {"statut": "salarie", "contrat": "cdd"}),
    ("au chomage depuis la fin de mon CDI en mars", {"statut": "demandeur_emploi", "contrat": None}),
    ("ma femme tient une epicerie a Gien depuis dix ans", {"statut": "independant"}),
    ("mon conjoint est policier, il veut changer de voie", {"statut": "agent_public"}),
    ("je viens d'obtenir ma RQTH et je cherche un poste adapte", {"handicap": True}),
    ("me voila au chomage a 55 ans, qui embauche encore ?", {"age": 55}),
    ("vingt ans a l'usine et on ferme, j'ai 48 ans", {"age": 48}),
    ("obligee de me former jusqu'a 18 ans, je suis en 3e", {"age": None}),
])
def test_contracts_shops_recent_past_and_ages_after_a(lire, text, expected):
    profil = lire(text)
    assert {k: profil.get(k) for k in expected} == expected


def test_a_trade_named_beside_a_projects_field_is_the_trade(lire):
    # « coiffeuse » is the trade; « en coiffure » only names its field
    assert lire("coiffeuse depuis 8 ans, je voudrais m'installer a mon compte en coiffure a domicile")["metier"] \
        .lower() == "coiffeuse"


@pytest.mark.parametrize("text, expected", [
    # « compta » taken by the tagger for « compter »: no wish without an infinitive
    ("je suis en BTS compta en alternance a Blois", {"statut": "apprenti"}),
    ("je compte sur vous, je suis en CDI", {"statut": "salarie"}),
    ("je compte passer en CDI l'an prochain", {"contrat": None}),
    ("des infos sur les formations de la region, c'est possible ?", {"besoin": "formation"}),
    ("il y a une obligation de formation jusqu'a 18 ans mais il veut travailler", {"besoin": "emploi"}),
])
def test_wishes_need_their_infinitive_and_rules_told_are_not_needs(lire, text, expected):
    profil = lire(text)
    assert {k: profil.get(k) for k in expected} == expected


@pytest.mark.parametrize("text, risk", [
    ("du coup je cherche un emploi dans la vente", False),
    ("je voudrais gagner ma vie plus vite, mdr", False),
    ("pour tuer le temps je fais du benevolat", False),
    ("le lait ne nous permet plus de vivre, on arrete l'exploitation", False),
    ("ma vie n'a plus de sens", True),
    ("il m'a donne un coup", True),
])
def test_everyday_phrases_hold_no_word_of_risk(text, risk):
    assert detresse_lexicon().risque(text) is risk


@pytest.mark.parametrize("text", [
    "en 2e annee de bac pro maconnerie en apprentissage, je veux changer de voie",
    "Je suis en première année de BTS MCO en alternance à Tours et ça ne me plaît pas",
])
def test_a_course_under_way_as_an_apprenticeship_is_a_statut_not_a_need(lire, text):
    profil = lire(text)
    assert profil.get("statut") == "apprenti" and profil.get("besoin") != "apprentissage"


def test_an_apprenticeship_wished_stays_a_need(lire):
    profil = lire("je suis en 3e et je voudrais faire un CAP cuisine en apprentissage l'an prochain")
    assert profil.get("besoin") == "apprentissage" and profil.get("statut") == "scolaire"
