"""Why a workspace cannot be opened or a change was refused (one clear message each)."""

from __future__ import annotations

from pathlib import Path


class WorkspaceError(Exception):
    """A workspace that cannot be opened or used (not a workspace, newer version, server unreachable...)."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class ConflictError(WorkspaceError):
    """A write refused because the report changed since this client read it (nothing was stored)."""

    def __init__(self, path: str | Path, reason: str, changed_by: str | None = None) -> None:
        super().__init__(path, reason)
        self.changed_by = changed_by


class ClaimedError(ConflictError):
    """A write or claim refused because another reviewer has the report open for editing."""

    def __init__(self, path: str | Path, holder: str) -> None:
        super().__init__(
            path,
            f"正在由 {holder} 审核，您的修改未保存（可申请接手） — being reviewed by {holder}; not saved",
            changed_by=holder,
        )
        self.holder = holder


class ConnectionLostError(WorkspaceError):
    """The connection to the database server broke (server restarted or unreachable, network down).

    For a change (`write`): `saved` False = the change in flight was not stored; None = unknown (lost during
    COMMIT and the server could not be asked afterwards). Never raised for a change that is known to be stored.
    The next call reconnects.
    """

    def __init__(self, path: str | Path, detail: str, saved: bool | None = None, write: bool = False) -> None:
        if write and saved is False:
            reason = f"与数据库服务器的连接中断，这次修改未保存 connection lost, change NOT saved: {detail}"
        elif write:
            reason = f"与数据库服务器的连接中断，无法确认这次修改是否已保存 connection lost, change may not be saved: {detail}"
        else:
            reason = f"与数据库服务器的连接中断 connection to the database server lost: {detail}"
        super().__init__(path, reason)
        self.detail = detail
        self.saved = saved
        self.write = write
