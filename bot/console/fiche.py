"""The printable fiche de liaison: its French content, an HTML print view and a one-page A4 PDF.

Input is a stored fiche with its orientation's presentation (``bot.console.app.presented``): the
orientation's sentences and the contact come worded from the knowledge base, as in every channel.
``fiche_content`` puts the fiche together once; ``render_html`` (a Jinja2 template, autoescaped)
and ``render_pdf`` only lay that content out, so both say exactly the same thing. Only the fixed
profile slots (knowledge/profile.py) are printed: a fiche never shows an identity, even if an
unexpected key slipped into the stored profile.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fpdf import FPDF, ViewerPreferences, XPos, YPos

from bot.console.pages import render
from knowledge import DEPARTEMENTS, get_kb, lignes_portes, phrase, resume_profil

TITRE = "Fiche de liaison"
MENTION = ("Cette fiche ne contient aucune information d'identité : elle suffit à reprendre la "
           "demande sans la réexpliquer.")
STYLESHEET = "/console/static/fiche.css"
# A long motif would push the fiche onto a second page.
MOTIF_MAX = 600

# The profile slots and where each is printed; any other key of the profile is ignored.
SITUATION_SLOTS = ("age", "statut", "contrat", "handicap", "cadre")
BESOIN_SLOTS = ("besoin", "metier", "secteur")

CANAUX = {"web": "site Etoile", "telegram": "Telegram"}
MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre")

# Debian's fonts-dejavu-core; without it the PDF falls back to a core font (see _core_font_text).
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
PDF_FONT_SIZES = (10, 9, 8, 7)  # the first that fits on one page is used
PT_TO_MM = 25.4 / 72

HTTPS_URL = re.compile(r"https://[^\s\"'<>]+")
PHONE = re.compile(r"\+?\d{3,15}")

try:
    PARIS: ZoneInfo | None = ZoneInfo("Europe/Paris")
except ZoneInfoNotFoundError:  # no time-zone database: the date is then shown in UTC
    PARIS = None


# ---- content ------------------------------------------------------------------------------------

def fiche_content(fiche: Mapping[str, Any], motif: str | None = None) -> dict[str, Any]:
    """The fiche in plain French.

    ``{"titre", "code", "entete": [(label, value)], "sections": [{"titre", "lignes", "lieux"}],
    "mention"}``; ``lieux`` (places to contact: ``{"nom", "details": [{"label", "valeur",
    "lien"}]}``) is empty except in the section "Où s'adresser".
    """
    orientation = fiche["orientation"]
    profil = orientation.get("profil") or {}
    sections = [
        _section("Situation", [_situation(profil) or "Non précisée."]),
        _section("Besoin", [_sentence(phrase(resume_profil(_slots(profil, BESOIN_SLOTS))))
                            or "Non précisé."]),
    ]
    motif = " ".join((motif or "").split())
    if motif:
        if len(motif) > MOTIF_MAX:
            motif = motif[:MOTIF_MAX - 1].rstrip(" .,;:") + "…"
        sections.append(_section("Motif de l'appel", [motif]))
    sections += [
        _section("Orientation", lignes_portes(orientation["textes"])),
        _section("Pourquoi", [raison["texte"] for raison in orientation.get("raisons") or []]),
    ]
    lieux = [_lieu(lieu) for lieu in orientation.get("lieux") or []]
    if lieux:
        sections.append(_section("Où s'adresser", [], lieux))
    return {
        "titre": TITRE,
        "code": fiche["code_liaison"],
        "entete": [("Code de liaison", fiche["code_liaison"]),
                   ("Date", date_fr(fiche["date"])),
                   ("Premier contact", canal_fr(fiche["canal"], orientation["contact"]))],
        "sections": sections,
        "mention": MENTION,
    }


def _section(titre: str, lignes: list[str], lieux: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"titre": titre, "lignes": lignes, "lieux": lieux or []}


def _slots(profil: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: profil[name] for name in names if profil.get(name) is not None}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "." if text else ""


def _situation(profil: Mapping[str, Any]) -> str:
    kb = get_kb()
    commune = kb.communes.get(profil["commune"]) if profil.get("commune") else None
    parts = resume_profil(_slots(profil, SITUATION_SLOTS), commune.nom if commune else None)
    departement = profil.get("departement")
    if commune is None and departement in DEPARTEMENTS:
        parts.append(f"votre département est le {departement} ({DEPARTEMENTS[departement]})")
    elif commune is None and departement == "hors_region":
        parts.append("vous habitez hors de la région Centre-Val de Loire")
    return _sentence(phrase(parts))


def _lieu(lieu: Mapping[str, Any]) -> dict[str, Any]:
    """Only what the directory holds: a missing address or phone stays missing."""
    adresse = ", ".join(str(part) for part in (lieu.get("adresse"), lieu.get("commune")) if part)
    details = [
        (None, adresse, None),
        ("Téléphone", lieu.get("telephone"), lien_tel(lieu.get("telephone") or "")),
        ("Horaires", lieu.get("horaires"), None),
        ("Site", lieu.get("site_web"), lien_web(lieu.get("site_web") or "")),
    ]
    return {"nom": lieu.get("nom") or "",
            "details": [{"label": label, "valeur": valeur, "lien": lien}
                        for label, valeur, lien in details if valeur]}


def date_fr(iso: str) -> str:
    """``2026-11-25T09:12`` (stored in UTC) → ``25 novembre 2026 à 10 h 12`` (French time)."""
    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    suffix = ""
    if PARIS is not None:
        moment = moment.astimezone(PARIS)
    else:
        moment, suffix = moment.astimezone(dt.timezone.utc), " (UTC)"
    jour = "1er" if moment.day == 1 else str(moment.day)
    return f"{jour} {MOIS[moment.month - 1]} {moment.year} à {moment.hour} h {moment.minute:02d}{suffix}"


def canal_fr(canal: str, contact: Mapping[str, Any]) -> str:
    """How the person first came; a call is to the contact network (the orientation's ``contact``)."""
    if canal == "console":
        return f"appel à {contact['nom']} ({contact['telephone']})"
    return CANAUX.get(canal, canal)


def lien_web(url: str) -> str | None:
    return url if HTTPS_URL.fullmatch(url) else None


def lien_tel(numero: str) -> str | None:
    digits = re.sub(r"[^\d+]", "", numero)
    return f"tel:{digits}" if PHONE.fullmatch(digits) else None


# ---- HTML ---------------------------------------------------------------------------------------

def render_html(fiche: Mapping[str, Any], motif: str | None = None, script: str | None = None) -> str:
    """A standalone page (its stylesheet is a file: the site's CSP forbids inline styles); with
    ``script``, that script's address is loaded too (the console's print button)."""
    return render("fiche.html", **fiche_content(fiche, motif), stylesheet=STYLESHEET, script=script)


# ---- PDF ----------------------------------------------------------------------------------------

# Characters a core PDF font (Windows-1252) lacks, written the nearest way; any other is "?".
# « » œ ’ … – — € and the accented letters of French are in Windows-1252 and kept as they are.
CORE_FONT_REPLACEMENTS = str.maketrans({"\u202f": "\u00a0", "\u2011": "-", "\u2010": "-",
                                        "\u2212": "-", "\u2009": " ", "\u200b": ""})


def _core_font_text(text: str) -> str:
    return text.translate(CORE_FONT_REPLACEMENTS).encode("cp1252", "replace").decode("cp1252")


def render_pdf(fiche: Mapping[str, Any], motif: str | None = None) -> bytes:
    """The same content on one A4 page (the font shrinks until it fits)."""
    content = fiche_content(fiche, motif)
    for size in PDF_FONT_SIZES:
        pdf = _PdfFiche(content, size)
        if pdf.page_no() == 1:
            break
    return bytes(pdf.output())


class _PdfFiche(FPDF):
    def __init__(self, content: Mapping[str, Any], size: float):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.size = size
        self.family, self.clean = self._fonts()
        self.set_title(f"{content['titre']} {content['code']}")
        self.set_lang("fr")
        self.set_creator("Assistant première porte du SPRO Centre-Val de Loire")
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)
        self.set_margins(18, 15, 18)
        self.set_auto_page_break(True, margin=15)
        self.add_page()
        self._write(content)

    def _fonts(self) -> tuple[str, Callable[[str], str]]:
        regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            self.add_font("DejaVu", "", regular)
            self.add_font("DejaVu", "B", bold)
            return "DejaVu", str
        self.core_fonts_encoding = "cp1252"  # the WinAnsiEncoding core fonts are declared with
        return "Helvetica", _core_font_text

    def _line(self, text: str, bold: bool = False, scale: float = 1.0, link: str | None = None) -> None:
        size = self.size * scale
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(0, size * PT_TO_MM * 1.4, self.clean(text), align="L", link=link,
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _write(self, content: Mapping[str, Any]) -> None:
        self._line(content["titre"], bold=True, scale=1.8)
        self.ln(self.size * 0.3)
        for label, value in content["entete"]:
            self._line(f"{label} : {value}", bold=label == "Code de liaison")
        for section in content["sections"]:
            self.ln(self.size * 0.35)
            self._line(section["titre"], bold=True, scale=1.25)
            for line in section["lignes"]:
                self._line(line)
            for lieu in section["lieux"]:
                self._line(lieu["nom"], bold=True)
                for detail in lieu["details"]:
                    label = f"{detail['label']} : " if detail["label"] else ""
                    self._line(label + detail["valeur"], link=detail["lien"])
                self.ln(self.size * 0.15)
        self.ln(self.size * 0.4)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(self.size * 0.2)
        self._line(content["mention"], scale=0.9)
