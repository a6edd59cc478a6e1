"""What every rule of the policy schema shares: the constants of the policy's vocabulary, the vocabularies the
apps above the kernel register at start-up, and the collector of the refusals' messages."""
import re

from django.core.exceptions import ImproperlyConfigured

from changemgmt.roles import Role

SCORE_TOTALS = (5, 15)  # five factors scored 1-3 [POLICY §2]
FACTOR_SCORES = (1, 3)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FREEZE_KINDS = ("hard", "soft")
CODE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
EXTENSION = re.compile(r"^\.[a-z0-9]{1,10}$")
CONTENT_TYPE = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")

_vocabularies: dict[str, frozenset[str]] = {}


def register_vocabulary(name: str, codes) -> None:
    """An app declares the codes it can handle, e.g. ("test_types", TestType.values)."""
    _vocabularies[name] = frozenset(codes)


def vocabulary(name: str) -> frozenset[str]:
    if name == "user_roles":
        return frozenset(Role.values)
    if name not in _vocabularies:
        raise ImproperlyConfigured(f"No app registered the policy vocabulary {name!r}")
    return _vocabularies[name]


class Problems:
    """The messages of one edit's broken rules, each naming where and which rule."""

    def __init__(self):
        self.messages: list[str] = []

    def add(self, where: str, rule: str) -> None:
        self.messages.append(f"{where}: {rule}")

    def codes(self, where: str, codes, known, what: str, *, non_empty: bool = False) -> None:
        """`codes` are distinct members of `known`."""
        unknown = [code for code in codes if code not in known]
        if unknown:
            self.add(where, f"{', '.join(map(repr, unknown))} is not a known {what} "
                     f"(known: {', '.join(sorted(known))})")
        if len(set(codes)) != len(codes):
            self.add(where, f"each {what} may be named only once")
        if non_empty and not codes:
            self.add(where, f"name at least one {what}")

    def at_least(self, where: str, number, minimum, *, above: bool = False) -> None:
        if number < minimum or (above and number == minimum):
            self.add(where, f"must be {'more than' if above else 'at least'} {minimum}")

    def clock(self, where: str, text: str) -> bool:
        if not CLOCK.match(text):
            self.add(where, f"{text!r} is not a time of day HH:MM (00:00-23:59)")
            return False
        return True

    def period(self, where: str, start: str, end: str) -> None:
        if self.clock(f"{where}.start", start) and self.clock(f"{where}.end", end) and start >= end:
            self.add(where, f"must end after it starts ({start}-{end})")

