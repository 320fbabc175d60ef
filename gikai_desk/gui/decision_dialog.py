"""The dialog a reviewer records a decision on a finding with: it names the finding and needs a reason."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from gikai_desk.forms import formbook
from gikai_desk.gui.document import describe_location
from gikai_desk.model import Violation


def finding_title(violation: Violation) -> str:
    """'T3_BALANCE 收支平衡 · 表三「自然人」列'."""
    rule = formbook().rules.get(violation.rule)
    name = f"{violation.rule} {rule.title}" if rule else violation.rule
    where = describe_location(violation)
    return f"{name} · {where}" if where else name


class DecisionDialog(QDialog):
    """Title: the decision; text: the finding (rule, place, message); a reason line; OK only with a reason."""

    def __init__(
        self, title: str, violation: Violation, note: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("decisionDialog")
        self.setWindowTitle(title)
        self.resize(620, 0)
        finding = QLabel(f"<b>{finding_title(violation)}</b><br>{violation.message}")
        finding.setObjectName("decisionFinding")
        finding.setWordWrap(True)
        prompt = QLabel(self.tr("理由（必填，将随退回意见发给报送机关）："))
        self.reason = QLineEdit(note)
        self.reason.setObjectName("decisionReason")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._on_reason_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(finding)
        layout.addWidget(prompt)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self._on_reason_changed(note)

    def _on_reason_changed(self, text: str) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(text.strip()))

    def note(self) -> str:
        return self.reason.text().strip()
