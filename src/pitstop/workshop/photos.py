"""Photo files on disk, under ``settings.photo_dir``; the database keeps only their keys."""

from __future__ import annotations

import secrets
from pathlib import Path

from pitstop.workshop.rules import EXTENSIONS


def new_key(content_type: str) -> str:
    # Random names: an uploaded file name never reaches the file system.
    return f"{secrets.token_hex(16)}.{EXTENSIONS[content_type]}"


def save(root: Path, key: str, data: bytes) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / key
    with path.open("xb") as fh:
        fh.write(data)
    return path


def load(root: Path, key: str) -> bytes:
    return (root / key).read_bytes()


def discard(root: Path, key: str) -> None:
    (root / key).unlink(missing_ok=True)
