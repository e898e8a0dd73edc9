"""The place lookup used by routing: an in-memory index of the places by network, and their
ranking for a person (``lieux``): places competent for the person's commune first, then the
nearest in the person's département, a place without address or phone counting as
INCOMPLETE_DETOUR_KM farther, else the network's own regional or national service."""
from __future__ import annotations

from dataclasses import dataclass

from knowledge.communes import Commune, distance_km
from knowledge.directory._common import REGION_ZONE_SET, TRAILING_CODE
from knowledge.directory.reseaux import _NetworkSpec
from knowledge.horaires import en_clair
from knowledge.models import COORDS_NAME, Lieu

# Lookup: a place without a street address or a phone is ranked as if it were this much farther
# than it is, so the nearest place a person can reach comes first unless the other is much nearer
# (and a place in the same commune as another is always outranked by it).
INCOMPLETE_DETOUR_KM = 15.0


@dataclass(frozen=True)
class _IndexedPlace:
    public: dict                 # an orientation's "lieux" dict, without distance_km
    departement: str | None
    latitude: float | None       # may be approximate (see show_distance)
    longitude: float | None
    show_distance: bool
    zone_codes: frozenset[str]


class PlaceIndex:
    """The places of the networks ``specs``, indexed for ``lieux`` (see ``rebuild``)."""

    def __init__(self, specs: dict[str, _NetworkSpec]):
        self._specs = specs
        self._index: dict[str, tuple[_IndexedPlace, ...]] = {}
        self._fallbacks = {code: self._network_entry(spec) for code, spec in specs.items()}

    def lieux(self, reseau: str, commune: Commune | None = None, departement: str | None = None,
              limit: int = 3) -> list[dict]:
        """Places of `reseau` for a person: competent for the commune first, then the nearest
        in the département; the network's own service when it has no place there."""
        if reseau not in self._specs or limit < 1:
            return []
        departement = commune.departement if commune else departement
        insee = commune.insee if commune else None
        origin = (commune.latitude, commune.longitude) if commune and commune.latitude is not None else None
        places = self._index.get(reseau, ())
        has_local = departement is not None and any(p.departement == departement for p in places)

        ranked = []
        for place in places:
            rank = self._rank(place, insee, departement, has_local)
            if rank is None:
                continue
            distance = None
            if origin and place.latitude is not None and place.longitude is not None:
                distance = distance_km(origin[0], origin[1], place.latitude, place.longitude)
            # A place a person can reach (a street address and a phone) goes before one
            # without that is less than INCOMPLETE_DETOUR_KM nearer.
            incomplete = not (place.public["adresse"] and place.public["telephone"])
            detour = INCOMPLETE_DETOUR_KM if incomplete else 0.0
            ranked.append((rank, distance is None, (distance or 0.0) + detour, incomplete,
                           place.public["nom"], distance, place))
        ranked.sort(key=lambda item: item[:5])

        result = []
        for *_, distance, place in ranked[:limit]:
            shown = round(distance, 1) if distance is not None and place.show_distance else None
            result.append({**place.public, "distance_km": shown})
        if not result:
            result.append(dict(self._fallbacks[reseau]))
        return result

    @staticmethod
    def _rank(place: _IndexedPlace, insee: str | None, departement: str | None, has_local: bool) -> int | None:
        """0 competent for the commune, 1 in the département, 2 competent from elsewhere;
        None when the place is not for this person."""
        in_departement = departement is not None and place.departement == departement
        if has_local and not in_departement:
            return None
        if insee and insee in place.zone_codes:
            return 0
        if in_departement:
            return 1
        if "france" in place.zone_codes:
            return 2
        if departement is None:
            # Unknown location is taken as "somewhere in the region".
            return 2 if place.zone_codes >= REGION_ZONE_SET else None
        return 2 if departement in place.zone_codes else None

    def _network_entry(self, spec: _NetworkSpec) -> dict:
        r = spec.reseau
        return {
            "id": f"reseau:{r.code}", "reseau": r.code, "nom": r.nom, "commune": None,
            "code_insee": None, "departement": None, "adresse": None,
            "telephone": r.telephone, "site_web": r.site_web, "distance_km": None,
        }

    def _display_name(self, spec: _NetworkSpec, nom: str) -> str:
        for old, new in spec.renommages:
            if old in nom:
                nom = nom.replace(old, new, 1)
                break
        return TRAILING_CODE.sub("", nom)

    def rebuild(self, rows: list[Lieu]) -> None:
        """Index ``rows``, the places as stored (in the order of their ids)."""
        index: dict[str, list[_IndexedPlace]] = {}
        for row in rows:
            spec = self._specs.get(row.reseau)
            if spec is None:  # reported by check(); never shown
                continue
            adresse = ", ".join(p for p in (row.adresse, row.complement_adresse) if p) or None
            public = {
                "id": row.id, "reseau": row.reseau, "nom": self._display_name(spec, row.nom),
                "commune": row.commune, "code_insee": row.code_insee, "departement": row.departement,
                "adresse": adresse, "telephone": row.telephone,
                # A place without its own website shows its network's.
                "site_web": row.site_web or spec.reseau.site_web,
            }
            horaires = en_clair(row.horaires_accueil)
            if horaires:
                # Only where a source gives them: opening hours as people read them (French).
                public["horaires"] = horaires
            index.setdefault(row.reseau, []).append(_IndexedPlace(
                public=public, departement=row.departement, latitude=row.latitude,
                longitude=row.longitude, show_distance=row.coordonnees_origine != COORDS_NAME,
                zone_codes=frozenset(row.zone_diffusion_codes or ()),
            ))
        self._index = {code: tuple(places) for code, places in index.items()}
