"""The shift handover in the real window at 1366x768 (issue 16): the outgoing lead (王芳) opens the handover
from the toolbar, flags an item, chooses the incoming lead (李明) and starts it; the snapshot shows its
sections; each lead signs in the signature dialog with their own password (a wrong one refused there);
finalising locks it and writes the PDF, whose path is shown; its pages render (pdftoppm) and its text
(pdftotext) holds the KPIs and both Chinese names."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import ClassVar

import pytest
from PySide6.QtCore import Qt, QUrl
from pytestqt.qtbot import QtBot

from console.server.session import OperatorNote
from console.window import handover_view
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from integrations.users import UserStore
from tests.e2e.conftest import until
from tests.e2e.test_sign_in import dialog_of, sign_in
from tests.test_handover import pdf_pages, pdf_text
from widgets.common.grab import grab_with_dialog
from widgets.sign_in.sign_in_dialogs import SignInDialog

OUT_PW, IN_PW = "outgoing pen 1", "incoming pen 2"
SCREEN = (1366, 768)
LEFT = Qt.MouseButton.LeftButton


class FileManager:
    """Stands for the desktop, whose file manager would open the folder (offscreen has none): notes the URL
    (PySide6 6.11's `QDesktopServices.setUrlHandler` refuses every receiver, so it stands in by name)."""

    urls: ClassVar[list[QUrl]] = []

    @classmethod
    def openUrl(cls, url: QUrl) -> bool:
        cls.urls.append(url)
        return True


@pytest.fixture()
def leads(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two shift leads with Chinese names; the console's data folder (where PDFs go) of the test's own; the
    desktop's file manager noted."""
    FileManager.urls = []
    monkeypatch.setattr(handover_view, "QDesktopServices", FileManager)
    store = Store(database_url)
    users = UserStore(store, "setup")
    users.add("wang.fang", "王芳", OUT_PW, ["shift_lead", "operator"], "setup", time.time())
    users.add("li.ming", "李明", IN_PW, ["shift_lead"], "setup", time.time())
    store.close()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path


def test_both_leads_sign_a_handover_in_the_window_and_finalising_writes_its_pdf(
    run_console, simulator: SimulatorThread, leads: Path, qtbot: QtBot
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window = console.window
        window.resize(*SCREEN)
        await sign_in(qtbot, await dialog_of(console, SignInDialog), "wang.fang", OUT_PW)
        await until(lambda: console.user.name == "wang.fang", 10, "王芳 signed in")
        assert (await console.app.core.command(OperatorNote("wang.fang", "泵 P-101 已切换到备用"))).ok
        await until(window.handover_action.isEnabled, 5, "the handover offered to a shift lead")
        window.handover_action.trigger()
        dialog = await until(lambda: console.handover.dialog, 5, "the handover dialog")
        assert dialog.width() <= SCREEN[0] and dialog.height() <= SCREEN[1]
        hint = dialog.minimumSizeHint()
        assert hint.width() <= SCREEN[0] and hint.height() <= SCREEN[1], hint

        qtbot.mouseClick(dialog.flag_button, LEFT)
        flag = await until(lambda: dialog.flag_dialog, 5, "the flag dialog")
        qtbot.keyClicks(flag.edit, "K-301 seal weeps: check it every round")
        qtbot.mouseClick(flag.ok_button, LEFT)
        await until(lambda: dialog.flags_list.count() == 1, 10, "the flag listed")

        await until(lambda: dialog.incoming_combo.findData("li.ming") >= 0, 10, "the shift leads offered")
        dialog.incoming_combo.setCurrentIndex(dialog.incoming_combo.findData("li.ming"))
        assert dialog.incoming() == "li.ming"
        qtbot.mouseClick(dialog.start_button, LEFT)
        await until(lambda: dialog.shown is not None, 20, "the snapshot shown")
        snapshot = console.app.core.handovers.open().snapshot  # type: ignore[union-attr]
        assert snapshot.since == console.app.config.shifts.shift_start(
            snapshot.until
        )  # this shift by default
        page = dialog.browser.toPlainText()
        for words in ("王芳 (wang.fang)", "李明 (li.ming)", "Alarms per 10 min (average)", "Shift log"):
            assert words in page, words
        assert "泵 P-101 已切换到备用" in page and "K-301 seal weeps" in page
        assert not dialog.finalise_button.isEnabled()
        grab_with_dialog(window, dialog).save(str(leads / "handover-1366x768.png"))

        qtbot.mouseClick(dialog.sign_outgoing_button, LEFT)
        signing = await until(lambda: console.handover.signature, 5, "the outgoing lead's signature dialog")
        assert "Signed by 王芳 (wang.fang), now, meaning: handed over the shift." in signing.intro.text()
        qtbot.keyClicks(signing.password_edit, OUT_PW)
        qtbot.mouseClick(signing.ok_button, LEFT)
        await until(lambda: "outgoing" in dialog.shown.signed, 10, "signed as outgoing lead")

        qtbot.mouseClick(dialog.sign_incoming_button, LEFT)
        signing = await until(lambda: console.handover.signature, 5, "the incoming lead's signature dialog")
        assert "Signed by 李明 (li.ming), now, meaning: took over the shift." in signing.intro.text()
        qtbot.keyClicks(signing.password_edit, OUT_PW)  # not the incoming lead's
        qtbot.mouseClick(signing.ok_button, LEFT)
        await until(lambda: signing.message.text().startswith("signature refused"), 10, "refused")
        qtbot.keyClicks(signing.password_edit, IN_PW)
        qtbot.mouseClick(signing.ok_button, LEFT)
        await until(lambda: "incoming" in dialog.shown.signed, 10, "signed as incoming lead")

        await until(dialog.finalise_button.isEnabled, 5, "finalising offered")
        qtbot.mouseClick(dialog.finalise_button, LEFT)
        await until(lambda: dialog.shown.locked, 20, "finalised")
        pdf = Path(dialog.shown.pdf)
        assert dialog.pdf_label.text() == f"PDF: {pdf}" and dialog.open_folder_button.isEnabled()
        assert pdf.parent == leads / "data" / "controlroom" / "handovers" and pdf.is_file()
        qtbot.mouseClick(dialog.open_folder_button, LEFT)
        assert FileManager.urls == [QUrl.fromLocalFile(str(pdf.parent))]
        assert not dialog.sign_outgoing_button.isEnabled() and dialog.start_button.isEnabled() is not False
        window.resize(1920, 1080)
        dialog.resize(1180, 720)
        grab_with_dialog(window, dialog).save(str(leads / "handover-1920x1080.png"))

        text = pdf_text(pdf)
        for words in (
            "王芳",
            "李明",
            "Alarms per 10 min (average)",
            "handed over the shift",
            "took over the shift",
        ):
            assert words in text, words
        assert pdf_pages(pdf, leads) >= 1
        if os.environ.get("HANDOVER_SHOTS"):  # a developer's look at the window and the PDF
            shots = Path(os.environ["HANDOVER_SHOTS"])
            for png in (*leads.glob("handover-*.png"), *leads.glob("page*.png")):
                png.replace(shots / png.name)
            subprocess.run(
                ["pdftoppm", "-r", "90", "-png", "-f", "1", "-l", "1", str(pdf), str(shots / "pdf")]
            )

    run_console(scenario, login="required", lock_after_s=0.0)
