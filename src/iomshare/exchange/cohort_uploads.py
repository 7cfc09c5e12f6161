"""A cohort changes file uploaded in the web pages, kept between its check and its import.

The file waits under the import folder by a random name; the page remembers that name in the
uploader's own session, so nobody else can import it. It is deleted once imported, or at once when
the check finds problems (the file must be corrected and uploaded again).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path

from iomshare.exchange.cohort_changes import file_type_of
from iomshare.exchange.import_runs import save_upload, upload_dir


def _folder() -> Path:
    folder = upload_dir() / "cohort-changes"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def keep_upload(chunks: Iterable[bytes], *, file_name: str) -> str:
    """Keep an uploaded file of cohort changes; the name it is kept under."""
    suffix = file_type_of(Path(file_name or "file"))
    kept = f"{uuid.uuid4()}.{suffix}"
    path = _folder() / kept
    save_upload(chunks, path, command="iomshare cohort-import")
    return kept


def kept_path(kept: str) -> Path | None:
    """The kept file, or None if the name is not one this module gave or the file is gone."""
    stem, _, suffix = (kept or "").partition(".")
    try:
        uuid.UUID(stem)
    except ValueError:
        return None
    path = _folder() / f"{stem}.{suffix}"
    return path if suffix in ("csv", "xlsx") and path.is_file() else None


def discard(kept: str) -> None:
    if (path := kept_path(kept)) is not None:
        path.unlink(missing_ok=True)
