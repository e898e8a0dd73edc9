"""The structures directory itself (``Directory``): opening the database (schema, networks
mirrored from reseaux.yml, seeding an empty one), the networks, and the seed's rows
(``seed_rows``, see knowledge.seed); place lookup, import and the consistency check are
delegated to knowledge.directory.lookup, .importation (with .lecture and .lignes) and .check."""
from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from knowledge.communes import Commune, Communes, load_communes
from knowledge.db import make_engine, make_session_factory
from knowledge.directory.check import check as check_directory
from knowledge.directory.importation import ImportReport
from knowledge.directory.importation import import_file as import_places
from knowledge.directory.lecture import SEED_CSV_PATH
from knowledge.directory.lignes import PlaceBuilder
from knowledge.directory.lookup import PlaceIndex
from knowledge.directory.reseaux import Reseau, _NetworkSpec, contact_of, load_reseaux
from knowledge.models import COORDS_SOURCE, Lieu, ReseauRow, create_schema
from knowledge.texte import fold

log = logging.getLogger(__package__)  # "knowledge.directory"


class Directory:
    """Networks and places, stored with SQLAlchemy, looked up from an in-memory index."""

    def __init__(self, engine, communes: Communes, reseaux: dict[str, _NetworkSpec]):
        self._engine = engine
        self._sessions = make_session_factory(engine)
        self._communes = communes
        self._specs = reseaux
        self._builder = PlaceBuilder(reseaux, communes)
        self._index = PlaceIndex(reseaux)

    # ---- opening

    @classmethod
    def open(cls, url: str | None = None, communes: Communes | None = None,
             seed: Path | None = SEED_CSV_PATH) -> "Directory":
        """Open (creating the schema, seeding an empty database from ``seed``) and index the
        directory."""
        engine = make_engine(url)
        create_schema(engine)
        directory = cls(engine, communes or load_communes(), load_reseaux())
        # Several processes (action server, gateway) may open a new database at the same time:
        # the one that loses the race finds the data written by the other on its second try.
        for attempt in (1, 2):
            try:
                directory._sync_reseaux()
                directory._seed_if_empty(seed)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
        return directory

    def _seed_if_empty(self, seed: Path | None) -> None:
        with self._sessions() as session:
            count = session.execute(select(func.count()).select_from(Lieu)).scalar_one()
        if count or seed is None:
            self._rebuild_index()
            return
        report = self.import_file(seed)
        for ref, reason in report.rejected:
            log.warning("Seed %s, ligne %s rejetée : %s", Path(seed).name, ref, reason)

    def seed_rows(self) -> list[dict[str, str]]:
        """Every place as a row of our CSV (SEED_COLUMNS), so that importing the rows gives the
        same places back: coordinates only when a source gave them (derived ones are derived
        again), the département only when no commune gives it."""
        with self._sessions() as session:
            rows = session.execute(select(Lieu)).scalars().all()
        out = []
        for row in rows:
            source_coords = row.coordonnees_origine == COORDS_SOURCE
            out.append({
                "reseau": row.reseau, "nom": row.nom, "adresse": row.adresse or "",
                "code_postal": row.code_postal or "", "commune": row.commune or "",
                "code_insee": row.code_insee or "", "telephone": row.telephone or "",
                "courriel": row.courriel or "", "site_web": row.site_web or "",
                "horaires": row.horaires_accueil or "",
                "latitude": repr(row.latitude) if source_coords else "",
                "longitude": repr(row.longitude) if source_coords else "",
                "source": row.source, "date_source": row.date_maj, "id": row.id,
                "complement_adresse": row.complement_adresse or "",
                "departement": row.departement if row.departement and not row.code_insee else "",
            })
        order = list(self._specs)
        out.sort(key=lambda r: (order.index(r["reseau"]) if r["reseau"] in order else len(order),
                                r["departement"] or (self._communes.get(r["code_insee"]).departement
                                                     if r["code_insee"] and self._communes.get(r["code_insee"])
                                                     else ""),
                                fold(r["nom"]), r["id"]))
        return out

    def close(self) -> None:
        self._engine.dispose()

    def _sync_reseaux(self) -> None:
        """reseaux.yml is the reference for networks: the table mirrors it."""
        with self._sessions() as session, session.begin():
            for spec in self._specs.values():
                r = spec.reseau
                session.merge(ReseauRow(
                    code=r.code, nom=r.nom, description=r.description, site_web=r.site_web,
                    telephone=r.telephone, portee=spec.portee, source=r.source, date_maj=r.date_maj,
                ))

    # ---- networks

    def reseau(self, code: str) -> Reseau | None:
        spec = self._specs.get(code)
        return spec.reseau if spec else None

    def reseaux(self) -> list[Reseau]:
        return [spec.reseau for spec in self._specs.values()]

    def contact(self) -> Reseau:
        return contact_of(self._specs)

    # ---- lookup

    def lieux(self, reseau: str, commune: Commune | None = None, departement: str | None = None,
              limit: int = 3) -> list[dict]:
        """Places of `reseau` for a person: competent for the commune first, then the nearest
        in the département; the network's own service when it has no place there."""
        return self._index.lieux(reseau, commune, departement, limit)

    def _rebuild_index(self) -> None:
        with self._sessions() as session:
            rows = session.execute(select(Lieu).order_by(Lieu.id)).scalars().all()
        self._index.rebuild(rows)

    # ---- import

    def import_file(self, path: str | Path) -> ImportReport:
        """Import places from our CSV, a data·inclusion JSON export, or one of the public extracts
        of knowledge/data/sources/ (format told by the header, see knowledge.sources), in one
        transaction. Re-importing the same file changes nothing (0 added, 0 updated).

        Our CSV and JSON replace a place by id. An extract's row is merged into the place it
        describes when the directory knows it already (see importation._same_place): it only fills what
        that place lacks, and the fields it gave are named with its source in the place's
        ``source`` (« adresse, telephone : <source> [<id>] »)."""
        report = import_places(path, self._sessions, self._builder)
        self._rebuild_index()
        return report

    # ---- consistency

    def check(self) -> list[str]:
        """Problems in the networks and places (French, one per line); empty when all hold."""
        return check_directory(self._specs, self._communes, self._sessions)
