"""The review frameworks the core team can use: every file under FRAMEWORK_DIR, read once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import current_app

from survey.domain.frameworks import Framework, load_framework_file


@lru_cache(maxsize=8)
def _load(directory: str) -> tuple[Framework, ...]:
    return tuple(load_framework_file(p) for p in sorted(Path(directory).glob("*.yaml")))


def available_frameworks() -> tuple[Framework, ...]:
    """Every framework file, validated (a bad file fails loudly, naming file and field)."""
    return _load(str(current_app.config["FRAMEWORK_DIR"]))


def framework_for(key: str) -> Framework:
    """The framework with this key, or LookupError."""
    for framework in available_frameworks():
        if framework.key == key:
            return framework
    raise LookupError(f"no framework file has the key {key!r}")
