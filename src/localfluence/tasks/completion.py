"""How long-running tasks appear to progress, so clients' polling code can be tested.

The work itself is done inside the submitting request; what this controls is the status the
task reports: finished at once (the default), after N seconds of the server clock (so the admin
clock API can move it along), or after N polls of GET /longtask/{id}. Set through
/_localfluence/tasks; the setting and the poll counts live in memory, per server process and site.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Mode = Literal["immediate", "seconds", "polls"]
MAX_PLANS = 10_000


@dataclass(frozen=True)
class CompletionPolicy:
    mode: Mode = "immediate"
    seconds: float = 0.0
    polls: int = 0


@dataclass
class Plan:
    created: datetime
    due: datetime | None = None
    polls_needed: int = 0
    polls_seen: int = 0


class Completion:
    def __init__(self) -> None:
        self.policy = CompletionPolicy()
        self._plans: OrderedDict[str, Plan] = OrderedDict()
        self._lock = threading.Lock()

    def set(self, policy: CompletionPolicy) -> None:
        self.policy = policy

    def reset(self) -> None:
        with self._lock:
            self.policy = CompletionPolicy()
            self._plans.clear()

    @property
    def immediate(self) -> bool:
        return self.policy.mode == "immediate"

    def plan(self, task_id: str, created: datetime) -> None:
        policy = self.policy
        plan = Plan(created=created)
        if policy.mode == "seconds":
            plan.due = created + timedelta(seconds=policy.seconds)
        else:
            plan.polls_needed = max(1, policy.polls)
        with self._lock:
            self._plans[task_id] = plan
            while len(self._plans) > MAX_PLANS:
                self._plans.popitem(last=False)

    def progress(self, task_id: str, now: datetime, *, poll: bool) -> int | None:
        """Percentage complete for an unfinished task, or None when it has now finished. A task
        without a plan (the server restarted, or the plan was evicted) finishes."""
        with self._lock:
            plan = self._plans.get(task_id)
            if plan is None:
                return None
            if plan.due is not None:
                total = (plan.due - plan.created).total_seconds()
                if now >= plan.due or total <= 0:
                    del self._plans[task_id]
                    return None
                return max(0, min(99, int((now - plan.created).total_seconds() / total * 100)))
            if poll:
                plan.polls_seen += 1
            if plan.polls_seen >= plan.polls_needed:
                del self._plans[task_id]
                return None
            return min(99, plan.polls_seen * 100 // plan.polls_needed)


class SiteCompletion:
    """The setting of the site serving the current request or worker thread (sites/)."""

    def __init__(self, default: Completion) -> None:
        self.default = default
        self.current: ContextVar[Completion] = ContextVar("localfluence_completion", default=default)

    @property
    def policy(self) -> CompletionPolicy:
        return self.current.get().policy

    @property
    def immediate(self) -> bool:
        return self.current.get().immediate

    def set(self, policy: CompletionPolicy) -> None:
        self.current.get().set(policy)

    def reset(self) -> None:
        self.current.get().reset()

    def plan(self, task_id: str, created: datetime) -> None:
        self.current.get().plan(task_id, created)

    def progress(self, task_id: str, now: datetime, *, poll: bool) -> int | None:
        return self.current.get().progress(task_id, now, poll=poll)


completion = SiteCompletion(Completion())
