"""Regenerate the initial migration from the models (only while no database is deployed).

Until the first release every schema change folds into revision 0001; after it, changes get
their own revisions with `alembic revision --autogenerate`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from pitstop.db.migrate import alembic_config

VERSIONS = Path(__file__).resolve().parent.parent / "src" / "pitstop" / "migrations" / "versions"

for old in VERSIONS.glob("0001_*.py"):
    old.unlink()
with tempfile.TemporaryDirectory() as tmp:
    cfg = alembic_config(f"sqlite:///{tmp}/empty.db")
    command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
for new in VERSIONS.glob("0001_*.py"):
    print(f"wrote {new}")
