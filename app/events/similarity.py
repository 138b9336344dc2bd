"""Whether two reports tell of one development: vetoes a careful editor would not overrule,
then a weighted score with its reasons (the weights and threshold are data: tuning.toml)."""

from collections.abc import Set
from dataclasses import dataclass

from rapidfuzz import fuzz

from app.events.facts import Facts, Precision
from app.events.tuning import EventTuning
from app.extraction.vocabulary import RecordKind, RecordStatus
from app.normalize.armed_groups import armed_group_exact
from app.normalize.countries import names_a_country

_SAME_NAME = 90.0  # token-set ratio from which two folded side names are one side


@dataclass(frozen=True)
class Match:
    """How well two reports match (0..1) and the reasons, for the event to keep."""

    score: float
    reasons: tuple[str, ...]


# Words an acronym skips, in the languages armed groups' names come in ("Frente para a
# Libertação do Enclave de Cabinda" is FLEC, "Front Patriotique de Libération" FPL).
_JOINING = frozenset(
    [
        *("of", "the", "for", "and", "a", "e", "et", "y", "para", "pour", "di"),
        *("de", "du", "des", "la", "le", "les", "el", "al", "del", "da", "do", "dos", "das"),
    ]
)


def same_side(a: str, b: str) -> bool:
    """Whether two side keys name one side: equal, one the other's acronym, one's acronym a word
    of the other, or nearly equal."""
    if a == b or _acronym(a) == b or _acronym(b) == a:
        return True
    if _acronym_within(a, b) or _acronym_within(b, a):
        return True
    # "m23" and "afc m23", "bandits" and "armed bandits"; a one-letter key matches nothing.
    return min(len(a), len(b)) > 1 and fuzz.token_set_ratio(a, b) >= _SAME_NAME


def _acronym(name: str) -> str:
    words = name.split()
    return "".join(w[0] for w in words) if len(words) > 1 else name


def _acronym_within(name: str, other: str) -> bool:
    """Whether the initials of `name`'s leading words (joining words skipped, three letters at
    least) are a word of `other`: "front patriotique de liberation" and "fpl rebels", the
    Portuguese "frente para a libertacao do enclave de cabinda" and "flec fac"."""
    initials = "".join(w[0] for w in name.split() if w not in _JOINING)
    words = set(other.split())
    return any(initials[:n] in words for n in range(3, len(initials) + 1))


def side_overlap(a: Set[str], b: Set[str]) -> float:
    """Jaccard similarity of two sets of sides, a side matching by `same_side`."""
    if not a or not b:
        return 0.0
    matched = sum(1 for x in a if any(same_side(x, y) for y in b))
    return matched / (len(a) + len(b) - matched)


def side_likeness(a: Set[str], b: Set[str]) -> float:
    """How alike two reports' sides are (0..1): each side's best likeness in the other set,
    averaged both ways, so "Boko Haram and ISWAP fighters" earns part of a longer spelling."""
    if not a or not b:
        return 0.0

    def best(x: str, others: Set[str]) -> float:
        return max(1.0 if same_side(x, y) else fuzz.token_set_ratio(x, y) / 100 for y in others)

    forward = sum(best(x, b) for x in a) / len(a)
    backward = sum(best(y, a) for y in b) / len(b)
    return (forward + backward) / 2


def day_distance(a: Facts, b: Facts) -> int | None:
    """Days between two reports' date spans (0 when they overlap); None if one is undated."""
    if a.day_from is None or a.day_to is None or b.day_from is None or b.day_to is None:
        return None
    if a.day_to < b.day_from:
        return (b.day_from - a.day_to).days
    if b.day_to < a.day_from:
        return (a.day_from - b.day_to).days
    return 0


def veto(a: Facts, b: Facts, tuning: EventTuning) -> str | None:
    """Why two reports cannot be one development, or None when they may be."""
    if a.kind != b.kind:
        return "different kinds"
    if a.article_id == b.article_id:
        return "one article's records are different developments"
    if tuning.phase(a.kind, a.status) != tuning.phase(b.kind, b.status):
        return f"statuses {a.status} and {b.status} are different developments"
    if not a.countries & b.countries:
        # A report naming no country has nothing to be found by (see app.events.anchors).
        return "no country in common"
    if _different_groups(a, b) and not _one_meeting_abroad(a, b):
        return "different armed groups"
    if _two_venues_abroad(a, b):
        return f"held in {a.place_country} and in {b.place_country}"
    found = _date_veto(a, b, tuning) or _count_veto(a, b, tuning)
    if found is None and _two_rounds_of_talks(a, b):
        return f"talks in {a.place} and in {b.place} on different days"
    return found


def _different_groups(a: Facts, b: Facts) -> bool:
    """Whether both reports name armed groups and neither names one of the other's: not under
    one of its names or acronyms, and not in its own words ("the YBS, or Sinjar Resistance
    Units", "CODECO and the FPAC, better known as Zaire")."""
    if not a.groups or not b.groups:
        return False
    names_a, names_b = a.groups | a.group_names, b.groups | b.group_names
    if any(same_side(x, y) for x in names_a for y in names_b):
        return False
    return not (_named_in(a.groups, b.text) or _named_in(b.groups, a.text))


def _named_in(groups: Set[str], text: str) -> bool:
    """Whether one of the group keys is words of the folded `text`."""
    padded = f" {text} "
    return any(f" {group} " in padded for group in groups)


def _one_meeting_abroad(a: Facts, b: Facts) -> bool:
    """Whether two reports place one meeting: the same town abroad, the same mediators, days at
    most one apart, and one group a name the curated table does not know. Then the two names
    are likely one group's ("the Druze factions in Suwayda" and "the National Guard" in Amman);
    two groups the table knows apart (ELN and EMBF) stay two."""
    if not a.place or a.place != b.place or not a.mediators or a.mediators != b.mediators:
        return False
    if all(armed_group_exact(k) for k in a.groups | b.groups):
        return False
    if not a.place_country or a.place_country in a.countries | b.countries:
        return False
    days = day_distance(a, b)
    day_dated = a.precision == b.precision == Precision.DAY
    return day_dated and days is not None and days <= 1


def _two_venues_abroad(a: Facts, b: Facts) -> bool:
    """Whether the reports place the development in two different countries, neither a side's:
    talks in Doha and in Geneva are two rounds. A place at home (the field, or the dateline a
    report was filed from) says less: a deal signed in Doha is greeted in Goma."""
    if not a.place_country or not b.place_country or a.place_country == b.place_country:
        return False
    home = a.countries | b.countries
    return a.place_country not in home and b.place_country not in home


def _two_rounds_of_talks(a: Facts, b: Facts) -> bool:
    """Whether two reports of talks place them in two towns of different countries on days that
    do not overlap, both dated to the day: water talks in Tehran on Monday and Tuesday and
    security talks in Kabul on Wednesday are two rounds, though each capital is a side's. (Only
    talks: a truce signed in one capital is reported in force from the field the next day.)"""
    if a.kind != RecordKind.NEGOTIATION or a.precision != Precision.DAY:
        return False
    if b.precision != Precision.DAY or not a.place or not b.place or a.place == b.place:
        return False
    if not a.place_country or not b.place_country or a.place_country == b.place_country:
        return False
    if names_a_country(a.place) or names_a_country(b.place):
        return False
    days = day_distance(a, b)
    return days is not None and days > 0


def conflict(a: Facts, b: Facts, tuning: EventTuning) -> str | None:
    """Why the dates or counts of two reports of one kind make them different developments,
    or None: what they say happened, not how they name it."""
    return _date_veto(a, b, tuning) or _count_veto(a, b, tuning)


def _date_veto(a: Facts, b: Facts, tuning: EventTuning) -> str | None:
    days = day_distance(a, b)
    if days is None:
        return "undated"
    if _over_before(a, b) or _over_before(b, a):
        return "one was over days before the other went on"
    if Precision.YEAR in (a.precision, b.precision) and not _one_year(a, b):
        return "dated only by the year"
    if days > tuning.window_days[a.kind]:
        return f"{days} days apart"
    # Dates the articles state (not their publication days) must agree: "July" and "August"
    # are different developments, and so are two exchanges on the 3rd and the 10th. A truce
    # "agreed" on the 4th and "in force" on the 6th may be one: the window decides.
    stated = Precision.PUBLISHED not in (a.precision, b.precision)
    both_days = a.precision == b.precision == Precision.DAY
    if stated and not both_days and days > 0:
        return f"dated {days} days apart"
    if stated and a.status == b.status and days > tuning.precise_tolerance_days:
        return f"dated {days} days apart"
    return None


def _one_year(a: Facts, b: Facts) -> bool:
    """Whether a report dated only by its year may be the other: the other is dated by that
    year or a month of it. Background mentions ("the 1994 ceasefire", "the October 2020
    agreement") are found so; a day is too precise to be told apart from its twins by a year."""
    coarse = {Precision.YEAR, Precision.MONTH}
    return a.precision in coarse and b.precision in coarse and day_distance(a, b) == 0


def _over_before(done: Facts, going: Facts) -> bool:
    """Whether `done` (completed) had ended more than a day before `going` (ongoing) was under
    way in another country, both dated to the day: talks going on in Geneva on Thursday are not
    the meeting in Nicosia that ended on Monday. (A day's slack: one outlet dates a two-day
    round by its second day. The other country, because an extractor's ongoing and completed
    are often wrong the other way round, and then only the place tells them apart.)"""
    if done.status != RecordStatus.COMPLETED or going.status != RecordStatus.ONGOING:
        return False
    if done.precision != Precision.DAY or going.precision != Precision.DAY:
        return False
    if not done.place_country or not going.place_country:
        return False
    assert done.day_to is not None  # dated to the day
    assert going.day_from is not None
    later = (going.day_from - done.day_to).days > 1
    return later and done.place_country != going.place_country


def _count_veto(a: Facts, b: Facts, tuning: EventTuning) -> str | None:
    if a.count is None or b.count is None:
        return None
    if abs(a.count - b.count) > tuning.count_tolerance * max(a.count, b.count):
        return f"counts {a.count} and {b.count}"
    return None


def compare(a: Facts, b: Facts, tuning: EventTuning) -> Match | None:
    """The match of two reports, or None when a veto says they are different developments."""
    if veto(a, b, tuning) is not None:
        return None
    sides = _sides_part(a.sides, b.sides)
    parts = {
        "sides": sides,
        "date": _date_part(a, b, tuning),
        "text": _text_part(a, b),
        "mediators": _set_part(a.mediators, b.mediators),
        "location": _location_part(a, b),
    }
    score = sum(tuning.weights[name] * value for name, value in parts.items())
    reasons = tuple(f"{name} {value:.2f}" for name, value in parts.items())
    return Match(round(score, 4), reasons)


def _sides_part(a: Set[str], b: Set[str]) -> float:
    """Likeness of the sides, 0.5 when it says nothing: a report naming no side, or naming one
    side the other report does not (it may be the party the other left out: one outlet names
    the Houthis, another Yemen's government, of the same exchange)."""
    if not a or not b:
        return 0.5
    if min(len(a), len(b)) == 1 and not any(same_side(x, y) for x in a for y in b):
        return 0.5
    return side_likeness(a, b)


def _date_part(a: Facts, b: Facts, tuning: EventTuning) -> float:
    days = day_distance(a, b) or 0
    closeness = 1.0 - days / (tuning.window_days[a.kind] + 1)
    exact = a.precision == b.precision == Precision.DAY
    return closeness if exact else 0.7 * closeness


def _text_part(a: Facts, b: Facts) -> float:
    wording = fuzz.token_set_ratio(a.text, b.text) / 100.0
    names = len(a.salient & b.salient) / len(a.salient | b.salient) if a.salient else 0.0
    return 0.5 * wording + 0.5 * names


def _set_part(a: Set[str], b: Set[str]) -> float:
    if not a or not b:
        return 0.5  # one report not naming a mediator says nothing against the other
    return len(a & b) / len(a | b)


def _location_part(a: Facts, b: Facts) -> float:
    if a.place is None or b.place is None:
        return 0.5
    return 1.0 if a.place == b.place or a.place_country == b.place_country else 0.3
