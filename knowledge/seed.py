"""The seed of the structures directory (knowledge/data/structures_cvl.csv), built from the places
sourced by hand and the public extracts of knowledge/data/sources/, in an order of trust.

Order of trust (what is imported first keeps its fields; a later source only fills what is still
missing, see ``Directory.import_file``):

1. ``structures_manuelles.csv``: places a person read in a public source, row by row, each with
   its own source (the most specific: read for that place);
2. the Missions locales referential of the CEJ app (2023-09-18): the siège's commune;
3. the same app's agency names, Pôle emploi then Missions locales (2023-12-15);
4. the France services (ANCT, 2020-10-12), when reseaux.yml declares the network
   ``france-services`` (otherwise its rows are refused: « réseau inconnu »);
5. Pôle emploi's agencies (2019-11-13): addresses and coordinates;
6. the DILA annuaire (2019-10-22): addresses, phones, e-mails, websites.

Newer before older, and the hand-sourced rows first. ``scripts/build_structures.py`` writes the
seed; a test checks that the committed seed is what this module builds.
"""
from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from knowledge.communes import Communes, load_communes
from knowledge.directory import SEED_COLUMNS, SEED_CSV_PATH, Directory, ImportReport

SOURCES_DIR = Path(__file__).resolve().parent / "data" / "sources"
HAND_CSV = SOURCES_DIR / "structures_manuelles.csv"
ORDER = (
    "passemploi_referentiel_structures_milo_cvl.csv",
    "passemploi_agences_pe_cvl.csv",
    "passemploi_agences_milo_cvl.csv",
    "anct_france_services_2020_cvl.csv",
    "lesemplois_pole_emploi_agencies_cvl.csv",
    "dada_annuaire_dila2019_cvl.csv",
)


def build(communes: Communes | None = None, sources_dir: Path = SOURCES_DIR
          ) -> tuple[list[dict[str, str]], dict[str, ImportReport]]:
    """The seed's rows, and each source's import report."""
    communes = communes or load_communes()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Directory.open(f"sqlite:///{Path(tmp) / 'seed.db'}", communes=communes,
                                   seed=sources_dir / HAND_CSV.name)
        try:
            reports = {name: directory.import_file(sources_dir / name) for name in ORDER}
            return directory.seed_rows(), reports
        finally:
            directory.close()


def seed_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SEED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write(path: Path = SEED_CSV_PATH) -> dict[str, ImportReport]:
    rows, reports = build()
    path.write_text(seed_text(rows), encoding="utf-8")
    return reports
