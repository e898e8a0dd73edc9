"""Storage of the structures directory: its SQLAlchemy models (engine and base: knowledge.db).

Owns the database schema of the knowledge base's directory (networks and reception places,
with their provenance). Field names of places follow
the data·inclusion schema v1 for structures (id, nom, adresse, complement_adresse, code_postal,
commune, code_insee, latitude, longitude, telephone, courriel, site_web, horaires_accueil,
source, date_maj, reseaux_porteurs) plus our network code and competence zone.

Only portable types are used (String, Text, Float, JSON), so the same models run on SQLite
(default, one file) and PostgreSQL (selected by URL).
"""
from __future__ import annotations

from sqlalchemy import JSON, Column, Float, ForeignKey, String, Text
from sqlalchemy.engine import Engine

from knowledge.db import Base

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


def create_schema(engine: Engine) -> None:
    """The directory's tables (the fiches' are made by knowledge.liaison's store)."""
    Base.metadata.create_all(engine, tables=[ReseauRow.__table__, Lieu.__table__])
