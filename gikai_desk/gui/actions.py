"""Every menu item and shortcut of the window, declared in one table (name, text, keys, slot, menu)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QKeySequence

Key = QKeySequence.StandardKey | str


@dataclass(frozen=True)
class ActionSpec:
    name: str
    """objectName of the QAction is 'action_' + name."""
    text: str
    """Chinese source text, translated through tr()."""
    keys: tuple[Key, ...]
    """Standard keys where Qt has one, else portable strings; the first is shown in menus."""
    slot: str
    """MainWindow method called on triggered/toggled."""
    menu: str
    checkable: bool = False
    scope: str = "window"
    """'window': anywhere in the window; 'grid' / 'source': only while that pane has focus (so the grid's
    Ctrl+- removes a cell while the source's Ctrl+- zooms out, and the source keeps its own Ctrl+C)."""


def _t(text: str) -> str:
    return str(QT_TRANSLATE_NOOP("gikai", text))


SK = QKeySequence.StandardKey

MENUS: tuple[tuple[str, str], ...] = (
    ("file", _t("文件(&F)")),
    ("edit", _t("编辑(&E)")),
    ("review", _t("审核(&R)")),
    ("view", _t("视图(&V)")),
)

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("open_files", _t("打开报告文件…"), (SK.Open,), "_on_open_files_triggered", "file"),
    ActionSpec("open_folder", _t("打开文件夹…"), ("Ctrl+Shift+O",), "_on_open_folder_triggered", "file"),
    ActionSpec("open_demo", _t("打开示例报告"), (), "_on_open_demo_triggered", "file"),
    ActionSpec("new_workspace", _t("新建工作区…"), (SK.New,), "_on_new_workspace_triggered", "file"),
    ActionSpec("open_workspace", _t("打开工作区…"), ("Ctrl+Alt+O",), "_on_open_workspace_triggered", "file"),
    ActionSpec("export_excel", _t("导出 Excel…"), ("Ctrl+E",), "_on_export_excel_triggered", "file"),
    ActionSpec(
        "export_per_report",
        _t("导出单份报告 Excel…"),
        ("Ctrl+Shift+E",),
        "_on_export_per_report_triggered",
        "file",
    ),
    ActionSpec("import_excel", _t("导入Excel修改…"), ("Ctrl+I",), "_on_import_excel_triggered", "file"),
    ActionSpec(
        "restore_report", _t("恢复移出的报告…"), (), "_on_restore_report_triggered", "file"
    ),
    ActionSpec("preferences", _t("首选项…"), (SK.Preferences, "Ctrl+,"), "_on_preferences_triggered", "file"),
    ActionSpec("quit", _t("退出"), (SK.Quit, "Ctrl+Q"), "_on_quit_triggered", "file"),
    ActionSpec("undo", _t("撤销"), (SK.Undo,), "_on_undo_triggered", "edit"),
    ActionSpec("redo", _t("重做"), (SK.Redo, "Ctrl+Shift+Z", "Ctrl+Y"), "_on_redo_triggered", "edit"),
    ActionSpec("copy_cells", _t("复制单元格"), (SK.Copy,), "_on_copy_cells_triggered", "edit", scope="grid"),
    ActionSpec(
        "paste_cells", _t("粘贴到单元格"), (SK.Paste,), "_on_paste_cells_triggered", "edit", scope="grid"
    ),
    ActionSpec("edit_cell", _t("编辑单元格"), ("F2",), "_on_edit_cell_triggered", "edit", scope="grid"),
    ActionSpec("blank_cells", _t("清空单元格"), (), "_on_blank_cells_triggered", "edit"),
    ActionSpec(
        "confirm_cells",
        _t("确认存疑单元格的读数"),
        ("Ctrl+Shift+Return", "Ctrl+Shift+Enter"),  # Enter: the keypad's
        "_on_confirm_cells_triggered",
        "edit",
    ),
    ActionSpec(
        "take_number",
        _t("取原文数字填入所选单元格（鼠标或光标处；也可 Ctrl+单击原文）"),
        ("Ctrl+T",),
        "_on_take_number_triggered",
        "edit",
    ),
    # Alt+Shift, not Ctrl+Alt: GNOME, UKUI (Kylin) and DDE (UOS) switch workspaces on Ctrl+Alt+Left/Right
    ActionSpec("shift_left", _t("本行数值左移一格"), ("Alt+Shift+Left",), "_on_shift_left_triggered", "edit"),
    ActionSpec(
        "shift_right", _t("本行数值右移一格"), ("Alt+Shift+Right",), "_on_shift_right_triggered", "edit"
    ),
    ActionSpec(
        "insert_blank",
        _t("插入空白单元格（其后右移）"),
        # Shift+= arrives as Key_Plus on US/Chinese layouts, so "Ctrl+Shift+=" alone never fires there
        ("Ctrl+Shift++", "Ctrl+Shift+="),
        "_on_insert_blank_triggered",
        "edit",
    ),
    ActionSpec(
        "remove_cell",
        _t("删除单元格（其后左移）"),
        ("Ctrl+-",),
        "_on_remove_cell_triggered",
        "edit",
        scope="grid",
    ),
    ActionSpec("next_issue", _t("下一个待处理问题"), ("F8",), "_on_next_issue_triggered", "review"),
    ActionSpec(
        "previous_issue", _t("上一个待处理问题"), ("Shift+F8",), "_on_previous_issue_triggered", "review"
    ),
    ActionSpec("next_report", _t("下一份有问题的报告"), ("Ctrl+F8",), "_on_next_report_triggered", "review"),
    ActionSpec(
        "apply_suggested", _t("采用建议值"), ("Ctrl+Shift+A",), "_on_apply_suggested_triggered", "review"
    ),
    ActionSpec(
        "report_error", _t("报告错误——保留原值…"), ("Ctrl+Shift+K",), "_on_report_error_triggered", "review"
    ),
    ActionSpec(
        "mark_resolved", _t("标记为已解决…"), ("Ctrl+Shift+R",), "_on_mark_resolved_triggered", "review"
    ),
    ActionSpec("clear_decision", _t("撤回决定"), (), "_on_clear_decision_triggered", "review"),
    ActionSpec("reparse_report", _t("重新解析本报告"), ("F5",), "_on_reparse_report_triggered", "review"),
    ActionSpec(
        "remove_report", _t("从队列移出本报告"), ("Ctrl+Shift+Del",), "_on_remove_report_triggered", "review"
    ),
    ActionSpec("find", _t("在原文中查找"), (SK.Find,), "_on_find_triggered", "view"),
    ActionSpec(
        "zoom_in", _t("放大原文"), (SK.ZoomIn, "Ctrl+="), "_on_zoom_in_triggered", "view", scope="source"
    ),
    ActionSpec("zoom_out", _t("缩小原文"), (SK.ZoomOut,), "_on_zoom_out_triggered", "view", scope="source"),
    ActionSpec("wrap_lines", _t("原文自动换行"), (), "_on_wrap_lines_toggled", "view", checkable=True),
    ActionSpec(
        "errors_only", _t("只显示有错误的报告"), (), "_on_errors_only_toggled", "view", checkable=True
    ),
    ActionSpec("batch_overview", _t("批次概览…"), ("Ctrl+Shift+B",), "_on_batch_overview_triggered", "view"),
)


def key_sequences(spec: ActionSpec) -> list[QKeySequence]:
    """Distinct key sequences of an action (standard keys expanded for this platform)."""
    out: list[QKeySequence] = []
    for key in spec.keys:
        sequences = (
            QKeySequence.keyBindings(key)
            if isinstance(key, QKeySequence.StandardKey)
            else [QKeySequence(key)]
        )
        for sequence in sequences:
            if not sequence.isEmpty() and all(sequence != s for s in out):
                out.append(sequence)
    return out
