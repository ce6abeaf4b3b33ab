"""Who is asking: a user (with groups and scopes) or the anonymous user."""

from __future__ import annotations

from dataclasses import dataclass, field

ANONYMOUS_ACCOUNT_ID = "anonymous"


@dataclass(frozen=True)
class Principal:
    user_id: int | None
    account_id: str
    group_ids: frozenset[str] = field(default_factory=frozenset)
    is_admin: bool = False
    # Whether the site lets anonymous users in at all (global "anonymous access").
    anonymous_access: bool = False
    # OAuth-style scopes of the token used; None means the user's full permissions.
    scopes: frozenset[str] | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @classmethod
    def anonymous(cls, anonymous_access: bool = False) -> Principal:
        return cls(user_id=None, account_id=ANONYMOUS_ACCOUNT_ID, anonymous_access=anonymous_access)
