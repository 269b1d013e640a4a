"""Secrets (passwords) from the config: never on a command line, never in a log.

A secret may be written in the config file itself (`password`), named as an environment variable
(`password_env`) or as a file (`password_file`); at most one of the three. A file holding a secret (the
named file, or the config file when it holds the password itself) must be readable by its owner only:
anyone else who can read it can log in as the console.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from plant_maps.toml_reader import Reader

SECRET_KEYS = ("password", "password_env", "password_file")


def read_secret(r: Reader, config_file: Path) -> str:
    """The password a config section names ("" when none)."""
    given = [k for k in SECRET_KEYS if r.has(k)]
    if len(given) > 1:
        raise r.error(given[1], f"give only one of {', '.join(SECRET_KEYS)}")
    if not given:
        return ""
    key = given[0]
    if key == "password":
        check_private(config_file, r, key)
        return r.str(key)
    if key == "password_env":
        name = r.str(key)
        value = os.environ.get(name)
        if not value:
            raise r.error(key, f"environment variable {name} is not set or empty")
        return value
    path = Path(r.str(key))
    path = path if path.is_absolute() else config_file.parent / path
    check_private(path, r, key)
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise r.error(key, f"cannot read {path}: {exc.strerror}") from None
    if not value:
        raise r.error(key, f"{path} is empty")
    return value


def check_private(path: Path, r: Reader, key: str) -> None:
    """ConfigError unless only the owner can read `path`."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError as exc:
        raise r.error(key, f"cannot read {path}: {exc.strerror}") from None
    if mode & 0o077:
        raise r.error(
            key, f"{path} holds a secret but others may read it (mode {mode:04o}); run: chmod 600 {path}"
        )
