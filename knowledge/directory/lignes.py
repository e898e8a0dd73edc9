"""From a raw record to the values of a place, or the French reason why it is rejected: its network
(named, or told by its parent networks and its name), its fields checked (codes, coordinates,
contacts), where it is (commune, INSEE code, département and coordinates derived from the most
precise thing its source gave, see ``PlaceBuilder._locate``) and its competence zone.

Facts are never made up here: a place keeps what its source said. What is derived is derived
from the communes reference (coordinates and INSEE code of a named commune, the département of
a commune, postal code or referential code) and marked as such.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any, Iterable

from knowledge.communes import DEPARTEMENTS, Commune, Communes
from knowledge.directory._common import (
    REGION_ZONE,
    REGION_ZONE_SET,
    ZONE_TYPES,
    _clean,
    _contact_problem,
    _split_codes,
)
from knowledge.directory.reseaux import _NetworkSpec
from knowledge.models import COORDS_COMMUNE, COORDS_NAME, COORDS_SOURCE
from knowledge.territoire import TERRITOIRE
from knowledge.texte import fold

REGION, REGION_CODE = TERRITOIRE.region, TERRITOIRE.code_region
COUNTRY_CODES = ("france", "99100")

# Metropolitan France, generously: an import outside this box is a typo (swapped lat/lon...).
FRANCE_LAT, FRANCE_LON = TERRITOIRE.latitudes, TERRITOIRE.longitudes

# Commune resolutions trusted to attach a place to a commune (not "approx": a guess).
TRUSTED_MATCHES = ("insee", "exact", "normalise", "code_postal")

# "[18-ML CHER SUD]": referential short code of a Mission locale, giving its département.
REFERENTIAL_CODE = re.compile(r"\[(\d{2})-[^\]]*\]")
INSEE = re.compile(r"[0-9][0-9AB][0-9]{3}")
POSTAL_CODE = re.compile(r"\d{5}")


class _Rejected(Exception):
    """A row that cannot be imported; the message is the French reason."""


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", fold(text)))


def _parse_coordinate(value: Any, label: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _Rejected(f"{label} non numérique : {value!r}")
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        raise _Rejected(f"{label} non numérique : {value!r}") from None


def _zone_from_codes(codes: Iterable[str]) -> tuple[str, list[str]]:
    """Zone type and codes from data·inclusion v1 `zone_eligibilite`-style codes."""
    kinds, kept = set(), []
    for code in codes:
        lowered = code.lower()
        if lowered in COUNTRY_CODES:
            kinds.add("pays")
            kept.append("france")
        elif len(code) == 5:
            kinds.add("commune")
            kept.append(code.upper())
        elif len(code) == 9 and code.isdigit():
            kinds.add("epci")
            kept.append(code)
        elif 2 <= len(code) <= 3:
            kinds.add("departement")
            kept.append(code.upper())
        else:
            raise _Rejected(f"code de zone non reconnu : {code!r}")
    kept = sorted(set(kept))
    if "pays" in kinds:
        return "pays", ["france"]
    if "departement" in kinds:
        if REGION_ZONE_SET <= set(kept):
            return "region", kept
        return "departement", kept
    return ("epci" if "epci" in kinds else "commune"), kept


def _zone_from_type(zone_type: str, codes: list[str]) -> tuple[str, list[str]]:
    """Zone from a `zone_diffusion_type` and its code(s) (data·inclusion v0 style, our CSV)."""
    if zone_type not in ZONE_TYPES:
        raise _Rejected(f"type de zone de diffusion inconnu : {zone_type!r}")
    if zone_type == "pays":
        return "pays", ["france"]
    if zone_type == "region":
        # A region zone is stored as its départements, as data·inclusion v1 does.
        if codes and codes != [REGION_CODE]:
            raise _Rejected(f"zone de diffusion hors {REGION} : région {', '.join(codes)}")
        return "region", list(REGION_ZONE)
    if not codes:
        raise _Rejected(f"zone de diffusion « {zone_type} » sans code")
    return zone_type, sorted({c.upper() for c in codes})


def _stable_id(reseau: str, nom: str, where: str | None) -> str:
    key = "|".join((reseau, fold(nom), fold(where or "")))
    return f"{reseau}--{hashlib.sha1(key.encode('utf-8')).hexdigest()[:12]}"


class PlaceBuilder:
    """Builds the values of a place from a raw record, for the networks ``specs`` and the
    communes reference ``communes``."""

    def __init__(self, specs: dict[str, _NetworkSpec], communes: Communes):
        self._specs = specs
        self._communes = communes
        self._porteurs: dict[str, list[_NetworkSpec]] = {}
        for spec in specs.values():
            for code in spec.reseaux_porteurs:
                self._porteurs.setdefault(code, []).append(spec)

    def _network_of(self, raw: dict) -> _NetworkSpec:
        code = _clean(raw.get("reseau"))
        if code:
            if code not in self._specs:
                raise _Rejected(f"réseau inconnu : {code!r}")
            return self._specs[code]
        porteurs = [str(p).strip() for p in raw.get("reseaux_porteurs") or () if str(p).strip()]
        if not porteurs:
            raise _Rejected("réseau manquant (ni « reseau » ni « reseaux_porteurs »)")
        words = _words(_clean(raw.get("nom")) or "")
        for porteur in porteurs:
            candidates = self._porteurs.get(porteur) or ([self._specs[porteur]] if porteur in self._specs else [])
            if len(candidates) > 1:
                candidates = [s for s in candidates if words & set(s.mots_du_nom)]
            if len(candidates) == 1:
                return candidates[0]
        raise _Rejected(f"aucun réseau connu parmi les réseaux porteurs : {', '.join(porteurs)}")

    def build_place(self, raw: dict) -> dict:
        """Validated column values (and "id") of one record; _Rejected with a French reason."""
        if "_erreur" in raw:
            raise _Rejected(raw["_erreur"])
        spec = self._network_of(raw)
        nom = _clean(raw.get("nom"))
        if not nom:
            raise _Rejected("nom manquant")
        source, date_maj = _clean(raw.get("source")), _clean(raw.get("date_maj"))
        if not source:
            raise _Rejected("source manquante")
        if not date_maj:
            raise _Rejected("date de mise à jour manquante")

        code_insee = _clean(raw.get("code_insee"))
        if code_insee and not INSEE.fullmatch(code_insee.upper()):
            raise _Rejected(f"code INSEE invalide : {code_insee!r} (5 caractères attendus)")
        code_postal = _clean(raw.get("code_postal"))
        if code_postal and not POSTAL_CODE.fullmatch(code_postal):
            raise _Rejected(f"code postal invalide : {code_postal!r} (5 chiffres attendus)")
        latitude = _parse_coordinate(raw.get("latitude"), "latitude")
        longitude = _parse_coordinate(raw.get("longitude"), "longitude")
        if (latitude is None) != (longitude is None):
            raise _Rejected("coordonnées incomplètes : latitude et longitude vont ensemble")
        if latitude is not None and not (FRANCE_LAT[0] <= latitude <= FRANCE_LAT[1]
                                         and FRANCE_LON[0] <= longitude <= FRANCE_LON[1]):
            raise _Rejected(f"coordonnées hors de France : latitude {latitude}, longitude {longitude}")
        telephone, site_web, courriel = (_clean(raw.get(k)) for k in ("telephone", "site_web", "courriel"))
        problem = _contact_problem(telephone, site_web, courriel)
        if problem:
            raise _Rejected(problem)
        porteurs = raw.get("reseaux_porteurs")
        if porteurs is not None and not isinstance(porteurs, (list, tuple)):
            porteurs = _split_codes(porteurs)

        where = self._locate(nom, code_insee.upper() if code_insee else None,
                             _clean(raw.get("commune")), code_postal, latitude, longitude,
                             _clean(raw.get("departement")))
        zone_type, zone_codes = self._zone(raw, spec, where["departement"])
        return {
            "id": _clean(raw.get("id")) or _stable_id(spec.reseau.code, nom, code_insee or _clean(raw.get("commune"))),
            "reseau": spec.reseau.code,
            "nom": nom,
            "adresse": _clean(raw.get("adresse")),
            "complement_adresse": _clean(raw.get("complement_adresse")),
            "code_postal": code_postal,
            **where,
            "telephone": telephone,
            "courriel": courriel,
            "site_web": site_web,
            "horaires_accueil": _clean(raw.get("horaires_accueil")),
            "source": source,
            "date_maj": date_maj,
            "reseaux_porteurs": sorted({str(p).strip() for p in porteurs if str(p).strip()})
            if porteurs else list(spec.reseaux_porteurs),
            "zone_diffusion_type": zone_type,
            "zone_diffusion_codes": zone_codes,
        }

    def _locate(self, nom: str, code_insee: str | None, commune_name: str | None,
                code_postal: str | None, latitude: float | None, longitude: float | None,
                departement_given: str | None = None) -> dict:
        """Commune, INSEE code, département and coordinates of a place, derived from the most
        precise thing the source gave: INSEE code, then commune name, then postal code, then a
        référentiel's département, a referential code or a commune named in the place's name."""
        commune: Commune | None = None
        departement: str | None = None
        if code_insee:
            commune = self._communes.get(code_insee)
            if commune is None:
                raise _Rejected(f"code INSEE inconnu en {REGION} : {code_insee}")
        hint = REFERENTIAL_CODE.search(nom)
        hinted = hint.group(1) if hint and hint.group(1) in DEPARTEMENTS else None
        if departement_given:
            if departement_given not in DEPARTEMENTS:
                raise _Rejected(f"département hors {REGION} : {departement_given}")
            hinted = departement_given
        postal = self._communes.resolve(code_postal) if code_postal and commune is None else None
        if commune is None and commune_name:
            match = self._communes.resolve(commune_name)
            if match.departement == "hors_region":
                raise _Rejected(f"commune hors {REGION} : {commune_name}")
            candidates = match.communes if match.kind in TRUSTED_MATCHES else ()
            if len(candidates) > 1:
                candidates = tuple(c for c in candidates
                                   if (code_postal and code_postal in c.codes_postaux) or c.departement == hinted)
            if len(candidates) == 1:
                commune = candidates[0]
        if commune is None and postal is not None:
            if postal.departement == "hors_region":
                raise _Rejected(f"code postal hors {REGION} : {code_postal}")
            if postal.resolved and not commune_name:
                commune = postal.resolved
            elif postal.departement in DEPARTEMENTS:
                departement = postal.departement

        origin = COORDS_SOURCE if latitude is not None else None
        if commune is not None:
            departement = commune.departement
            if latitude is None and commune.latitude is not None:
                latitude, longitude, origin = commune.latitude, commune.longitude, COORDS_COMMUNE
        else:
            departement = departement or hinted
            mention = self._communes.find_in_text(nom)
            if mention is not None:
                departement = departement or (mention.departement if mention.departement in DEPARTEMENTS else None)
                named = mention.resolved
                # Only to rank places: "Agence ... ORLEANS NORD" is near Orléans, maybe not in it.
                if (latitude is None and named is not None and named.latitude is not None
                        and named.departement == departement):
                    latitude, longitude, origin = named.latitude, named.longitude, COORDS_NAME
            if departement is None and origin == COORDS_SOURCE:
                nearest = self._communes.nearest(latitude, longitude)
                if nearest is None:
                    raise _Rejected(f"coordonnées hors de {REGION} : latitude {latitude}, "
                                    f"longitude {longitude}")
                departement = nearest.departement
        return {
            "commune": commune.nom if commune else commune_name,
            "code_insee": commune.insee if commune else None,
            "departement": departement,
            "latitude": round(latitude, 6) if latitude is not None else None,
            "longitude": round(longitude, 6) if longitude is not None else None,
            "coordonnees_origine": origin,
        }

    @staticmethod
    def _zone(raw: dict, spec: _NetworkSpec, departement: str | None) -> tuple[str, list[str]]:
        zone_type = _clean(raw.get("zone_diffusion_type"))
        if zone_type:
            codes = _split_codes(raw.get("zone_diffusion_code") or raw.get("zone_diffusion_codes"))
            return _zone_from_type(zone_type.lower(), codes)
        eligibility = _split_codes(raw.get("zone_eligibilite"))
        if eligibility:
            return _zone_from_codes(eligibility)
        if spec.portee == "pays":
            return "pays", ["france"]
        if spec.portee == "departement" and departement in DEPARTEMENTS:
            return "departement", [departement]
        # A regional service, or a place of unknown département: serves the region.
        return "region", list(REGION_ZONE)
