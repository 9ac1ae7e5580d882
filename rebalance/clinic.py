"""The clinic's opening hours: one structured value, read from what a person writes.

CLINIC["opening_hours"] (pelicanconf.py) is the one source of the hours: a list of
{"days": ["Mo", "Tu", ...], "opens": "08:00", "closes": "19:00"}. The text readers see
("Monday–Friday 8:00–19:00") and the structured data search engines read
(openingHoursSpecification) are both made from it.

The hours usually come from the CLINIC_HOURS environment variable (a repository variable in
GitHub), written as people write them: "Mo-Fr 08:00-19:00; Sa 09:00-13:00",
"Mon–Fri 8:00–19:00, Sat 9:00–13:00" or "Monday to Friday, 8am to 6pm". parse_hours() reads
those; a value it cannot read stops the build with a message saying how to write it (a guess
would publish wrong hours).
"""

from __future__ import annotations

import re

DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
DAY_NAMES = {
    "Mo": "Monday",
    "Tu": "Tuesday",
    "We": "Wednesday",
    "Th": "Thursday",
    "Fr": "Friday",
    "Sa": "Saturday",
    "Su": "Sunday",
}
EXAMPLE = "Mo-Fr 08:00-19:00; Sa 09:00-13:00"

_DAY = r"(?:mo|tu|we|th|fr|sa|su)[a-z]*\.?"
_TO = r"\s*(?:-|–|—|to|until|till)\s*"
_TIME = r"\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?"
_GROUP = re.compile(
    rf"(?P<days>{_DAY}(?:(?:{_TO}|\s*(?:,|&|and)\s*){_DAY})*)[\s,:]*"
    rf"(?P<opens>{_TIME}){_TO}(?P<closes>{_TIME})",
    re.I,
)
_SEPARATOR = re.compile(r"[\s,;/]*")


class HoursError(ValueError):
    """Opening hours written in a way parse_hours() cannot read."""


def _time(text: str) -> str:
    """ "8am" -> "08:00", "6.30pm" -> "18:30", "19:00" -> "19:00"."""
    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?", text.strip(), re.I)
    if not match:
        raise HoursError(f'"{text}" is not a time')
    hour, minute = int(match[1]), int(match[2] or 0)
    half = (match[3] or "").lower().replace(".", "")
    if half and not 1 <= hour <= 12:
        raise HoursError(f'"{text}" is not a time')
    if half == "pm" and hour != 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        raise HoursError(f'"{text}" is not a time')
    return f"{hour:02d}:{minute:02d}"


def _days(text: str) -> list[str]:
    """ "Mon–Fri" -> Mo..Fr; "Mon, Wed and Fri" -> Mo, We, Fr."""
    found: list[str] = []
    parts = re.split(rf"({_TO}|\s*(?:,|&|and)\s*)", text, flags=re.I)
    names, joins = parts[0::2], parts[1::2]
    codes = [name.strip()[:2].title() for name in names]
    for code in codes:
        if code not in DAYS:
            raise HoursError(f'"{text}" names a day that does not exist')
    found.append(codes[0])
    for join, code in zip(joins, codes[1:], strict=True):
        if re.fullmatch(_TO, join, re.I):
            start, end = DAYS.index(found[-1]), DAYS.index(code)
            if end < start:
                raise HoursError(f'"{text}" runs backwards')
            found.extend(DAYS[start + 1 : end + 1])
        else:
            found.append(code)
    return list(dict.fromkeys(found))


def parse_hours(text: str) -> list[dict]:
    """The structured hours of a text such as "Mo-Fr 08:00-19:00; Sa 09:00-13:00". An empty
    text gives []; a text that is not wholly read raises HoursError saying what was not."""
    hours, position = [], 0
    text = text.strip()
    while position < len(text):
        position = _SEPARATOR.match(text, position).end()
        if position >= len(text):
            break
        match = _GROUP.match(text, position)
        if not match:
            raise HoursError(f'could not read "{text[position:]}"')
        opens, closes = _time(match["opens"]), _time(match["closes"])
        if closes <= opens:
            raise HoursError(f'"{match[0]}" closes before it opens')
        hours.append({"days": _days(match["days"]), "opens": opens, "closes": closes})
        position = match.end()
    return hours


def _clock(value: str) -> str:
    """ "08:00" -> "8:00", as people write times."""
    return value.lstrip("0") if not value.startswith("00") else value[1:]


def _day_span(days: list[str]) -> str:
    """ "Monday–Friday" for consecutive days, else "Monday, Wednesday and Friday"."""
    indices = [DAYS.index(d) for d in days]
    if len(days) > 2 and indices == list(range(indices[0], indices[0] + len(days))):
        return f"{DAY_NAMES[days[0]]}–{DAY_NAMES[days[-1]]}"
    names = [DAY_NAMES[d] for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def hours_lines(hours: list[dict]) -> list[tuple[str, str]]:
    """(days, times) for each group: ("Monday–Friday", "8:00–19:00")."""
    return [(_day_span(h["days"]), f"{_clock(h['opens'])}–{_clock(h['closes'])}") for h in hours]


def hours_text(hours: list[dict]) -> str:
    """The hours as one line of text: "Monday–Friday 8:00–19:00; Saturday 9:00–13:00"."""
    return "; ".join(f"{days} {times}" for days, times in hours_lines(hours))
