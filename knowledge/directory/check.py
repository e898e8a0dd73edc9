"""The directory's consistency check: networks whose contacts do not look like ones, networks in
the database but no longer in reseaux.yml, and places edited into an inconsistent state (unknown
network or commune, missing name, source or date, département or coordinates out of the region,
zone without code, malformed contact)."""
from __future__ import annotations

from sqlalchemy import select

from knowledge.communes import DEPARTEMENTS, Communes
from knowledge.directory._common import ZONE_TYPES, _clean, _contact_problem
from knowledge.directory.reseaux import _NetworkSpec
from knowledge.models import Lieu, ReseauRow


def check(specs: dict[str, _NetworkSpec], communes: Communes, sessions) -> list[str]:
    """Problems in the networks and places (French, one per line); empty when all hold."""
    problems = []
    for code, spec in specs.items():
        problem = _contact_problem(spec.reseau.telephone, spec.reseau.site_web)
        if problem:
            problems.append(f"Réseau {code} : {problem}")
    with sessions() as session:
        stale = session.execute(select(ReseauRow.code)).scalars().all()
        rows = session.execute(select(Lieu).order_by(Lieu.id)).scalars().all()
    problems += [f"Réseau {code} en base mais absent de reseaux.yml." for code in stale if code not in specs]
    for row in rows:
        problems += [f"Lieu {row.id} ({row.nom}) : {p}" for p in _place_problems(row, specs, communes)]
    return problems


def _place_problems(row: Lieu, specs: dict[str, _NetworkSpec], communes: Communes) -> list[str]:
    problems = []
    if row.reseau not in specs:
        problems.append(f"réseau inconnu de reseaux.yml : {row.reseau}")
    if not _clean(row.nom):
        problems.append("nom manquant")
    if not _clean(row.source):
        problems.append("source manquante")
    if not _clean(row.date_maj):
        problems.append("date de mise à jour manquante")
    if row.code_insee:
        commune = communes.get(row.code_insee)
        if commune is None:
            problems.append(f"code INSEE inconnu : {row.code_insee}")
        elif commune.departement != row.departement:
            problems.append(f"département {row.departement} incohérent avec la commune {row.code_insee}")
    if row.departement is not None and row.departement not in DEPARTEMENTS:
        problems.append(f"département hors région : {row.departement}")
    if (row.latitude is None) != (row.longitude is None):
        problems.append("coordonnées incomplètes")
    elif row.latitude is not None and communes.nearest(row.latitude, row.longitude) is None:
        problems.append(f"coordonnées hors de la région : {row.latitude}, {row.longitude}")
    if row.zone_diffusion_type not in ZONE_TYPES:
        problems.append(f"type de zone de diffusion inconnu : {row.zone_diffusion_type}")
    if not row.zone_diffusion_codes:
        problems.append("zone de diffusion sans code")
    problem = _contact_problem(row.telephone, row.site_web, row.courriel)
    if problem:
        problems.append(problem)
    return problems
