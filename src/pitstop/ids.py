"""Row ids as they may appear in requests: positive and within a 32-bit INTEGER column."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_ID = 2_147_483_647

RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
