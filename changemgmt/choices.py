"""Badges for the apps' coded values, so the kernel's template filters need no app.

A change's state, its risk level, an approval slot's status: each is a `TextChoices` of the app
that owns it, with its label and, beside it in the app's `choices.py`, its badge colour (NetBox's
ChoiceSet idea). The kernel must not import the apps above it, so each app hands its vocabularies
in at start-up (`register_badges` in its AppConfig.ready, as it does its policy vocabularies), and
`changemgmt.templatetags.cm_format` looks a value up by vocabulary name.
"""
from collections.abc import Mapping
from typing import NamedTuple

from django.core.exceptions import ImproperlyConfigured
from django.db import models

DEFAULT_COLOUR = "grey"


class Vocabulary(NamedTuple):
    choices: type[models.Choices]
    colours: Mapping[str, str]
    title: str  # what the hover text calls a value ("State: Approve"); empty: the label alone


class Badge(NamedTuple):
    label: str
    colour: str
    title: str


_vocabularies: dict[str, Vocabulary] = {}


def register_badges(name: str, choices: type[models.Choices], colours: Mapping[str, str], *, title: str = "") -> None:
    """Called by the app that owns `choices`, in its AppConfig.ready."""
    _vocabularies[name] = Vocabulary(choices, colours, title)


def badge(name: str, value) -> Badge:
    """The label, colour and hover text of `value` (a code or a member) in the vocabulary `name`.
    An unknown code is a ValueError, as from the choices class itself."""
    if name not in _vocabularies:
        raise ImproperlyConfigured(f"No app registered the badge vocabulary {name!r}")
    vocabulary = _vocabularies[name]
    choice = vocabulary.choices(value)
    return Badge(choice.label, vocabulary.colours.get(choice, DEFAULT_COLOUR),
                 f"{vocabulary.title}: {choice.label}" if vocabulary.title else choice.label)
