"""Logging to a rotating file in the platform's per-user data folder (never next to the program or in the cwd)."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from logging.handlers import RotatingFileHandler
from pathlib import Path

APP_NAME = "gikai-desk"
DATA_DIR_ENV = "GIKAI_DATA_DIR"
"""Overrides the per-user data folder (tests, portable use)."""
LOG_FILE_NAME = "gikai-desk.log"
LOG_MAX_BYTES = 1024 * 1024
LOG_BACKUPS = 3
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

_HANDLER_MARK = "_gikai_desk_log_handler"


def user_data_dir() -> Path:
    """The per-user data folder, the same one Qt's QStandardPaths.AppDataLocation gives for an application
    named "gikai-desk" without an organisation name:
    Windows %APPDATA%\\gikai-desk, macOS ~/Library/Application Support/gikai-desk,
    Linux $XDG_DATA_HOME/gikai-desk (default ~/.local/share/gikai-desk)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Application Support")
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = xdg if os.path.isabs(xdg) else str(Path.home() / ".local" / "share")
    return Path(base) / APP_NAME


def log_dir() -> Path:
    return user_data_dir() / "logs"


def _writable_log_dir() -> Path | None:
    """The log folder, or a folder in the system temp dir when the user folder cannot be created."""
    for candidate in (log_dir(), Path(tempfile.gettempdir()) / APP_NAME / "logs"):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            probe = candidate / LOG_FILE_NAME
            with probe.open("a", encoding="utf-8"):
                pass
            return candidate
        except OSError:
            continue
    return None


def current_log_file() -> Path | None:
    """The file the installed handler writes to, or None when logging was not set up (or could not be)."""
    for handler in logging.getLogger().handlers:
        if getattr(handler, _HANDLER_MARK, False) and isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Send log records of every logger to the rotating log file. Idempotent; never raises.

    Returns the log file, or None when no folder was writable (logging then goes nowhere, silently)."""
    existing = current_log_file()
    if existing is not None:
        return existing
    folder = _writable_log_dir()
    if folder is None:
        return None
    path = folder / LOG_FILE_NAME
    try:
        handler = RotatingFileHandler(
            path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8", delay=False
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.setLevel(level)
    setattr(handler, _HANDLER_MARK, True)
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    logging.getLogger(__name__).info("gikai-desk log started (%s)", sys.platform)
    return path


def shutdown_logging() -> None:
    """Remove and close the handler installed by setup_logging (tests, or before switching data folders)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
            handler.close()
