"""The journey tests reuse the workspace's signed-in browsers and small alliance."""

from tests.manage.conftest import as_core, as_lead, core_user, lead_user, members

__all__ = ["as_core", "as_lead", "core_user", "lead_user", "members"]
