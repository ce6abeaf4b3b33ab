"""The event outbox: services record what changed (type + payload) in the change's own transaction;
listeners (webhook fan-out, the audit log) add their rows in the same transaction."""

from localfluence.events.record import (
    ACTOR,
    content_event,
    contents_event,
    group_event,
    known_user,
    label_event,
    on_event,
    record,
    space_event,
    user_event,
)

__all__ = [
    "ACTOR",
    "content_event",
    "contents_event",
    "group_event",
    "known_user",
    "label_event",
    "on_event",
    "record",
    "space_event",
    "user_event",
]
