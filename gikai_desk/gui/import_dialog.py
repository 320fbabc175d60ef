"""The dialog that shows what a re-imported per-report workbook would change before it is applied."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gikai_desk.forms import formbook
from gikai_desk.gui.numbers import format_number
from gikai_desk.review import WorkbookChange


class ImportChangesDialog(QDialog):
    """Lists cell, current value and workbook value; OK applies them all as corrections."""

    def __init__(
        self, changes: Sequence[WorkbookChange], workbook: str, report: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importChangesDialog")
        self.setWindowTitle(self.tr("导入Excel修改"))
        self.resize(720, 420)
        caption = QLabel(
            self.tr("工作簿 %1 与报告 %2 有 %3 处不同，确定后作为审核修改写入（可撤销）：")
            .replace("%1", workbook)
            .replace("%2", report)
            .replace("%3", str(len(changes)))
        )
        caption.setWordWrap(True)
        self.table = QTableWidget(len(changes), 3)
        self.table.setObjectName("importChangesTable")
        self.table.setHorizontalHeaderLabels([self.tr("单元格"), self.tr("当前值"), self.tr("工作簿中的值")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        blank = self.tr("空白")
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for row, (key, now, new) in enumerate(changes):
            self.table.setItem(row, 0, QTableWidgetItem(formbook().label(key)))
            for column, value in ((1, now), (2, new)):
                item = QTableWidgetItem(format_number(value) or blank)
                item.setTextAlignment(right)
                self.table.setItem(row, column, item)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("应用为修改"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(caption)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
