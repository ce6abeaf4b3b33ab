"""Who is asking: a user (with groups and scopes) or the anonymous user."""

from __future__ import annotations

from dataclasses import dataclass, field

ANONYMOUS_ACCOUNT_ID = "anonymous"
# The user id of a principal that stands for "any member of one group" (permission checks for a
# group subject): no user row has it, so only the group's own grants and restrictions match.
GROUP_PROBE_USER_ID = -1


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

    @property
    def is_group_probe(self) -> bool:
        return self.user_id == GROUP_PROBE_USER_ID

    @classmethod
    def for_group(cls, group_id: str, *, is_admin: bool = False) -> Principal:
        """A member of this group and of no other, for POST /content/{id}/permission/check."""
        return cls(
            user_id=GROUP_PROBE_USER_ID,
            account_id=f"group:{group_id}",
            group_ids=frozenset({group_id}),
            is_admin=is_admin,
        )

    @classmethod
    def anonymous(cls, anonymous_access: bool = False) -> Principal:
        return cls(user_id=None, account_id=ANONYMOUS_ACCOUNT_ID, anonymous_access=anonymous_access)
