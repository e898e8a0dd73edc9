"""Rebuild knowledge/data/structures_cvl.csv, the seed of the structures directory, from the
hand-sourced places and the public extracts of knowledge/data/sources/ (order of trust:
knowledge/seed.py and knowledge/data/STRUCTURES_README.md).

    python scripts/build_structures.py           # writes the seed, prints each source's report
    python scripts/build_structures.py --check   # exit 1 when the committed seed is not up to date
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge import seed  # noqa: E402
from knowledge.directory import SEED_CSV_PATH  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only, write nothing")
    args = parser.parse_args(argv)
    rows, reports = seed.build()
    text = seed.seed_text(rows)
    if args.check:
        same = SEED_CSV_PATH.read_text(encoding="utf-8") == text
        print("structures_cvl.csv est à jour." if same else
              "structures_cvl.csv n'est pas à jour : lancez python scripts/build_structures.py")
        return 0 if same else 1
    SEED_CSV_PATH.write_text(text, encoding="utf-8")
    for name, report in reports.items():
        print(f"{name} : ajoutés {report.added}, complétés {report.updated}, rejetés {len(report.rejected)}, "
              f"champs laissés de côté {len(report.remarques)}")
    print(f"{len(rows)} lieux écrits dans {SEED_CSV_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
