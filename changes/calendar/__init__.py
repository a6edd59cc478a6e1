"""The change calendar: deployment windows, freezes, conflicts, next available slots and iCalendar
feeds. A sub-package of `changes` with an app's file set; its models keep the `changes` app label
(changes/models.py imports them). Never imported as a top-level `calendar`: that is the stdlib's."""
