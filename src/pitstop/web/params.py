"""Shared route parameter types."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from pitstop.ids import MAX_ID

PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="A row id")]

__all__ = ["MAX_ID", "PathId"]
