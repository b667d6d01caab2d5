"""A form base that refuses NUL and other control characters in every text field.

PostgreSQL cannot store a NUL in text (the driver raises DataError, a 500 before this),
and no name, email or address ever needs one. The message sits beside the field, so the
person sees which box to retype; the value itself is never echoed into a log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm

# C0 controls and DEL, except tab, line feed and carriage return (text areas keep lines).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = (
    "This contains a character that cannot be saved (such as a NUL or another control "
    "character), often from copying and pasting; please type it again."
)


def has_control_characters(text: str) -> bool:
    """Whether text holds a character no field of Lantern stores (NUL and its kin)."""
    return _CONTROL.search(text) is not None


class TextForm(FlaskForm):  # type: ignore[misc]
    """FlaskForm whose validation also refuses control characters in any text field."""

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        """Run the form's own checks, then this one on every field holding text."""
        valid = bool(super().validate(extra_validators))
        for field in self:
            if isinstance(field.data, str) and has_control_characters(field.data):
                field.errors = [*field.errors, CONTROL_MESSAGE]
                valid = False
        return valid
