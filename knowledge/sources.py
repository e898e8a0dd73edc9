"""Readers of the public extracts the structures directory imports (knowledge/data/sources/).

One reader per source format, chosen from the file's header (``detect``):

- ``dila``: the DILA *annuaire de l'administration* (2019), address and phone inside ``notes``
  (« Adresse : street,postal code,commune | Tél : ... | Fax : ... »), the DILA type in
  ``tag_string``;
- ``pole-emploi-2019``: Pôle emploi's sites (2019-11-13) with decimal-comma coordinates;
- ``france-services-2020``: the France services (2020-10-12) with weekday hours ``h_lundi`` …
  ``h_samedi``, written here in the OSM opening_hours form (data·inclusion ``horaires_accueil``);
- ``milo-referentiel``: the Missions locales structures of the CEJ app's referential (2023-09-18);
- ``passemploi-agences``: the same app's Mission locale and Pôle emploi agency names (2023-12-15).

A reader yields ``(reference, raw record)`` with the directory's place field names (``reseau``,
``nom``, ``adresse``, ``code_postal``, ``commune``, ``code_insee``, ``telephone``, ...), plus
``id`` (the source's own identifier, prefixed by the format), ``source``, ``date_maj``, and
``_remarques`` (fields left out because they could not be read). A record that cannot be read,
or whose type is no SPRO network, is ``{"_erreur": reason}``. Nothing is filled in: a field the
source leaves empty stays empty.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Callable, Iterator

from knowledge.horaires import HorairesIllisibles, lire_jour, vers_osm

Record = tuple[str, dict]

# DILA types (tag_string) → our network codes (data/reseaux.yml). Types absent here are not
# SPRO networks (DIRECCTE, Greta, Crib, Agefiph, Apecita): rejected with the reason below.
DILA_RESEAUX = {
    "mission_locale": "mission-locale",
    "cio": "cio",
    "cij": "reseau-information-jeunesse",
    "chambre_metier": "cma",
    "cci": "cci",
    "chambre_agriculture": "chambre-agriculture",
    "cidf": "cidff",
    "suio": "suio",
    "apec": "apec",
}
DILA_HORS_SPRO = {
    "msap": "Maison de services au public de 2019 : les France services viennent de la liste ANCT de 2020",
    "greta": "organisme de formation (Greta), pas un réseau d'orientation du SPRO",
    "direccte_ut": "administration (DIRECCTE), pas un lieu d'accueil du public du SPRO",
    "crib": "centre de ressources des bénévoles associatifs, hors SPRO",
    "agefiph": "Agefiph : financeur, les personnes handicapées sont reçues par Cap emploi",
    "apecita": "Apecita : association de l'emploi agricole, hors des réseaux du SPRO",
}
DILA_DATE = "2019-10-22"
PE_2019_DATE = "2019-11-13"
FS_2020_DATE = "2020-10-12"
MILO_REF_DATE = "2023-09-18"
PASSEMPLOI_AGENCES_DATE = "2023-12-15"

FS_JOURS = ("h_lundi", "h_mardi", "h_mercredi", "h_jeudi", "h_vendredi", "h_samedi")

# « Adresse : 5 rue de Séraucourt, 18000, Bourges » (spaces around the commas vary).
DILA_ADRESSE = re.compile(r"^(?P<rue>.*?)\s*,\s*(?P<cp>\d{5})\s*,\s*(?P<commune>[^,]+?)\s*$")
DILA_CHAMP = re.compile(r"(Adresse|Tél|Fax)\s*:\s*")
DILA_CODE_DU_NOM = re.compile(r"\s+\d[0-9AB]\d{3}-\d{2}\s*$")
CEDEX = re.compile(r"\s+cedex(\s+\d+)?\s*$", re.I)
PHONE_IN_TEXT = re.compile(r"(?:\+33\s?|0)[1-9](?:[\s.]?\d{2}){4}")
# Top-level domains of the sites the sources give; a host ending otherwise is a typo of the
# source (« www.ac-orleans-tours.frorientation », a lost slash): the site is left out.
KNOWN_TLDS = ("fr", "com", "org", "net", "info", "eu", "asso.fr", "gouv.fr")
HOST = re.compile(r"^(?:https?://)?([^/?#\s]+)", re.I)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)
NULLS = ("", "null", "none", "nan")


# --------------------------------------------------------------------------- decoding


def _cp1252(char: str) -> str:
    try:
        return bytes([ord(char)]).decode("cp1252")
    except UnicodeDecodeError:
        return char


def decode(data: bytes) -> str:
    """The text of an extract: UTF-8, where a Windows-1252 byte left in the text (0x92 for the
    apostrophe ’, 0x9c for œ) is read as Windows-1252, whether the byte is raw or was carried into
    UTF-8 as a C1 control character (U+0092), as in the DILA file."""
    text = data.decode("utf-8", errors="surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]
    text = re.sub("[\udc80-\udcff]", lambda m: _cp1252(chr(ord(m.group()) - 0xDC00)), text)
    return re.sub("[\x80-\x9f]", lambda m: _cp1252(m.group()), text)


def _v(row: dict, key: str) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    value = " ".join(str(value).replace("\xa0", " ").split())
    return None if value.lower() in NULLS else value


def _site(value: str | None, remarques: list[str]) -> str | None:
    """A website people may be sent to: https only (a 2019 http:// address is shown as a button
    to nobody, its domain may have changed hands since), its host ending like a real one."""
    if not value:
        return None
    host = HOST.match(value)
    name = host.group(1).lower() if host else ""
    if not any(name.endswith("." + tld) for tld in KNOWN_TLDS):
        remarques.append(f"site web illisible laissé de côté : {value!r}")
        return None
    if not value.lower().startswith("https://"):
        remarques.append(f"site web sans https laissé de côté : {value!r}")
        return None
    return value


def _email(value: str | None, remarques: list[str]) -> str | None:
    if value and not EMAIL.match(value):
        remarques.append(f"courriel illisible laissé de côté : {value!r}")
        return None
    return value


def _phone(value: str | None, remarques: list[str]) -> str | None:
    """The number at the start of a phone field; a comment after it (« / Numéro vert … ») is
    left out. An empty field is no phone."""
    if not value:
        return None
    found = PHONE_IN_TEXT.search(value)
    if not found:
        remarques.append(f"téléphone illisible laissé de côté : {value!r}")
        return None
    return " ".join(found.group().replace(".", " ").split())


def _coordinate(value: str | None) -> str | None:
    """Decimal commas (« 47,073447 ») read as points; the check is the directory's."""
    return value.replace(",", ".") if value else None


def _source(row: dict, ref: str) -> str:
    return f"{_v(row, 'source') or 'source non indiquée'} [{ref}]"


# --------------------------------------------------------------------------- readers


def read_dila(rows: list[dict]) -> Iterator[Record]:
    for row in rows:
        ident = _v(row, "id") or "?"
        ref = f"dila:{ident}"
        tag = (_v(row, "tag_string") or "").lower()
        if tag not in DILA_RESEAUX:
            reason = DILA_HORS_SPRO.get(tag, "aucun réseau du SPRO ne correspond")
            yield ref, {"_erreur": f"type DILA « {tag or '?'} » non repris : {reason}"}
            continue
        champs = {}
        notes = _v(row, "notes") or ""
        pieces = DILA_CHAMP.split(notes)
        # ['', 'Adresse', '…, 18000, Bourges |', 'Tél', '02 … |', 'Fax', '']
        for name, value in zip(pieces[1::2], pieces[2::2], strict=True):
            champs[name] = value.strip().rstrip("|").strip()
        adresse = DILA_ADRESSE.match(champs.get("Adresse", ""))
        if not adresse:
            yield ref, {"_erreur": f"adresse illisible dans « notes » : {notes!r}"}
            continue
        remarques: list[str] = []
        nom = DILA_CODE_DU_NOM.sub("", _v(row, "name") or "")
        yield ref, {
            "id": ref,
            "reseau": DILA_RESEAUX[tag],
            "nom": nom,
            "adresse": adresse.group("rue") or None,
            "code_postal": adresse.group("cp"),
            "commune": CEDEX.sub("", adresse.group("commune")),
            "telephone": _phone(champs.get("Tél"), remarques),
            "courriel": _email(_v(row, "request_email"), remarques),
            "site_web": _site(_v(row, "home_page"), remarques),
            "source": _source(row, ref),
            "date_maj": DILA_DATE,
            "_remarques": remarques,
        }


def read_pole_emploi_2019(rows: list[dict]) -> Iterator[Record]:
    for row in rows:
        ref = f"pe2019:{_v(row, 'REFERENCE_PE') or '?'}"
        kind = _v(row, "TYPE_SITE")
        if kind != "ALE":
            yield ref, {"_erreur": f"site de type {kind or '?'} (direction), pas une agence qui reçoit le public"}
            continue
        complement = _v(row, "DC_COMPLEMENTADRSITEPHYSIQUE") or _v(row, "COMPLEMENT_ADRESSE")
        yield ref, {
            "id": ref,
            "reseau": "france-travail",
            "nom": _v(row, "NOM"),
            "adresse": _v(row, "ADRESSE"),
            "complement_adresse": complement,
            "code_postal": _v(row, "CODE_POSTAL"),
            "commune": _v(row, "COMMUNE"),
            "latitude": _coordinate(_v(row, "DN_LATITUDE")),
            "longitude": _coordinate(_v(row, "DN_LONGITUDE")),
            "source": _source(row, ref),
            "date_maj": PE_2019_DATE,
            "_remarques": [],
        }


def read_france_services_2020(rows: list[dict]) -> Iterator[Record]:
    for row in rows:
        ref = f"fs2020:{_v(row, 'MATRICULE') or '?'}"
        remarques: list[str] = []
        try:
            horaires = vers_osm({i: lire_jour(row.get(day) or "") for i, day in enumerate(FS_JOURS)})
        except HorairesIllisibles as exc:
            horaires = None
            remarques.append(f"{exc} : aucun horaire repris pour ce lieu")
        libelle = _v(row, "lib_france_services") or ""
        nom = libelle if "france services" in libelle.lower() else f"France services – {libelle}"
        yield ref, {
            "id": ref,
            "reseau": "france-services",
            "nom": nom if libelle else None,
            "adresse": _v(row, "ADRESSE"),
            "complement_adresse": _v(row, "COMPLEMENT.D.ADRESSE"),
            "code_postal": _v(row, "code_postal"),
            "code_insee": _v(row, "insee_com"),
            "commune": _v(row, "lib_com"),
            "latitude": _v(row, "LATITUDE"),
            "longitude": _v(row, "LONGITUDE"),
            "telephone": _phone(_v(row, "TELEPHONE"), remarques),
            "courriel": _email(_v(row, "CONTACT.MAIL"), remarques),
            "horaires_accueil": horaires,
            "source": _source(row, ref),
            "date_maj": FS_2020_DATE,
            "_remarques": remarques,
        }


def read_milo_referentiel(rows: list[dict]) -> Iterator[Record]:
    for row in rows:
        ident = _v(row, "id") or "?"
        ref = f"milo:{ident}"
        officiel, usuel = _v(row, "nom_officiel"), _v(row, "nom_usuel")
        if not officiel:
            yield ref, {"_erreur": "nom officiel manquant"}
            continue
        # The id is the INSEE code of the siège's commune followed by S00 (sources README).
        insee = ident[:5] if re.fullmatch(r"\d[0-9AB]\d{3}S\d\d", ident) else None
        yield ref, {
            "id": ref,
            "reseau": "mission-locale",
            "nom": f"{usuel or officiel} [{officiel}]",
            "code_insee": insee,
            "departement": _v(row, "code_departement"),
            "source": _source(row, ref),
            "date_maj": MILO_REF_DATE,
            "_remarques": [],
            "_nom_seul": insee is None,
        }


PASSEMPLOI_STRUCTURES = {"MILO": "mission-locale", "POLE_EMPLOI": "france-travail"}


def read_passemploi_agences(rows: list[dict]) -> Iterator[Record]:
    for row in rows:
        ref = f"passemploi-agence:{_v(row, 'id') or '?'}"
        structure = _v(row, "structure")
        if structure not in PASSEMPLOI_STRUCTURES:
            yield ref, {"_erreur": f"structure {structure!r} inconnue (MILO ou POLE_EMPLOI attendu)"}
            continue
        nom = re.sub(r"^\d{2,3}\s*-\s*", "", _v(row, "nom_agence") or "")
        yield ref, {
            "id": ref,
            "reseau": PASSEMPLOI_STRUCTURES[structure],
            "nom": nom or None,
            "departement": _v(row, "code_departement"),
            "source": _source(row, ref),
            "date_maj": PASSEMPLOI_AGENCES_DATE,
            "_remarques": [],
            "_nom_seul": True,
        }


# Header columns that identify each format, and its reader.
FORMATS: dict[str, tuple[frozenset[str], Callable[[list[dict]], Iterator[Record]]]] = {
    "dila": (frozenset({"id", "name", "notes", "tag_string"}), read_dila),
    "pole-emploi-2019": (frozenset({"REFERENCE_PE", "TYPE_SITE", "DN_LATITUDE", "DN_LONGITUDE"}),
                         read_pole_emploi_2019),
    "france-services-2020": (frozenset({"MATRICULE", "lib_france_services", "h_lundi", "insee_com"}),
                             read_france_services_2020),
    "milo-referentiel": (frozenset({"id", "nom_officiel", "nom_usuel", "code_departement"}),
                         read_milo_referentiel),
    "passemploi-agences": (frozenset({"id", "nom_agence", "structure", "code_departement"}),
                           read_passemploi_agences),
}


def detect(columns: list[str]) -> str | None:
    """The source format whose identifying columns are all in the header, or None."""
    present = {c.strip() for c in columns}
    for name, (needed, _) in FORMATS.items():
        if needed <= present:
            return name
    return None


def read(text: str) -> tuple[str, list[Record]] | None:
    """(format, records) of an extract's text, or None when its header is no known source's."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    kind = detect(reader.fieldnames or [])
    if kind is None:
        return None
    rows = []
    for row in reader:
        row = {(k or "").strip(): v for k, v in row.items()}
        row["_ligne"] = reader.line_num
        rows.append(row)
    return kind, list(FORMATS[kind][1](rows))
