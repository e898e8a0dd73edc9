"""Storage of the structures directory: SQLAlchemy models and the engine/session helper.

Owns the database schema of the knowledge base's directory (networks and reception places,
with their provenance) and how a database URL becomes an engine. Field names of places follow
the data·inclusion schema v1 for structures (id, nom, adresse, complement_adresse, code_postal,
commune, code_insee, latitude, longitude, telephone, courriel, site_web, horaires_accueil,
source, date_maj, reseaux_porteurs) plus our network code and competence zone.

Only portable types are used (String, Text, Float, JSON), so the same models run on SQLite
(default, one file) and PostgreSQL (selected by URL).
"""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import JSON, Column, Float, ForeignKey, String, Text, create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import declarative_base, sessionmaker

Base = declarative_base()

# Values of Lieu.coordonnees_origine. "nom" coordinates are an approximation (the commune named
# in the place's name, e.g. "Agence ... TOURS DEUX LIONS"): good enough to rank places, too rough
# to be shown as a distance.
COORDS_SOURCE = "source"
COORDS_COMMUNE = "commune"
COORDS_NAME = "nom"


class ReseauRow(Base):
    """A network (réseau), synchronised from knowledge/data/reseaux.yml at every open."""

    __tablename__ = "reseaux"

    code = Column(String(64), primary_key=True)
    nom = Column(Text, nullable=False)
    description = Column(Text, nullable=False)
    site_web = Column(Text)
    telephone = Column(String(32))
    portee = Column(String(16), nullable=False)
    source = Column(Text, nullable=False)
    date_maj = Column(String(64), nullable=False)


class Lieu(Base):
    """A reception place (lieu) of a network, with where its data came from."""

    __tablename__ = "lieux"

    id = Column(String(200), primary_key=True)
    reseau = Column(String(64), ForeignKey("reseaux.code"), nullable=False, index=True)
    nom = Column(Text, nullable=False)
    adresse = Column(Text)
    complement_adresse = Column(Text)
    code_postal = Column(String(5))
    commune = Column(Text)
    code_insee = Column(String(5))
    departement = Column(String(3))
    latitude = Column(Float)
    longitude = Column(Float)
    coordonnees_origine = Column(String(16))
    telephone = Column(String(32))
    courriel = Column(Text)
    site_web = Column(Text)
    horaires_accueil = Column(Text)
    # Free text on purpose: sources give "2023-09-18 (commit) ; page non datée", not a date.
    source = Column(Text, nullable=False)
    date_maj = Column(Text, nullable=False)
    reseaux_porteurs = Column(JSON, nullable=False, default=list)
    zone_diffusion_type = Column(String(16), nullable=False)
    zone_diffusion_codes = Column(JSON, nullable=False, default=list)


def default_url() -> str:
    """KNOWLEDGE_DB_URL, else an SQLite file under SPRO_DATA_DIR (default ./var)."""
    url = os.environ.get("KNOWLEDGE_DB_URL")
    if url:
        return url
    data_dir = Path(os.environ.get("SPRO_DATA_DIR") or "var")
    return f"sqlite:///{(data_dir / 'knowledge.db').as_posix()}"


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default: default_url()); creates the SQLite file's folder."""
    url = url or default_url()
    parsed = make_url(url)
    connect_args = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # Action servers and the gateway read from several threads.
        connect_args["check_same_thread"] = False
    return create_engine(url, future=True, connect_args=connect_args)


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


def create_schema(engine: Engine) -> None:
    Base.metadata.create_all(engine)
