"""Where this deployment's key-encryption key comes from (environment or key file).

Only the core-team paths (opening waves, releases, key commands) call this; the
respondent path never loads the KEK.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from survey.keys import load_kek, load_previous_kek


def _key_file(config: Mapping[str, Any]) -> Path | None:
    value = config.get("KEK_FILE")
    return Path(value) if value else None


def configured_kek(config: Mapping[str, Any]) -> bytes:
    """The current KEK, read from outside the database each time it is needed."""
    return load_kek(os.environ, _key_file(config), config.get("KEK_ENV_VAR", "LANTERN_KEK"))


def configured_previous_kek(config: Mapping[str, Any]) -> bytes | None:
    """The retired KEK during a rotation, if one is configured."""
    return load_previous_kek(os.environ, _key_file(config))
