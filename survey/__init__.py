"""Lantern: anonymous secondary-traumatic-stress screening for frontline teams.

The factories live in `survey.apps`; they are re-exported here without importing any
blueprint, so `import survey` costs the respondent service nothing it must not load.
"""

from __future__ import annotations

from survey.apps import create_app, create_respondent_app, create_staff_app

__all__ = ["create_app", "create_respondent_app", "create_staff_app"]
