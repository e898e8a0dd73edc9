"""Masking of personal data before text reaches Rasa, a store or a log.

The service never needs a name, an e-mail address, a personal phone number, a street address, a
date of birth, a social-security number (NIR) or a bank account: anything that looks like one is
replaced by a neutral placeholder. What the assistant does need stays: age, town and postal code,
trade, dates of events, public service numbers (0 800 222 100, 3949).

Phone numbers are found by `phonenumbers` (Google's libphonenumber), and only personal ones
(mobile, landline, VoIP) are masked; NIR and IBAN are masked on their shape, without checking
their key, so a mistyped one is masked too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from knowledge import get_kb
from knowledge.texte import words

_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’-]*"  # a capitalised word (names are written so, or not at all)
_ANY_WORD = r"[^\W\d_][\w'’-]*"
_MONTHS = r"(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre)"
_DATE = rf"(?:\d{{1,2}}[/.\- ]\d{{1,2}}[/.\- ](?:19|20)?\d{{2}}|(?:1er|\d{{1,2}})\s+{_MONTHS}\s+(?:19|20)\d{{2}})"
_STREET = (r"(?:rue|avenue|av\.?|boulevard|bd|all[ée]e|impasse|chemin|place|route|quai|cours|square|"
           r"lotissement|faubourg|passage|sentier|hameau|voie|cit[ée]|r[ée]sidence|lieu[- ]dit)")

# Order matters: an e-mail, an IBAN or a NIR contains digit runs a phone or date pattern would eat.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("courriel", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}\b", re.UNICODE)),
    ("iban", re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b", re.I)),
    # NIR: sex digit, birth year/month, place, order number, optional key; spaces allowed.
    ("nir", re.compile(r"\b[12][ .]?\d{2}[ .]?(?:0[1-9]|1[0-2]|[2-9]\d)[ .]?(?:\d{2}|2[AB])"
                       r"[ .]?\d{3}[ .]?\d{3}(?:[ .]?\d{2})?\b", re.I)),
    # A date of birth, only where it is said to be one ("né le 12/03/2005"); other dates stay.
    ("naissance", re.compile(rf"(?i:\b(?:n[ée]e?|naissance|ddn)\b\s*(?:le|en|:)?\s*)({_DATE})", re.UNICODE)),
    # ... or its year first: "née en 1987 le 4 juin", "né en 2005"
    ("naissance", re.compile(rf"(?i:\bn[ée]e?\s+en\s+)((?:19|20)\d{{2}}(?:,?\s+le\s+(?:1er|\d{{1,2}})\s+{_MONTHS})?)\b",
                             re.UNICODE)),
    # France Travail's identifier: seven digits and a letter.
    ("identifiant", re.compile(r"\b\d{7}[A-Za-z]\b")),
    # The rest of an address: flat, building before a flat, residence.
    ("adresse", re.compile(rf"(?i:\b(?:appt|apt|appartement|app)\.?\s*n?°?\s*\d{{1,4}}\b|"
                           rf"\bb[aâ]t(?:iment)?\.?\s+[A-Z0-9]{{1,3}}(?=\s+(?:appt|apt|appartement|escalier|esc|porte)\b)|"
                           rf"\br[ée]sidence\s+)(?-i:(?:les?\s+|la\s+|l')?{_WORD}(?:\s+{_WORD})?)?", re.UNICODE)),
    # A street address: number and street; the postal code and the town after it stay.
    ("adresse", re.compile(rf"(?i:\b\d{{1,4}}\s?(?:bis|ter|b)?,?\s+{_STREET}\b)[^,\n\d]{{1,60}}?"
                           rf"(?=\s*(?:,|\n|\d{{5}}|$|\s(?:(?i:a|à|au|sur|dans|pr[eè]s|et|je|j'|depuis)\b)))",
                           re.UNICODE)),
]
# A name after the words that introduce one. After "je m'appelle", "mon nom est", "moi c'est" the
# first word may be lower case ("je m'appelle léa"); then only capitalised words follow, so the
# name ends at the first ordinary word ("je m'appelle Léa je cherche…" keeps "je cherche").
PARTICLES = ("de", "du", "des", "d'", "van", "von", "ben", "bin", "el", "al", "da", "dos", "di", "le", "la")
_PARTICLE = rf"(?:(?:{'|'.join(PARTICLES)})\s+)?"
_NAME_STRONG = re.compile(
    rf"(?i:\b(je m['’ ]?a?p+el+e?|mon nom (?:est|c['’]?est)|moi c['’]?est|mon pr[ée]nom (?:est|c['’]?est)))\s+"
    rf"({_ANY_WORD}(?:\s+{_PARTICLE}{_WORD}){{0,3}})", re.UNICODE)
# "nom : Dupont", "nom Lavaldeprobe prénom Marc", "signé Marc", "Mme Dupont": a capitalised word.
_NAME_LABEL = re.compile(
    rf"(?i:\b(nom(?: de famille)?|pr[ée]nom|sign[ée]|mme|mlle|madame|monsieur|m\.|titulaire|"
    rf"(?:bien\s+)?cordialement|bien [àa] vous|bonne (?:journ[ée]e|soir[ée]e)|salutations(?: distingu[ée]es)?)"
    rf"\s*[:,.!]?)\s+({_WORD}(?:\s+{_PARTICLE}{_WORD}){{0,3}})", re.UNICODE)
# "je suis Marcel Probenom", "c'est pour mon fils Enzo": a capitalised word that is no ordinary word.
_NAME_JE_SUIS = re.compile(
    rf"(?i:\b(je suis|(?:salut|bonjour|bonsoir|coucou|cc|slt|bjr)\s*,?\s+c(?:['’]est)?|"
    rf"(?:mon|ma|notre)\s+(?:fils|fille|enfant|fr[eè]re|s[oœ]ur|mari|femme|[ée]poux|[ée]pouse|"
    rf"conjoint|conjointe|compagnon|compagne|neveu|ni[eè]ce|ami|amie|copain|copine|coll[eè]gue|petit-fils|petite-fille)))"
    rf"\s+({_WORD}(?:\s+{_PARTICLE}{_WORD}){{0,3}})", re.UNICODE)
# "Chloé Martin, 19 ans, …": a first and last name opening the message, before a comma or an age.
_NAME_OPENING = re.compile(rf"^(\s*)({_WORD}\s+{_WORD})(?=\s*,|\s+\d{{1,2}}\s*ans\b)", re.UNICODE)
# Capitalised words that follow "je suis" or "Madame" and are not names.
NOT_NAMES = frozenset("""
    a à au aux en le la les un une des du de d l mon ma mes ton ta son sa notre votre là ici bien
    pas plus très tres toujours encore actuellement déjà deja sans avec pour chez dans sur vraiment
    perdu perdue perdus désolé désolée desole desolee seul seule inscrit inscrite licencié licenciée
    maman papa mère mere père pere parent parents mari femme étudiant étudiante etudiant etudiante
    salarié salariée salarie salariee apprenti apprentie lycéen lycéenne collégien collégienne
    retraité retraitée retraite demandeur demandeuse chômeur chômeuse chomeur chomeuse cadre
    intérimaire interimaire fonctionnaire agent artisan indépendant indépendante auto titulaire
    diplômé diplômée diplome diplomee originaire nouveau nouvelle motivé motivée intéressé intéressée
    enceinte handicapé handicapée reconnu reconnue mineur mineure majeur majeure célibataire
    française français francais francaise bénévole benevole stagiaire alternant alternante élève eleve
    monsieur madame mademoiselle bonjour bonsoir merci svp oui non ok comme moi nous je j et ou
    chef auxiliaire assistant assistante technicien technicienne responsable conseiller conseillère
    employé employée ouvrier ouvrière aide directeur directrice ingénieur ingenieur infirmier
    infirmière agente opérateur opératrice préparateur préparatrice gestionnaire chargé chargée
    marocain marocaine algérien algérienne tunisien tunisienne sénégalais sénégalaise malien malienne
    ivoirien ivoirienne camerounais camerounaise congolais congolaise guinéen guinéenne portugais
    portugaise espagnol espagnole italien italienne turc turque roumain roumaine polonais polonaise
    ukrainien ukrainienne russe belge suisse anglais anglaise allemand allemande chinois chinoise
    vietnamien vietnamienne africain africaine européen européenne étranger étrangère réfugié réfugiée
    cherche voudrais veux souhaite aimerais habite vis travaille suis ai jai
""".split())


COMMON_WORDS = frozenset(words(w) for w in NOT_NAMES)


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    """Trade names and town names are not people's names ("je suis Boulanger", "c'est Tours")."""
    kb = get_kb()
    names = {words(form) for entry in kb.lexicon.entries for form in entry.forms}
    names |= {words(c.nom) for c in kb.communes.all()}  # whole names: Saint-Marcel is a town, not Marcel
    return frozenset(names | COMMON_WORDS)


PLACEHOLDERS = {
    "courriel": "[courriel masqué]", "iban": "[IBAN masqué]", "nir": "[numéro masqué]",
    "telephone": "[téléphone masqué]", "nom": "[nom masqué]", "adresse": "[adresse masquée]",
    "naissance": "[date masquée]", "identifiant": "[identifiant masqué]",
}
PERSONAL_LINES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE,
                  phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE, phonenumbers.PhoneNumberType.VOIP,
                  phonenumbers.PhoneNumberType.PERSONAL_NUMBER, phonenumbers.PhoneNumberType.PAGER}


@dataclass(frozen=True)
class Masked:
    text: str
    kinds: tuple[str, ...]  # what was found, e.g. ("courriel",)


def _phones(text: str) -> tuple[str, int]:
    """Personal phone numbers masked; toll-free and short public numbers kept."""
    spans = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, "FR")
             if phonenumbers.number_type(m.number) in PERSONAL_LINES]
    for start, end in reversed(spans):
        text = text[:start] + PLACEHOLDERS["telephone"] + text[end:]
    return text, len(spans)


def _name_end(candidate: str, strong: bool) -> int:
    """How much of `candidate` is a name: it ends before the first known word (a town, a trade, a
    common word: « Marie de Tours », an all-caps « LEA JE CHERCHE »), and a particle before it.
    0 when the first word is no name. After « je m'appelle » (`strong`) only common words count:
    « je m'appelle Boulanger » may be a surname."""
    known = _known_words()
    end = 0
    for i, m in enumerate(re.finditer(r"[^\s]+", candidate)):
        if i > 0 and m.group(0).lower() in PARTICLES:
            continue  # part of the name only if a name word follows ("de La Fontaine")
        if words(m.group(0)) in (COMMON_WORDS if strong and i == 0 else known):
            break
        end = m.end()
    return end


def mask(text: str) -> Masked:
    found: list[str] = []
    for kind, pattern in _PATTERNS:
        group = 1 if pattern.groups else 0

        def _hide(m: re.Match[str], kind=kind, group=group) -> str:
            return (m.group(0)[:m.start(group) - m.start(0)] + PLACEHOLDERS[kind]
                    + m.group(0)[m.end(group) - m.start(0):])

        text, n = pattern.subn(_hide, text)
        if n:
            found.append(kind)
    text, n = _phones(text)
    if n:
        found.append("telephone")

    names: set[str] = set()

    def _name(m: re.Match[str], strong: bool = False) -> str:
        end = _name_end(m.group(2), strong)
        if not end:
            return m.group(0)
        found.append("nom")
        names.update(w for w in re.findall(r"[^\W\d_][\w'’-]{2,}", m.group(2)[:end]) if w[0].isupper())
        head = m.group(0)[:m.start(2) - m.start(0)]
        return head + PLACEHOLDERS["nom"] + m.group(2)[end:]

    text = _NAME_STRONG.sub(lambda m: _name(m, strong=True), text)
    for pattern in (_NAME_LABEL, _NAME_JE_SUIS, _NAME_OPENING):
        text = pattern.sub(_name, text)
    for name in names:  # the same name said again ("mon nom c'est Oliveira, Ana Oliveira")
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", PLACEHOLDERS["nom"], text)
    return Masked(text, tuple(dict.fromkeys(found)))
