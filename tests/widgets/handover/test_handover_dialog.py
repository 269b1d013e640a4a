"""The handover dialog as a shift lead reads it: what it offers follows the handover's state (start only when
none is under way, each side's signature once, finalise after both, the folder once a PDF exists); KPI
lights are a shape and a word, never colour alone; whatever was typed shows as typed, never as markup."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from widgets.handover.handover_dialog import HandoverDialog, HandoverShown, KpiShown, SectionShown

KPI = KpiShown("load", "Alarms per 10 min (average)", "2.5 / 10 min", "<= 1 / 10 min", "bad", "far off")


def _shown(signed: frozenset[str] = frozenset(), locked: bool = False, pdf: str = "") -> HandoverShown:
    note = SectionShown("Shift log", (("08:30:00", "desk-1", "zhao.op", "<b>P-101</b> swapped", ""),))
    return HandoverShown(
        "HO-1", (("Outgoing lead", "王芳 (wang.fang)"),), (KPI,), (note,), signed, locked, pdf
    )


def _enabled(d: HandoverDialog) -> dict[str, bool]:
    names = (
        "start_button",
        "sign_outgoing_button",
        "sign_incoming_button",
        "finalise_button",
        "open_folder_button",
    )
    return {n: getattr(d, n).isEnabled() for n in names}


def test_the_dialog_offers_what_the_handovers_state_allows(qtbot: QtBot) -> None:
    d = HandoverDialog()
    qtbot.addWidget(d)
    d.set_leads([("li.ming", "李明 (li.ming)")])
    d.set_periods([("this shift", "This shift"), ("last shift", "Last shift")])
    assert d.incoming() == "li.ming"
    assert _enabled(d) == {
        "start_button": True,
        "sign_outgoing_button": False,
        "sign_incoming_button": False,
        "finalise_button": False,
        "open_folder_button": False,
    }
    with qtbot.waitSignal(d.start_requested) as started:
        d.start_button.click()
    assert started.args == ["li.ming", "this shift"]
    d.period_combo.setCurrentIndex(1)
    with qtbot.waitSignal(d.start_requested) as started:
        d.start_button.click()
    assert started.args == ["li.ming", "last shift"]

    d.show_handover(_shown(frozenset({"outgoing"})))
    assert not d.start_button.isEnabled() and not d.sign_outgoing_button.isEnabled()
    assert not d.period_combo.isEnabled() and not d.incoming_combo.isEnabled()
    assert d.sign_incoming_button.isEnabled() and not d.finalise_button.isEnabled()
    assert d.status_label.text() == "HO-1 is under way; waiting for the signature of: incoming lead."
    d.show_handover(_shown(frozenset({"outgoing", "incoming"})))
    assert d.finalise_button.isEnabled()
    d.show_handover(_shown(frozenset({"outgoing", "incoming"}), locked=True, pdf="/data/HO-1.pdf"))
    assert _enabled(d) == {
        "start_button": True,  # a correction is a new handover
        "sign_outgoing_button": False,
        "sign_incoming_button": False,
        "finalise_button": False,
        "open_folder_button": True,
    }
    with qtbot.waitSignal(d.open_folder_requested) as opened:
        d.open_folder_button.click()
    assert opened.args == ["/data/HO-1.pdf"] and d.pdf_label.text() == "PDF: /data/HO-1.pdf"


def test_lights_read_without_colour_and_typed_text_is_never_markup(qtbot: QtBot) -> None:
    d = HandoverDialog()
    qtbot.addWidget(d)
    d.show_handover(_shown())
    page = d.browser.toPlainText()
    assert "▼ far off" in page and "<= 1 / 10 min" in page  # tier 1's shape, as on the KPI page
    assert "<b>P-101</b> swapped" in page  # shown as typed
    d.show_flags([("F-1", "K-301 seal — wang.fang, 08:00")])
    assert not d.clear_button.isEnabled()
    d.flags_list.setCurrentRow(0)
    with qtbot.waitSignal(d.clear_requested) as cleared:
        d.clear_button.click()
    assert cleared.args == ["F-1"]
