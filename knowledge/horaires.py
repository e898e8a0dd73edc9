"""Opening hours: written in the OSM ``opening_hours`` form data·inclusion uses for
``horaires_accueil``, and shown to people in plain French.

Only the small part of the OSM syntax the imports write is read back (weekdays, day ranges,
time spans, a quoted comment, ``;`` and ``, `` rule separators); anything else is shown as the
source wrote it.
"""
from __future__ import annotations

import re

OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

_SPAN = re.compile(r"(\d{2}):(\d{2})-(\d{2}):(\d{2})")
_RULE = re.compile(
    r'^(?P<days>(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?'
    r'(?:,(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?)*)'
    r'(?: (?P<spans>\d{2}:\d{2}-\d{2}:\d{2}(?:,\d{2}:\d{2}-\d{2}:\d{2})*))?'
    r'(?: "(?P<comment>[^"]+)")?$')


class HorairesIllisibles(ValueError):
    """A day's hours that cannot be read without guessing; the message says which, in French."""


# --------------------------------------------------------------------------- writing (import)

# One time: "9:00", "09:00", "8:45". "17-00" or "14:" are not read (a guess).
_TIME = r"(\d{1,2}):(\d{2})"
_RANGE = re.compile(rf"^{_TIME}\s*(?:-|–|\s)\s*{_TIME}$")
_LABELLED = re.compile(r"^(?P<label>[^\d:()]+?)\s*:?\s*(?P<range>\d.*)?$")
CLOSED = ("-", "–", "fermé", "ferme")
UNKNOWN = ("horaires non communiqués", "non communiqué", "non communiqués")


def _hhmm(hours: str, minutes: str) -> str:
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 24 and 0 <= m < 60):
        raise ValueError
    return f"{h:02d}:{m:02d}"


def lire_jour(text: str) -> list[tuple[str | None, str | None]] | None:
    """One weekday's hours as written by the France services list (« 9:00 - 12:00 / Sur RDV :
    14:00 - 17:00 », « - » closed) → [(span "09:00-12:00" or None, comment or None)]; [] closed;
    None when the source says the hours are not known. HorairesIllisibles otherwise."""
    text = " ".join((text or "").replace("\xa0", " ").split())
    if not text or text.lower() in UNKNOWN:
        return None
    if text.lower() in CLOSED:
        return []
    parts = []
    for segment in re.split(r"\s*/\s*|\s*\(\s*", text):
        segment = segment.strip().rstrip(")").strip()
        if not segment:
            continue
        span = _RANGE.match(segment)
        label = None
        if not span:
            labelled = _LABELLED.match(segment)
            if not labelled:
                raise HorairesIllisibles(f"horaires illisibles : « {text} »")
            label = labelled.group("label").strip()
            rest = labelled.group("range")
            if rest is None:
                parts.append((None, label))
                continue
            span = _RANGE.match(rest.strip())
            if not span:
                raise HorairesIllisibles(f"horaires illisibles : « {text} »")
        try:
            start, end = _hhmm(span.group(1), span.group(2)), _hhmm(span.group(3), span.group(4))
        except ValueError:
            raise HorairesIllisibles(f"horaires illisibles : « {text} »") from None
        if end <= start:
            raise HorairesIllisibles(f"horaires illisibles : « {text} »")
        parts.append((f"{start}-{end}", label))
    return parts


def _day_groups(days: list[tuple[int, str]]) -> list[str]:
    """[(day index, content)] → OSM day expressions, consecutive days with one content joined."""
    out, i = [], 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1][0] == days[j][0] + 1:
            j += 1
        first, last = days[i][0], days[j][0]
        out.append(OSM_DAYS[first] if first == last else
                   f"{OSM_DAYS[first]},{OSM_DAYS[last]}" if last == first + 1 else
                   f"{OSM_DAYS[first]}-{OSM_DAYS[last]}")
        i = j + 1
    return out


def vers_osm(semaine: dict[int, list[tuple[str | None, str | None]] | None]) -> str | None:
    """Weekday index (0 = Monday) → parts (see lire_jour) as one OSM opening_hours string.
    None when no day has known hours. Closed days are left out (OSM: not open)."""
    known = {day: parts for day, parts in semaine.items() if parts is not None}
    if not any(known.values()):
        return None
    plain: dict[str, list[int]] = {}
    commented: dict[tuple[str, str], list[int]] = {}
    for day in sorted(known):
        spans = ",".join(span for span, label in known[day] if span and not label)
        if spans:
            plain.setdefault(spans, []).append(day)
        for span, label in known[day]:
            if label:
                commented.setdefault((span or "", label), []).append(day)
    rules = []
    for spans, days in sorted(plain.items(), key=lambda item: item[1][0]):
        rules.append(f"{','.join(_day_groups([(d, spans) for d in days]))} {spans}")
    extra = []
    for (span, label), days in sorted(commented.items(), key=lambda item: (item[1][0], item[0][0])):
        label = label.replace('"', "'")
        extra.append(f"{','.join(_day_groups([(d, span) for d in days]))}{' ' + span if span else ''} \"{label}\"")
    # "; " starts a rule that replaces earlier ones for its days, ", " adds to them.
    text = "; ".join(rules)
    if extra:
        text = (text + ", " if text else "") + ", ".join(extra)
    return text


# --------------------------------------------------------------------------- reading (display)


def _heure(hhmm: str) -> str:
    h, m = hhmm.split(":")
    return f"{int(h)} h" + (f" {m}" if m != "00" else "")


def _jours(expression: str) -> str:
    names = []
    for item in expression.split(","):
        if "-" in item:
            a, b = item.split("-")
            names.append(f"du {JOURS[OSM_DAYS.index(a)]} au {JOURS[OSM_DAYS.index(b)]}")
        else:
            names.append(JOURS[OSM_DAYS.index(item)])
    return ", ".join(names)


def en_clair(horaires: str | None) -> str | None:
    """Opening hours for people: the OSM form read into French (« du lundi au vendredi :
    9 h – 12 h, 14 h – 17 h »); any other text as the source wrote it."""
    if not horaires or not horaires.strip():
        return None
    text = horaires.strip()
    rules = re.split(r"; |, (?=(?:Mo|Tu|We|Th|Fr|Sa|Su))", text)
    phrases = []
    for rule in rules:
        match = _RULE.match(rule.strip())
        if not match or not (match.group("spans") or match.group("comment")):
            return text
        spans = [f"{_heure(a)} – {_heure(b)}" for a, b in
                 (s.split("-") for s in (match.group("spans") or "").split(",") if s)]
        phrase = f"{_jours(match.group('days'))} : " + ", ".join(spans) if spans else _jours(match.group("days"))
        if match.group("comment"):
            phrase += f" ({match.group('comment')})" if spans else f" : {match.group('comment')}"
        phrases.append(phrase)
    return " ; ".join(phrases)
