"""The structures directory: networks and reception places, where they are and whom they serve.

Owns: loading the networks of knowledge/data/reseaux.yml (``reseaux``); importing places from our
CSV format (knowledge/data/structures_cvl.csv, the seed), from a data·inclusion JSON export, or
from one of the public extracts read by knowledge.sources (merged into the places they describe),
with validation and provenance: files read into raw records (``lecture``), each record made a
place or rejected (``lignes``), the places written (``importation``); the competence zone of each
place; the place lookup used by routing (``lookup``: competent places first, then the nearest in
the person's département, a place without address or phone counting as INCOMPLETE_DETOUR_KM
farther, else the network's own regional or national service); the seed's rows
(``Directory.seed_rows``, see knowledge.seed); and the directory's consistency check (``check``).
``Directory`` (``registry``) ties them to one database.

Facts are never made up here: a place keeps what its source said. What is derived is derived
from the communes reference (coordinates and INSEE code of a named commune, the département of
a commune, postal code or referential code) and marked as such.
"""
from knowledge.directory._common import DATA_DIR, DirectoryError
from knowledge.directory.importation import ImportReport
from knowledge.directory.lecture import SEED_COLUMNS, SEED_CSV_PATH
from knowledge.directory.registry import Directory
from knowledge.directory.reseaux import RESEAUX_PATH, Reseau, load_reseaux

__all__ = [
    "DATA_DIR",
    "RESEAUX_PATH",
    "SEED_COLUMNS",
    "SEED_CSV_PATH",
    "Directory",
    "DirectoryError",
    "ImportReport",
    "Reseau",
    "load_reseaux",
]
