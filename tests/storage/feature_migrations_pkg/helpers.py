"""Not a migration (no mNNNN_ prefix): discovery leaves it out."""

from __future__ import annotations

NOT_A_MIGRATION = True
