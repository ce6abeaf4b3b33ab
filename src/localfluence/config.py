"""Settings, read from LOCALFLUENCE_* environment variables and overridable by the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOCALFLUENCE_", extra="ignore")

    data_dir: Path = Path("localfluence-data")
    # Empty means an SQLite file inside data_dir.
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8090
    # Public base URL (scheme://host[:port]); empty means "taken from each request's Host".
    base_url: str = ""
    admin_email: str = "admin@example.com"
    admin_token: str = ""
    # Confluence refuses request bodies over 5 MiB on content writes (spec: createContent 413).
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    # The /_localfluence test-double namespace (reset, snapshots, seed, faults, clock, journal);
    # site admins only. Switch it off on a shared production wiki.
    admin_api: bool = True
    # FastAPI's native OpenTelemetry (request spans, metrics, logs through the process's global
    # providers, e.g. under opentelemetry-instrument). Off, requests skip its per-request checks.
    telemetry: bool = False
    # Other sites of this server (sites/, test double) are also reached as NAME.<site_domain>;
    # empty: only by the path prefix /site/NAME.
    site_domain: str = "localhost"
    # How many recent requests the journal keeps (a ring; 0 keeps none).
    journal_size: int = Field(default=1000, ge=0, le=1_000_000)
    # Confluence's default "Attachment Maximum Size" is 100 MB; larger uploads answer 413.
    # How long a worker trusts an authenticated caller without asking the database again. Writes
    # through the same process take effect at once; other processes and hosts within this bound.
    auth_cache_seconds: float = Field(default=5.0, ge=0, le=300)
    max_attachment_bytes: int = Field(default=100 * 1024 * 1024, ge=1)
    # Where attachment bytes live: "local" (blob_dir, default data_dir/blobs) or "s3".
    blob_store: Literal["local", "s3"] = "local"
    blob_dir: Path | None = None
    # S3-compatible object storage; empty values fall back to boto3's own configuration chain.
    s3_endpoint_url: str = ""
    s3_bucket: str = ""
    s3_prefix: str = "blobs/"
    s3_region: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    # Background worker (long-running tasks, webhook deliveries): off runs nothing in this process.
    worker: bool = True
    # How often an idle worker looks for work queued by other processes (local submissions wake it).
    worker_idle_seconds: float = Field(default=2.0, gt=0, le=3600)
    # How long a claimed task may run before another worker treats it as interrupted.
    task_lease_seconds: float = Field(default=300.0, gt=0)
    # Attempts before an interrupted task is marked failed instead of resumed.
    task_max_attempts: int = Field(default=3, ge=1, le=100)
    # Webhook deliveries: timeout per attempt, first backoff (doubling up to the maximum below).
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_backoff_seconds: float = Field(default=1.0, gt=0)
    # How long a failing delivery is retried (from when it was queued or redelivered) before it
    # is marked failed; it stays in the delivery log and can be redelivered (docs/behaviour.md).
    webhook_retry_seconds: float = Field(default=86400.0, gt=0)
    # An optional cap on attempts as well (none by default: the retry window decides).
    webhook_max_attempts: int | None = Field(default=None, ge=1, le=10000)
    # The longest wait between two attempts of one delivery.
    webhook_backoff_max_seconds: float = Field(default=3600.0, gt=0)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'localfluence.db').resolve()}"

    def resolved_blob_dir(self) -> Path:
        return self.blob_dir if self.blob_dir is not None else self.data_dir / "blobs"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url().startswith("sqlite")
