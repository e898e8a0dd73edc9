"""What several parts of the directory share: the data folder, the error of a file refused as a
whole, the region's zone codes, and the reading of a field and of a contact (phone, website,
e-mail)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from knowledge.communes import DEPARTEMENTS

# knowledge/data (this file is knowledge/directory/_common.py).
DATA_DIR = Path(__file__).resolve().parents[1] / "data"

ZONE_TYPES = ("commune", "epci", "departement", "region", "pays")
REGION_ZONE = tuple(sorted(DEPARTEMENTS))
REGION_ZONE_SET = frozenset(REGION_ZONE)

TRAILING_CODE = re.compile(r"\s*\[[^\]]*\]\s*$")
PHONE = re.compile(r"0[1-9]\d{8}|\+33[1-9]\d{8}|\d{4}")
PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
WEBSITE = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?", re.I)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.I)


class DirectoryError(Exception):
    """A file that cannot be imported as a whole (format, columns); nothing was written."""


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _split_codes(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = re.split(r"[\s,;|]+", str(value))
    return [str(c).strip() for c in items if str(c).strip()]


def _contact_problem(telephone: str | None, site_web: str | None, courriel: str | None = None) -> str | None:
    """The French reason why a contact field does not look like one, or None."""
    if telephone and not PHONE.fullmatch(PHONE_SEPARATORS.sub("", telephone)):
        return f"numéro de téléphone mal formé : {telephone!r}"
    if site_web and not WEBSITE.fullmatch(site_web):
        return f"site web mal formé : {site_web!r}"
    if courriel and not EMAIL.fullmatch(courriel):
        return f"courriel mal formé : {courriel!r}"
    return None
