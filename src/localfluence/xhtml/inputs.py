"""Storage from any representation a client may send (storage, wiki, editor, atlas_doc_format)."""

from __future__ import annotations

from localfluence.errors import BadRequest
from localfluence.xhtml.adf_to_storage import from_adf_json
from localfluence.xhtml.editor import from_editor
from localfluence.xhtml.storage import Saved, prepared_for_save, validate
from localfluence.xhtml.wiki import wiki_to_storage

INPUT_REPRESENTATIONS = ("storage", "wiki", "editor", "atlas_doc_format")


def to_storage(value: str, representation: str) -> str:
    """Valid storage for a body in `representation`; malformed input is a 400."""
    if representation == "storage":
        if value.strip():
            validate(value)
        return value
    if representation == "wiki":
        return wiki_to_storage(value)
    if representation == "editor":
        return from_editor(value)
    if representation == "atlas_doc_format":
        return from_adf_json(value)
    choices = ", ".join(INPUT_REPRESENTATIONS)
    raise BadRequest(f"Cannot convert from the {representation} representation; use one of {choices}")


def storage_for_save(value: str, representation: str) -> str:
    """Storage to save for a body in `representation`, with macro and task ids
    (xhtml.storage.prepare_for_save). Storage as sent is parsed once: preparing it validates it."""
    return saved_storage(value, representation).storage


def saved_storage(value: str, representation: str) -> Saved:
    """storage_for_save, with the tree of the storage to save (xhtml.storage.Saved)."""
    if representation == "storage":
        return prepared_for_save(value)
    return prepared_for_save(to_storage(value, representation))
