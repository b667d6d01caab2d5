"""The API tests share the results tests' released world and accounts."""

from __future__ import annotations

from tests.results.conftest import core_user, lead_a1, lead_org_a, world

__all__ = ["core_user", "lead_a1", "lead_org_a", "world"]
