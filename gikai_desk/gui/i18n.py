"""Interface language: Chinese source strings, English from resources/i18n/en.json via a QTranslator."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QCoreApplication, QTranslator

from gikai_desk.resources import resource_path

LANGUAGES: dict[str, str] = {"zh": "中文", "en": "English"}
"""Interface languages by code, each named in its own language."""


class DictTranslator(QTranslator):
    """Translates by looking the (Chinese) source text up in a JSON dictionary; context is ignored."""

    def __init__(self, table: dict[str, str], parent: Any = None) -> None:
        super().__init__(parent)
        self._table = table

    def translate(  # type: ignore[override]
        self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        """The translation, or None (a null string: Qt then shows the source text) when there is none.

        An empty string would be taken as the translation and blank the text.
        """
        return self._table.get(source_text)

    def isEmpty(self) -> bool:
        return not self._table


def load_table(language: str) -> dict[str, str]:
    """The translation table of `language` ({} for Chinese, the source language, or a missing file)."""
    if language == "zh":
        return {}
    path = resource_path("i18n", f"{language}.json")
    if not path.is_file():
        return {}
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


_installed: list[DictTranslator] = []


def install_language(language: str) -> None:
    """Switch the running application's interface language (widgets get a LanguageChange event)."""
    app = QCoreApplication.instance()
    if app is None:
        return
    while _installed:
        QCoreApplication.removeTranslator(_installed.pop())
    table = load_table(language)
    if table:
        translator = DictTranslator(table, app)
        QCoreApplication.installTranslator(translator)
        _installed.append(translator)


def tr(text: str) -> str:
    """Translate a visible string outside a QObject (models, tables of actions)."""
    return QCoreApplication.translate("gikai", text)
