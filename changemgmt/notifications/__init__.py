"""Notifications: an inbox row for each person now, an email after commit — the one mail path.

The package has the file set of an app: `services` (notify), `selectors` (the inbox), `forms`,
`views` and `urls` (inbox, e-mail preferences), `tasks` (the mail task and sweep) and `mail`
(claiming, rendering and sending). Its models and their kinds stay in
changemgmt/models/notifications.py: the models package must not run this one (see there). Every
app notifies through `notify` / `notify_many`, re-exported here as the package's public face.
"""
from changemgmt.notifications.services import Message, notify, notify_many

__all__ = ["Message", "notify", "notify_many"]
