"""Refusals every service raises, mapped to HTTP by the API and to messages by the web pages.

- GateRefused (409): the transition's gate does not hold; `missing` lists every item.
- Conflict (409): the object moved on under the caller (already decided, state changed).
- django.core.exceptions.PermissionDenied (403) and ValidationError (400, field-named) are used
  as they are.
"""
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Missing:
    """One unmet gate condition: a stable code, a sentence for people, the policy it comes from."""

    code: str
    message: str
    policy: str

    def as_dict(self) -> dict:
        return asdict(self)


class GateRefused(Exception):
    def __init__(self, transition: str, missing: list[Missing]):
        self.transition = transition
        self.missing = list(missing)
        super().__init__(f"{transition} refused: " + "; ".join(m.message for m in self.missing))


class Conflict(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)
