"""Text as it may come in from outside: no NUL or other control characters.

PostgreSQL refuses NUL in text, and control characters in names and codes only ever come from
broken clients or probing; refusing them at the edge gives a field-level reason instead of a
database error.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("contains control characters")
    return value


Text = Annotated[str, AfterValidator(printable)]
