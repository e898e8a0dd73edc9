"""Coverage of the structures directory: for every commune of the region and each local network,
is the FIRST place the orientation shows a real reception place with a street address and a
phone number, and how far is it?

The lookup is the orientation's own (``Directory.lieux(reseau, commune=...)``, first place, as
``KnowledgeBase._lieux`` takes it), so the report measures what a person is shown.
``python -m knowledge check --couverture`` prints it.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Iterable

from knowledge.communes import DEPARTEMENTS, Communes
from knowledge.directory import Directory

# The networks a person is sent to locally (issue 14).
RESEAUX_COUVERTURE = (
    "mission-locale", "france-travail", "cio", "cma", "cci", "chambre-agriculture",
    "reseau-information-jeunesse", "cap-emploi-reseau-cheops", "cidff",
)


@dataclass
class Couverture:
    """Counts for one network in one département (or in all: departement None)."""

    reseau: str
    departement: str | None
    communes: int = 0
    complets: int = 0            # first place has a street address and a phone
    locaux: int = 0              # first place is a reception place, not the network's service
    distances: list[float] = field(default_factory=list)

    @property
    def part_complets(self) -> float:
        return self.complets / self.communes if self.communes else 0.0

    @property
    def distance_mediane(self) -> float | None:
        return statistics.median(self.distances) if self.distances else None

    def add(self, other: "Couverture") -> None:
        self.communes += other.communes
        self.complets += other.complets
        self.locaux += other.locaux
        self.distances += other.distances


def premier_lieu_complet(lieu: dict) -> bool:
    """A reception place (not a network entry) with a street address and a phone number."""
    return (not str(lieu.get("id", "")).startswith("reseau:")
            and bool(lieu.get("adresse")) and bool(lieu.get("telephone")))


def mesurer(directory: Directory, communes: Communes,
            reseaux: Iterable[str] = RESEAUX_COUVERTURE) -> dict[tuple[str, str], Couverture]:
    """Coverage per (network, département) over every commune of the reference."""
    result: dict[tuple[str, str], Couverture] = {}
    for reseau in reseaux:
        for commune in communes.all():
            if commune.departement not in DEPARTEMENTS:
                continue
            cell = result.setdefault((reseau, commune.departement), Couverture(reseau, commune.departement))
            first = directory.lieux(reseau, commune=commune, limit=1)[0]
            cell.communes += 1
            if not str(first.get("id", "")).startswith("reseau:"):
                cell.locaux += 1
            if premier_lieu_complet(first):
                cell.complets += 1
            if first.get("distance_km") is not None:
                cell.distances.append(first["distance_km"])
    return result


def par_reseau(cells: dict[tuple[str, str], Couverture]) -> dict[str, Couverture]:
    totals: dict[str, Couverture] = {}
    for (reseau, _), cell in cells.items():
        totals.setdefault(reseau, Couverture(reseau, None)).add(cell)
    return totals


def total(cells: dict[tuple[str, str], Couverture]) -> Couverture:
    overall = Couverture("tous", None)
    for cell in cells.values():
        overall.add(cell)
    return overall


def _km(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} km".replace(".", ",")


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %".replace(".", ",")


def rapport(cells: dict[tuple[str, str], Couverture]) -> list[str]:
    """The report's lines, in French: per network then per département, then the total."""
    lines = ["Couverture : part des communes dont le premier lieu indiqué a une adresse et un téléphone",
             "(lieu local = un lieu d'accueil plutôt que le service du réseau ; distance médiane",
             "entre la commune et ce premier lieu, quand elle est connue).", ""]
    header = f"{'réseau':<30} {'dép.':<5} {'communes':>8} {'adresse+tél.':>13} {'lieu local':>11} {'dist. méd.':>11}"
    lines.append(header)
    for reseau, total_cell in par_reseau(cells).items():
        for dep in sorted(DEPARTEMENTS):
            cell = cells.get((reseau, dep))
            if cell is None:
                continue
            lines.append(f"{reseau:<30} {dep:<5} {cell.communes:>8} {_pct(cell.part_complets):>13} "
                         f"{_pct(cell.locaux / cell.communes if cell.communes else 0):>11} "
                         f"{_km(cell.distance_mediane):>11}")
        lines.append(f"{reseau:<30} {'tous':<5} {total_cell.communes:>8} {_pct(total_cell.part_complets):>13} "
                     f"{_pct(total_cell.locaux / total_cell.communes if total_cell.communes else 0):>11} "
                     f"{_km(total_cell.distance_mediane):>11}")
        lines.append("")
    overall = total(cells)
    lines.append(f"Ensemble : {_pct(overall.part_complets)} des {overall.communes} couples commune × réseau "
                 f"ont un premier lieu avec adresse et téléphone ; lieu local : "
                 f"{_pct(overall.locaux / overall.communes if overall.communes else 0)} ; "
                 f"distance médiane : {_km(overall.distance_mediane)}.")
    return lines
