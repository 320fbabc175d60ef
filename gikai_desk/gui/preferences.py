"""Reviewer preferences kept in QSettings (name, language, last workspace) and their dialog."""

from __future__ import annotations

import getpass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from gikai_desk.gui.i18n import LANGUAGES


def default_reviewer() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name available on this system
        return "reviewer"


def default_workspace_path() -> Path:
    """The default workspace in the platform's per-user application data folder."""
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
    return folder / "default.gikai"


class Preferences:
    """Typed access to the settings the window keeps between runs."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings if settings is not None else QSettings("gikai-desk", "gikai-desk")

    def _text(self, key: str, default: str) -> str:
        value = self._settings.value(key, default)
        return str(value) if value is not None else default

    @property
    def reviewer(self) -> str:
        return self._text("reviewer", "") or default_reviewer()

    @reviewer.setter
    def reviewer(self, name: str) -> None:
        self._settings.setValue("reviewer", name.strip())

    @property
    def language(self) -> str:
        language = self._text("language", "zh")
        return language if language in LANGUAGES else "zh"

    @language.setter
    def language(self, language: str) -> None:
        self._settings.setValue("language", language)

    @property
    def workspace(self) -> Path | str | None:
        """The last workspace: a file path, or a shared workspace's postgresql:// address (a str)."""
        path = self._text("workspace", "")
        if path.startswith(("postgresql://", "postgres://")):
            return path
        return Path(path) if path else None

    @workspace.setter
    def workspace(self, path: Path | str) -> None:
        from gikai_desk.workspace.db import is_url, url_without_password

        self._settings.setValue("workspace", url_without_password(str(path)) if is_url(path) else str(path))

    def pane_layout(self, name: str) -> QByteArray | None:
        """A saved pane layout (QMainWindow/QSplitter state) or None."""
        value = self._settings.value(f"panes/{name}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_pane_layout(self, name: str, state: QByteArray) -> None:
        self._settings.setValue(f"panes/{name}", state)

    @property
    def page_view(self) -> bool:
        """The original page is shown in place of the text (the reviewer's last choice)."""
        return self._text("source_view", "text") == "page"

    @page_view.setter
    def page_view(self, on: bool) -> None:
        self._settings.setValue("source_view", "page" if on else "text")

    def sync(self) -> None:
        self._settings.sync()


class PreferencesDialog(QDialog):
    """Edits the reviewer's name and the interface language."""

    def __init__(self, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle(self.tr("首选项"))
        self._preferences = preferences
        self.reviewer_edit = QLineEdit(preferences.reviewer)
        self.reviewer_edit.setObjectName("reviewerEdit")
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("languageCombo")
        for code, name in LANGUAGES.items():
            self.language_combo.addItem(name, code)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(preferences.language)))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("审核人"), self.reviewer_edit)
        form.addRow(self.tr("界面语言"), self.language_combo)
        form.addRow(buttons)

    def accept(self) -> None:
        self._preferences.reviewer = self.reviewer_edit.text()
        self._preferences.language = str(self.language_combo.currentData())
        self._preferences.sync()
        super().accept()
