"""A real S3 protocol server (moto's ThreadedMotoServer) on 127.0.0.1, for the S3 blob store tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


@dataclass
class S3Endpoint:
    url: str
    bucket: str
    client: Any

    def settings(self) -> dict[str, str]:
        """LOCALFLUENCE_* settings that select this bucket."""
        return {
            "blob_store": "s3",
            "s3_endpoint_url": self.url,
            "s3_bucket": self.bucket,
            "s3_region": CREDENTIALS["region_name"],
            "s3_access_key_id": CREDENTIALS["aws_access_key_id"],
            "s3_secret_access_key": CREDENTIALS["aws_secret_access_key"],
        }

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.bucket)
        return sorted(o["Key"] for o in listed.get("Contents", []))


@contextmanager
def moto_s3() -> Iterator[S3Endpoint]:
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        client = boto3.session.Session().client("s3", endpoint_url=url, **CREDENTIALS)
        bucket = f"localfluence-{uuid.uuid4().hex[:12]}"
        client.create_bucket(Bucket=bucket)
        yield S3Endpoint(url, bucket, client)
    finally:
        server.stop()
