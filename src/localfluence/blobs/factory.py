"""The blob store the settings ask for."""

from __future__ import annotations

from localfluence.blobs.local import LocalBlobStore
from localfluence.blobs.store import BlobStore
from localfluence.config import Settings


def make_blob_store(settings: Settings) -> BlobStore:
    if settings.blob_store == "s3":
        from localfluence.blobs.s3 import S3BlobStore

        store: BlobStore = S3BlobStore.from_settings(settings)
    else:
        store = LocalBlobStore(settings.resolved_blob_dir())
    store.sweep_temporary()
    return store
