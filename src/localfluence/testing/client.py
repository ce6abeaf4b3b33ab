"""A small client for /_localfluence (what the pytest plugin's fixtures hand to tests).

    admin = AdminClient("http://127.0.0.1:8090", ("admin@example.com", token))
    admin.reset()
    admin.faults.add(path="/wiki/rest/api/content/*", method="PUT", status=409, times=1)
    admin.faults.rate_limit(retry_after=2, times=3)
    assert admin.journal.count(method="PUT", status="409") == 1

Keyword arguments may be snake_case (operation_id=...) or the API's camelCase (operationId=...).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx


class AdminError(Exception):
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status_code = response.status_code
        try:
            message = response.json().get("message", response.text)
        except ValueError:
            message = response.text
        super().__init__(f"{response.request.method} {response.request.url.path} → {response.status_code}: {message}")


def _camel(fields: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in fields.items():
        head, *rest = key.split("_")
        out[head + "".join(p.title() for p in rest)] = value
    return out


class _Part:
    def __init__(self, owner: AdminClient) -> None:
        self._call = owner.call
        self._object = owner.object


class Faults(_Part):
    def add(self, **rule: Any) -> dict[str, Any]:
        """action ("respond" | "delay" | "drop"), status, message, body, headers, latency_ms; matched by
        method, path (glob), path_regex, operation_id, account_id, probability, times, seed."""
        return self._object("POST", "/faults", json=_camel(rule))

    def rate_limit(self, **options: Any) -> dict[str, Any]:
        """429 with Confluence Cloud's headers: retry_after, limit, reason, plus any matcher of add()."""
        return self._object("POST", "/faults/rate-limit", json=_camel(options))

    def list(self) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = self._object("GET", "/faults")["results"]
        return results

    def get(self, rule_id: str) -> dict[str, Any]:
        return self._object("GET", f"/faults/{rule_id}")

    def remove(self, rule_id: str) -> None:
        self._call("DELETE", f"/faults/{rule_id}")

    def clear(self) -> None:
        self._call("DELETE", "/faults")


class Journal(_Part):
    def entries(self, **filters: Any) -> list[dict[str, Any]]:
        """Filters: method, path (glob), status ("404" or "4xx"), account_id, operation_id, after,
        limit, newest_first."""
        results: list[dict[str, Any]] = self._object("GET", "/journal", params=_params(filters))["results"]
        return results

    def count(self, **filters: Any) -> int:
        return int(self._object("GET", "/journal/count", params=_params(filters))["count"])

    def clear(self) -> None:
        self._call("DELETE", "/journal")


class Clock(_Part):
    def now(self) -> dict[str, Any]:
        return self._object("GET", "/clock")

    def freeze(self, at: datetime | str | None = None) -> dict[str, Any]:
        value = at.isoformat() if isinstance(at, datetime) else at
        return self._object("POST", "/clock/freeze", json={"at": value} if value else {})

    def advance(self, seconds: float | timedelta = 0, **delta: float) -> dict[str, Any]:
        """advance(60), advance(timedelta(days=1)) or advance(hours=2)."""
        total = seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)
        total += timedelta(**delta).total_seconds()
        return self._object("POST", "/clock/advance", json={"seconds": total})

    def reset(self) -> dict[str, Any]:
        return self._object("POST", "/clock/reset")


class Tasks(_Part):
    def get(self) -> dict[str, Any]:
        return self._object("GET", "/tasks")

    def complete_immediately(self) -> dict[str, Any]:
        return self._object("PUT", "/tasks", json={"mode": "immediate"})

    def complete_after_seconds(self, seconds: float) -> dict[str, Any]:
        return self._object("PUT", "/tasks", json={"mode": "seconds", "seconds": seconds})

    def complete_after_polls(self, polls: int) -> dict[str, Any]:
        return self._object("PUT", "/tasks", json={"mode": "polls", "polls": polls})


class AdminClient:
    def __init__(self, base_url: str, auth: tuple[str, str], *, timeout: float = 120) -> None:
        self.http = httpx.Client(base_url=base_url.rstrip("/") + "/_localfluence", auth=auth, timeout=timeout)
        self.faults = Faults(self)
        self.journal = Journal(self)
        self.clock = Clock(self)
        self.tasks = Tasks(self)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise AdminError(response)
        return response.json() if response.content else None

    def object(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        body = self.call(method, path, **kwargs)
        if not isinstance(body, dict):
            raise TypeError(f"{method} {path} answered {type(body).__name__}, not a JSON object")
        return body

    def health(self) -> dict[str, Any]:
        return self.object("GET", "/health")

    def reset(self, *, space_key: str | None = None, snapshot: str | None = None) -> dict[str, Any]:
        params = {k: v for k, v in (("spaceKey", space_key), ("snapshot", snapshot)) if v is not None}
        return self.object("POST", "/reset", params=params)

    def save_snapshot(self, name: str) -> dict[str, Any]:
        return self.object("PUT", f"/snapshots/{name}")

    def restore_snapshot(self, name: str) -> dict[str, Any]:
        return self.object("POST", f"/snapshots/{name}/restore")

    def list_snapshots(self) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = self.object("GET", "/snapshots")["results"]
        return results

    def delete_snapshot(self, name: str) -> None:
        self.call("DELETE", f"/snapshots/{name}")

    def seed(self, document: str | dict[str, Any]) -> dict[str, Any]:
        """A seed document as YAML/JSON text or as a dict (bodies inline; see localfluence.seeding)."""
        if isinstance(document, dict):
            return self.object("POST", "/seed", json=document)
        return self.object(
            "POST", "/seed", content=document.encode("utf-8"), headers={"Content-Type": "application/yaml"}
        )

    def create_site(
        self, name: str, *, admin_email: str | None = None, admin_token: str | None = None
    ) -> dict[str, Any]:
        """Another site in this server; the answer has its url and its admin's email and token."""
        body = {"name": name, "adminEmail": admin_email, "adminToken": admin_token}
        return self.object("POST", "/sites", json={k: v for k, v in body.items() if v is not None})

    def list_sites(self) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = self.object("GET", "/sites")["results"]
        return results

    def delete_site(self, name: str) -> None:
        self.call("DELETE", f"/sites/{name}")

    def close(self) -> None:
        self.http.close()


def _params(filters: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in _camel(filters).items():
        if value is None:
            continue
        out[key] = str(value).lower() if isinstance(value, bool) else value
    return out
