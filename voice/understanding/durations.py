"""How long, in days, from what people say: "six or seven weeks", "since last Tuesday", "since Christmas".

Counts with a unit ("a week and a half", "two or three weeks": the longer), vague spans ("ages"), and
a start named by a weekday, a month, a date, a holiday or a season (data in grammar/phrasing.yaml),
reckoned back from `today`. Where an answer gives several, the longest counts: the safer reading.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from .phrasing import DurationWords

WEEKDAYS = [d.lower() for d in calendar.day_name]
MONTHS = [m.lower() for m in calendar.month_name if m]
ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
AMBIGUOUS_MONTHS = {"may": r"(?:since|in|from|of|early|late|mid) may"}
"""Month names that are also everyday words: a month only after one of these."""


def days_in(text: str, words: DurationWords, today: date) -> float | None:
    """The longest duration the answer names, in days, or None. `text` has number words as digits."""
    found: list[float] = []
    # Named days first, longest name first, and taken out: "new years eve" is not "new years", nor
    # a number of years.
    for name in sorted(words.dates, key=len, reverse=True):
        if f" {name} " in text:
            month, day = words.dates[name]
            found.append(_days_since(today, month, day))
            text = text.replace(f" {name} ", " _ ")
    units = "|".join(sorted((re.escape(u) for u in words.units), key=len, reverse=True))
    amounts = "|".join(sorted((re.escape(a) for a in words.amounts), key=len, reverse=True))
    qualifiers = "|".join(sorted((re.escape(q) for q in words.qualifiers), key=len, reverse=True)) or "(?!)"
    counted = re.compile(
        rf" (?:({qualifiers}) )?(?:(\d+) (?:or|to|and) )?(\d+|{amounts}) ({units})s?( and a half)?(?= )")
    for m in counted.finditer(text):
        count = float(m[3]) if m[3].isdigit() else words.amounts[m[3]]
        if m[2]:
            count = max(count, float(m[2]))
        if m[5]:
            count += 0.5
        found.append(count * words.units[m[4]] + (words.qualifiers[m[1]] if m[1] else 0.0))
    rest = counted.sub(" _ ", text)
    for unit, days in words.units.items():
        if f" {unit}s " in rest and unit in words.bare:
            found.append(words.bare[unit] * days)
    for phrase, days in (*words.vague.items(), *words.relative.items()):
        if f" {phrase} " in text:
            found.append(days)
    for alias, weekday in words.weekday_aliases.items():
        text = text.replace(f" {alias} ", f" {weekday} ")
    for index, name in enumerate(WEEKDAYS):
        if f" {name} " in text:
            back = (today.weekday() - index) % 7 or 7
            found.append(back)
    for index, name in enumerate(MONTHS, start=1):
        if f" {name} " not in text or (
                name in AMBIGUOUS_MONTHS and not re.search(AMBIGUOUS_MONTHS[name], text)):
            continue
        day = re.search(rf" {ORDINAL} (?:of )?{name} | {name} (?:the )?{ORDINAL} ", text)
        number = int(day[1] or day[2]) if day else next(
            (int(d) for part, d in words.month_parts.items() if f" {part} {name} " in text), 1)
        found.append(_days_since(today, index, number))
    if not any(f" {m} " in text for m in MONTHS):
        # "since the 20th": that day of this month, or of last month if it is still to come.
        for day in re.findall(r" the (\d{1,2})(?:st|nd|rd|th) ", text):
            found.append(_days_since_day(today, int(day)))
    for phrase, period in words.period_starts.items():
        if f" {phrase} " in text:
            found.append(float(today.weekday() if period == "week" else
                               today.day - 1 if period == "month" else today.timetuple().tm_yday - 1))
    for year in re.findall(r" (19[5-9]\d|20\d\d) ", text):
        if int(year) <= today.year:
            found.append((today - date(int(year), 1, 1)).days)
    return max(found) if found else None


def _days_since_day(today: date, day: int) -> float:
    if 1 <= day <= today.day:
        return float(today.day - day)
    month, year = (today.month - 1, today.year) if today.month > 1 else (12, today.year - 1)
    day = min(day, calendar.monthrange(year, month)[1])
    return float((today - date(year, month, day)).days)


def _days_since(today: date, month: int, day: int) -> float:
    """Days since the last time it was this month and day (this year's, or last year's if still ahead)."""
    day = min(day, calendar.monthrange(today.year, month)[1])
    when = date(today.year, month, day)
    if when > today:
        when = date(today.year - 1, month, min(day, calendar.monthrange(today.year - 1, month)[1]))
    return float((today - when).days)

