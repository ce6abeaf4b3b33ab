"""Blobs as objects in an S3-compatible bucket (AWS S3, MinIO, moto, ...), through boto3.

An upload is staged to its final key before its rows are written, so the slow, fallible part
happens while the request can still fail cleanly. Keys carry the digest and a random suffix: the database
(blob.sha256) does the deduplication, and an object is only ever written by the one upload that
created its blob row, so a rollback can delete what it staged without racing anybody."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from localfluence.blobs.store import BlobMissing, BlobStore, BlobWriter, Reader


class S3BlobStore(BlobStore):
    stages_remotely = True

    def __init__(self, client: Any, bucket: str, prefix: str, tmp_dir: Path) -> None:
        super().__init__(tmp_dir)
        from boto3.s3.transfer import TransferConfig

        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        # Multipart above 64 MiB, four parts in flight: a 1 GB upload never sits in memory.
        self.transfer = TransferConfig(multipart_threshold=64 * 1024 * 1024, multipart_chunksize=16 * 1024 * 1024)

    @classmethod
    def from_settings(cls, settings: Any) -> S3BlobStore:
        import boto3

        if not settings.s3_bucket:
            raise ValueError("LOCALFLUENCE_S3_BUCKET is required when LOCALFLUENCE_BLOB_STORE=s3")
        options: dict[str, str] = {}
        if settings.s3_endpoint_url:
            options["endpoint_url"] = settings.s3_endpoint_url
        if settings.s3_region:
            options["region_name"] = settings.s3_region
        if settings.s3_access_key_id:
            options["aws_access_key_id"] = settings.s3_access_key_id
            options["aws_secret_access_key"] = settings.s3_secret_access_key
        client = boto3.session.Session().client("s3", **options)
        return cls(client, settings.s3_bucket, settings.s3_prefix, settings.resolved_blob_dir() / "tmp")

    def key_for(self, sha256: str) -> str:
        return f"{self.prefix}{sha256[:2]}/{sha256}.{uuid.uuid4().hex[:16]}"

    def stage(self, writer: BlobWriter) -> None:
        self.client.upload_file(str(writer.path), self.bucket, writer.key, Config=self.transfer)
        writer.staged = True

    def link(self, writer: BlobWriter) -> None:
        # The object is already where it belongs; the commit of its blob row published it.
        writer.remove_file()

    def discard(self, writer: BlobWriter) -> None:
        writer.remove_file()
        if writer.staged:
            self.delete(writer.key)
            writer.staged = False

    def open(self, key: str, start: int = 0, length: int | None = None) -> Reader:
        if length == 0:
            return _Empty()
        options: dict[str, str] = {}
        if start or length is not None:
            end = "" if length is None else str(start + length - 1)
            options["Range"] = f"bytes={start}-{end}"
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key, **options)
        except self.client.exceptions.NoSuchKey:
            raise BlobMissing(key) from None
        return response["Body"]  # type: ignore[no-any-return]

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)


class _Empty:
    def read(self, size: int = -1, /) -> bytes:
        return b""

    def close(self) -> None:
        return None
