"""Loading the key-encryption key (KEK) from outside the database.

The KEK comes from an environment variable (urlsafe base64 of 32 bytes) or, if
that is not set, from a key file holding the same text. The environment always
wins, so production can inject the key without touching the disk. During a
rotation the retired KEK sits beside it (``LANTERN_KEK_PREVIOUS`` or
``<key file>.previous``) until every wave key is re-wrapped.

No crypto library here: this module only finds, checks and decodes key bytes.
Error messages name the source and the problem, never the key itself.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "DEFAULT_ENV_VAR",
    "KEK_BYTES",
    "PREVIOUS_ENV_VAR",
    "KeyConfigError",
    "create_key_file",
    "describe_source",
    "load_kek",
    "load_previous_kek",
    "previous_key_path",
]

KEK_BYTES = 32
DEFAULT_ENV_VAR = "LANTERN_KEK"
PREVIOUS_ENV_VAR = "LANTERN_KEK_PREVIOUS"
_PREVIOUS_SUFFIX = ".previous"
# Random 32-byte keys with fewer distinct byte values than this: about 1 in 10^20.
_MIN_DISTINCT_BYTES = 12
# A key file is one short line; anything bigger is the wrong file.
_MAX_FILE_BYTES = 4096
_HOW_TO_MAKE = (
    'generate one with: python -c "import base64, secrets; '
    'print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"'
)


class KeyConfigError(Exception):
    """The key-encryption key is missing or cannot be used as configured."""


def load_kek(
    env: Mapping[str, str], key_file: Path | None, env_var: str = DEFAULT_ENV_VAR
) -> bytes:
    """Return the current KEK from ``env[env_var]``, else from ``key_file``."""
    if env_var in env:
        return _decode(env[env_var], f"environment variable {env_var}", is_file=False)
    if key_file is None:
        raise KeyConfigError(
            f"no key-encryption key: set {env_var} to the urlsafe base64 of 32 random bytes "
            f"or configure a key file; {_HOW_TO_MAKE}"
        )
    text = _read_key_file(key_file)
    if text is None:
        raise KeyConfigError(
            f"no key-encryption key: {env_var} is not set and there is no key file at "
            f"{key_file}; create the key file or set {env_var}"
        )
    return _decode(text, f"key file {key_file}", is_file=True)


def load_previous_kek(
    env: Mapping[str, str], key_file: Path | None, env_var: str = PREVIOUS_ENV_VAR
) -> bytes | None:
    """Return the retired KEK kept for a rotation, or None if none is configured.

    ``key_file`` is the *current* key file; the retired one is its ``.previous``
    sibling (see :func:`previous_key_path`).
    """
    if env_var in env:
        return _decode(env[env_var], f"environment variable {env_var}", is_file=False)
    if key_file is None:
        return None
    path = previous_key_path(key_file)
    text = _read_key_file(path)
    if text is None:
        return None
    return _decode(text, f"key file {path}", is_file=True)


def previous_key_path(key_file: Path) -> Path:
    """Return where the retired KEK is kept during a rotation: ``<key file>.previous``."""
    return key_file.with_name(key_file.name + _PREVIOUS_SUFFIX)


def describe_source(
    env: Mapping[str, str], key_file: Path | None, env_var: str = DEFAULT_ENV_VAR
) -> str:
    """Say where :func:`load_kek` would look first, without reading any key."""
    if env_var in env:
        return f"environment variable {env_var}"
    if key_file is not None:
        return f"key file {key_file}"
    return "none configured"


def create_key_file(path: Path) -> bool:
    """Create a key file holding a new random KEK (mode 0600); False if one exists.

    Never overwrites. The key is written to a private temporary file and then
    hard-linked into place, so several processes starting at once see either no
    file or a complete one, and exactly one of them wins.
    """
    if os.path.lexists(path):
        return False
    key_text = base64.urlsafe_b64encode(secrets.token_bytes(KEK_BYTES)).decode("ascii")
    data = (key_text + "\n").encode("ascii")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            try:
                os.fchmod(fd, 0o600)  # the umask can only narrow the mode; make it exact
                _write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            try:
                os.link(tmp, path)  # fails rather than replaces if the name exists
            except FileExistsError:
                return False
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_dir(path.parent)
    except OSError as exc:
        raise KeyConfigError(f"cannot create key file {path}: {exc.strerror or exc}") from exc
    return True


# --- helpers -----------------------------------------------------------------


def _read_key_file(path: Path) -> str | None:
    """Return the key file's text, None if it does not exist; refuse loose modes."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise KeyConfigError(f"cannot read key file {path}: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)  # the opened file, so a swap after a path check cannot fool us
        if not stat.S_ISREG(info.st_mode):
            raise KeyConfigError(f"key file {path} is not a regular file")
        mode = stat.S_IMODE(info.st_mode)
        if os.name == "posix" and mode & 0o077:
            raise KeyConfigError(
                f"key file {path} is accessible by group or others (mode {mode:04o}); "
                f"refusing to use it. Fix with: chmod 600 {path}"
            )
        raw = os.read(fd, _MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise KeyConfigError(f"cannot read key file {path}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    if len(raw) > _MAX_FILE_BYTES:
        raise KeyConfigError(f"key file {path} is too large to be a key file")
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        raise KeyConfigError(f"key file {path} is not valid urlsafe base64") from None


def _decode(text: str, source: str, *, is_file: bool) -> bytes:
    """Decode urlsafe base64 (padding optional) into exactly KEK_BYTES bytes."""
    value = text.strip()
    if not value:
        fix = "it may be truncated; restore it from backup" if is_file else "unset it or set a key"
        raise KeyConfigError(f"{source} is empty; {fix}")
    try:
        key = base64.b64decode(
            value.encode("ascii") + b"=" * (-len(value) % 4), altchars=b"-_", validate=True
        )
    except (UnicodeEncodeError, binascii.Error):
        hint = " (it may be truncated)" if is_file else f"; {_HOW_TO_MAKE}"
        # `from None`: the decoder's message would echo part of the key.
        raise KeyConfigError(f"{source} is not valid urlsafe base64{hint}") from None
    if len(key) == KEK_BYTES:
        if len(set(key)) < _MIN_DISTINCT_BYTES:
            # 32 random bytes hold about 30 distinct values; all zeros or a short pattern
            # repeated hold a handful. Such a key was typed or defaulted, not generated.
            raise KeyConfigError(
                f"{source} is not a random key (all-zero or a repeated pattern); {_HOW_TO_MAKE}"
            )
        return key
    if is_file and len(key) < KEK_BYTES:
        raise KeyConfigError(
            f"{source} looks truncated: it decodes to {len(key)} bytes, "
            f"a key-encryption key is exactly {KEK_BYTES}"
        )
    raise KeyConfigError(
        f"{source} has the wrong length: it decodes to {len(key)} bytes, "
        f"a key-encryption key is exactly {KEK_BYTES}"
    )


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _fsync_dir(directory: Path) -> None:
    # Makes the new name durable; not every platform lets a directory be opened.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
