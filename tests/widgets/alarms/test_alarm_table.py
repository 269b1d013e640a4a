"""The alarm summary table as the operator uses it: refreshes that keep the selection, sorting, filters,
acknowledgement of the selection and of the page, shelving with a reason, and the look of it."""

from __future__ import annotations

import math
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from alarms.clock import ManualClock
from alarms.definitions import Priority, Tier
from alarms.engine import AlarmEngine
from alarms.noise import FloodState
from alarms.records import AlarmView, Shelve
from alarms.samples import Quality, TagBatch
from alarms.states import UNACKNOWLEDGED, State
from plant_maps.site import Site
from widgets.alarms.alarm_table import (
    AREA,
    FLAGS,
    MAX_NEW_ROWS_PER_CALL,
    MESSAGE,
    PRIORITY,
    SOURCE,
    STATE,
    VALUE,
    AlarmTable,
)
from widgets.common.theme import PALETTE, qt_palette, style_sheet

T0 = 1_700_000_000.0
TOOLTIP = Qt.ItemDataRole.ToolTipRole
MAX_SHELVE_S = 4 * 3600.0
AREAS = [
    ("tank_farm", "Tank farm"),
    ("reactor_unit", "Reactor unit"),
    ("compressor_house", "Compressor house"),
]


def alarm(
    alarm_id: str,
    tier: Tier = Tier.HIGH,
    priority: Priority = Priority.MEDIUM,
    state: State = State.UNACK,
    ts: float = T0,
    area: str = "tank_farm",
    seq: int = 1,
    message: str = "",
    **fields: object,
) -> AlarmView:
    """An alarm as the engine would list it; `fields` overrides any other AlarmView field."""
    view = AlarmView(
        id=alarm_id,
        source=alarm_id.partition(".")[0],
        tier=tier,
        priority=priority,
        area=area,
        message=message or f"{alarm_id} gas high",
        state=state,
        active=state in (State.UNACK, State.ACKED),
        acked=state not in UNACKNOWLEDGED,
        latched=False,
        value=12.5,
        seq=seq,
        ts=ts,
        shelve=None,
        chattering=False,
        suggest_shelve=False,
        group=None,
        response_s=None,
    )
    return replace(view, **fields)


def pixels(widget: QWidget, save_as: Path) -> np.ndarray:
    """What the widget shows, as an (height, width, 3) RGB array; also saved as a PNG for a human eye."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    assert image.save(str(save_as))
    raw = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(
        image.height(), image.bytesPerLine() // 4, 4
    )
    return raw[:, : image.width(), 2::-1].copy()  # BGRA in memory on little-endian machines


def near(pixel: np.ndarray, colour: str, tolerance: int = 40) -> bool:
    c = QColor(colour)
    return bool(np.abs(pixel.astype(int) - [c.red(), c.green(), c.blue()]).max() <= tolerance)


def is_grey(pixel: np.ndarray) -> bool:
    return int(pixel.max()) - int(pixel.min()) <= 10


def themed(widget: QWidget) -> None:
    """The console's palette and style sheet on this widget only, as the running console shows it."""
    widget.setPalette(qt_palette())
    widget.setStyleSheet(style_sheet())


def ids(views: list[AlarmView]) -> list[str]:
    return [v.id for v in views]


def click_row(
    qtbot: QtBot, table: AlarmTable, alarm_id: str, ctrl: bool = False, double: bool = False
) -> None:
    row = ids(table.visible_alarms()).index(alarm_id)
    view = table.table
    centre = view.visualRect(table.proxy.index(row, 0)).center()
    modifier = Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, centre)
    if double:  # QTest's double click alone lacks the press that the item view pairs it with
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, centre)


def test_an_update_changes_rows_in_place_and_keeps_the_selection(qtbot: QtBot, table: AlarmTable) -> None:
    table.set_alarms([alarm("A", ts=T0 + 3), alarm("B", ts=T0 + 2), alarm("C", ts=T0 + 1)])
    click_row(qtbot, table, "B")
    resets, inserted, removed = [], [], []
    model = table.model
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    model.rowsRemoved.connect(lambda _p, first, last: removed.append((first, last)))
    for _ in range(3):  # 10 Hz refreshes: B gets newer and moves to the top, A leaves, D arrives
        table.set_alarms([alarm("B", ts=T0 + 9, seq=7), alarm("C", ts=T0 + 1), alarm("D", ts=T0 + 4)])
    assert resets == [] and removed == [(0, 0)] and inserted == [(2, 2)]
    assert ids(table.visible_alarms()) == ["B", "D", "C"]
    assert [(v.id, v.seq) for v in table.selected_alarms()] == [("B", 7)]
    assert model.row_of("B") == 0 and model.row_of("A") is None and model.view_at(2).id == "D"


def test_the_default_order_is_unacknowledged_first_then_tier_then_newest(table: AlarmTable) -> None:
    table.set_alarms(
        [
            alarm("acked-t1", Tier.LIFE, state=State.ACKED, ts=T0 + 50),
            alarm("old-t2", Tier.HIGH, ts=T0),
            alarm("new-t2", Tier.HIGH, ts=T0 + 10),
            alarm("returned-t1", Tier.LIFE, state=State.RTN_UNACK, ts=T0 - 100),
            alarm("t3", Tier.LOW, ts=T0 + 99),
        ]
    )
    assert ids(table.visible_alarms()) == ["returned-t1", "new-t2", "old-t2", "t3", "acked-t1"]


def test_sorting_by_priority_puts_tier_1_first_then_the_higher_priority(table: AlarmTable) -> None:
    table.set_alarms(
        [
            alarm("t3", Tier.LOW, Priority.URGENT),
            alarm("t2-high", Tier.HIGH, Priority.HIGH, state=State.ACKED),
            alarm("t1-low", Tier.LIFE, Priority.LOW, state=State.ACKED),
            alarm("t1-urgent", Tier.LIFE, Priority.URGENT),
            alarm("t2-low", Tier.HIGH, Priority.LOW),
        ]
    )
    table.table.horizontalHeader().sectionClicked.emit(PRIORITY)  # as a click on the header does
    table.table.sortByColumn(PRIORITY, Qt.SortOrder.AscendingOrder)
    assert ids(table.visible_alarms()) == ["t1-urgent", "t1-low", "t2-high", "t2-low", "t3"]
    assert table.model.index(table.model.row_of("t1-low"), PRIORITY).data() == "T1 Low"
    table.table.sortByColumn(PRIORITY, Qt.SortOrder.DescendingOrder)
    assert ids(table.visible_alarms())[0] == "t3"


def _mixed() -> list[AlarmView]:
    return [
        alarm("GD-TF-01.HH", Tier.LIFE, area="tank_farm", message="Combustible gas high-high"),
        alarm(
            "GD-RU-02.H", Tier.HIGH, area="reactor_unit", state=State.ACKED, message="Combustible gas high"
        ),
        alarm("TT-RU-03.H", Tier.LOW, area="reactor_unit", state=State.RTN_UNACK, message="Temperature high"),
        alarm(
            "GD-CH-01.H",
            area="compressor_house",
            state=State.SHELVED,
            shelve=Shelve(T0 + 900),
            message="H2S high",
        ),
        alarm(
            "SOS-1", Tier.LIFE, area="compressor_house", state=State.SUPPRESSED, source="W07", message="SOS"
        ),
        alarm("PT-TF-05.L", Tier.LOW, area="tank_farm", state=State.OUT_OF_SERVICE, message="Pressure low"),
        alarm("FT-TF-06.L", Tier.LOW, area="tank_farm", state=State.LATCHED, message="Flow low"),
    ]


@pytest.mark.parametrize(
    ("combo", "choice", "expected"),
    [
        ("area_filter", "Reactor unit", {"GD-RU-02.H", "TT-RU-03.H"}),
        ("tier_filter", "Tier 1 (life-threatening)", {"GD-TF-01.HH", "SOS-1"}),
        ("state_filter", "Unacknowledged", {"GD-TF-01.HH", "TT-RU-03.H"}),
        ("state_filter", "Active", {"GD-TF-01.HH", "GD-RU-02.H"}),
        ("state_filter", "Shelved", {"GD-CH-01.H"}),
        ("state_filter", "Suppressed", {"SOS-1"}),
        ("state_filter", "Out of service", {"PT-TF-05.L"}),
    ],
)
def test_each_filter_narrows_the_rows(table: AlarmTable, combo: str, choice: str, expected: set[str]) -> None:
    table.set_alarms(_mixed())
    assert len(table.visible_alarms()) == 7 and table.count_label.text() == "7 alarms"
    box = getattr(table, combo)
    box.setCurrentIndex(box.findText(choice))
    assert set(ids(table.visible_alarms())) == expected
    assert table.count_label.text() == f"{len(expected)} of 7 alarms"
    box.setCurrentIndex(0)
    assert len(table.visible_alarms()) == 7


def test_the_text_filter_matches_id_source_or_message_and_combines_with_the_others(
    qtbot: QtBot, table: AlarmTable
) -> None:
    table.set_alarms(_mixed())
    qtbot.keyClicks(table.text_filter, "gas")  # in two messages
    assert set(ids(table.visible_alarms())) == {"GD-TF-01.HH", "GD-RU-02.H"}
    table.text_filter.clear()
    qtbot.keyClicks(table.text_filter, "w07")  # the source, any case
    assert ids(table.visible_alarms()) == ["SOS-1"]
    table.text_filter.setText("tt-ru")  # the id
    assert ids(table.visible_alarms()) == ["TT-RU-03.H"]
    table.text_filter.setText("GD")
    table.area_filter.setCurrentIndex(table.area_filter.findData("tank_farm"))
    assert ids(table.visible_alarms()) == ["GD-TF-01.HH"]
    table.set_alarms([*_mixed(), alarm("GD-TF-09.H", area="tank_farm", ts=T0 + 5)])  # a new one obeys too
    assert ids(table.visible_alarms()) == ["GD-TF-01.HH", "GD-TF-09.H"]


def test_acknowledge_names_the_seq_of_each_selected_unacknowledged_alarm(
    qtbot: QtBot, table: AlarmTable
) -> None:
    table.set_alarms(
        [
            alarm("A", seq=11, ts=T0 + 3),
            alarm("B", seq=12, ts=T0 + 2, state=State.ACKED),
            alarm("C", seq=13, ts=T0 + 1, state=State.RTN_UNACK),
            alarm("D", seq=14, ts=T0),
        ]
    )
    assert not table.acknowledge_button.isEnabled()
    click_row(qtbot, table, "A")
    click_row(qtbot, table, "B", ctrl=True)  # acknowledged already: not sent again
    click_row(qtbot, table, "C", ctrl=True)
    assert table.acknowledge_button.isEnabled()
    with qtbot.waitSignal(table.acknowledge_requested) as sent:
        qtbot.mouseClick(table.acknowledge_button, Qt.MouseButton.LeftButton)
    assert sent.args == [[("A", 11), ("C", 13)], ""]


def test_acknowledge_page_sends_only_the_rows_on_screen(qtbot: QtBot, table: AlarmTable) -> None:
    table.resize(1000, 260)
    table.set_alarms([alarm(f"GD-{i:02}.H", seq=100 + i, ts=T0 + i) for i in range(30)])
    newest_first = [f"GD-{i:02}.H" for i in reversed(range(30))]
    with qtbot.waitSignal(table.acknowledge_requested) as sent:
        qtbot.mouseClick(table.acknowledge_page_button, Qt.MouseButton.LeftButton)
    pairs, comment = sent.args
    assert comment == ""
    assert 3 <= len(pairs) < 30
    assert pairs == [(alarm_id, 100 + int(alarm_id[3:5])) for alarm_id in newest_first[: len(pairs)]]
    viewport = table.table.viewport()
    last = table.table.visualRect(table.proxy.index(len(pairs) - 1, 0))
    assert viewport.rect().contains(last)  # the last one sent is whole on screen, the next one is not
    assert not viewport.rect().contains(table.table.visualRect(table.proxy.index(len(pairs), 0)))
    table.table.verticalScrollBar().setValue(table.table.verticalScrollBar().maximum())
    with qtbot.waitSignal(table.acknowledge_requested) as sent:
        qtbot.mouseClick(table.acknowledge_page_button, Qt.MouseButton.LeftButton)
    bottom, _ = sent.args
    assert [p[0] for p in bottom] == newest_first[-len(bottom) :]


def test_acknowledge_page_is_greyed_saying_why_while_the_page_has_nothing_to_acknowledge(
    qtbot: QtBot, table: AlarmTable
) -> None:
    """Never enabled-then-refused: with only acknowledged alarms on screen the button and Shift+F8 are greyed,
    the tooltip says why; a new unacknowledged alarm enables them."""
    table.set_alarms([alarm("A", state=State.ACKED)])
    assert not table.acknowledge_page_button.isEnabled()
    assert table.acknowledge_page_button.toolTip() == "Not possible: no unacknowledged alarm on this page"
    assert not table.acknowledge_page_action.isEnabled()
    table.set_alarms([alarm("A", state=State.ACKED), alarm("B", ts=T0 + 1)])
    assert table.acknowledge_page_button.isEnabled() and table.acknowledge_page_action.isEnabled()
    with qtbot.waitSignal(table.acknowledge_requested) as sent:
        qtbot.mouseClick(table.acknowledge_page_button, Qt.MouseButton.LeftButton)
    assert [alarm_id for alarm_id, _ in sent.args[0]] == ["B"]


def test_shelving_needs_a_reason_and_offers_no_duration_above_the_maximum(
    qtbot: QtBot, table: AlarmTable
) -> None:
    table.set_alarms([alarm("GD-CH-01.H", chattering=True, suggest_shelve=True), alarm("X", ts=T0 - 5)])
    assert not table.shelve_button.isEnabled()
    click_row(qtbot, table, "GD-CH-01.H")
    qtbot.mouseClick(table.shelve_button, Qt.MouseButton.LeftButton)
    dialog = table.shelve_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.durations() == [900.0, 3600.0, 4 * 3600.0, None]  # no 8 h: above the maximum of 4 h
    assert not dialog.ok_button.isEnabled()
    with qtbot.assertNotEmitted(table.shelve_requested):
        qtbot.keyClicks(dialog.reason_edit, "   ")
        assert not dialog.ok_button.isEnabled()
        dialog.accept()  # refused without a reason, even programmatically
        assert dialog.isVisible() and dialog.choice() is None
    qtbot.keyClicks(dialog.reason_edit, "chattering while P-101 starts")
    dialog.duration_combo.setCurrentIndex(dialog.duration_combo.findData(3600.0))
    with qtbot.waitSignal(table.shelve_requested) as sent:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert sent.args == ["GD-CH-01.H", "chattering while P-101 starts", 3600.0]
    assert table.shelve_dialog is None


def test_a_one_shot_shelve_sends_no_duration_and_cancel_sends_nothing(
    qtbot: QtBot, table: AlarmTable
) -> None:
    table.set_alarms([alarm("A")])
    click_row(qtbot, table, "A")
    table.shelve_button.click()
    dialog = table.shelve_dialog
    assert dialog is not None
    dialog.reason_edit.setText("sensor being replaced")
    dialog.duration_combo.setCurrentIndex(dialog.duration_combo.findText("Until it clears"))
    with qtbot.waitSignal(table.shelve_requested) as sent:
        dialog.ok_button.click()
    assert sent.args == ["A", "sensor being replaced", None]
    table.shelve_button.click()
    dialog = table.shelve_dialog
    assert dialog is not None
    dialog.reason_edit.setText("changed my mind")
    with qtbot.assertNotEmitted(table.shelve_requested):
        dialog.reject()
    assert dialog.choice() is None


def test_a_short_maximum_leaves_only_the_shorter_durations(qtbot: QtBot) -> None:
    table = AlarmTable(max_shelve_s=3600.0)
    qtbot.addWidget(table)
    table.set_alarms([alarm("A")])
    table.table.selectRow(0)
    table.shelve_button.click()
    assert table.shelve_dialog is not None and table.shelve_dialog.durations() == [900.0, 3600.0, None]


def test_latched_alarms_cannot_be_shelved(qtbot: QtBot, table: AlarmTable) -> None:
    table.set_alarms([alarm("A", state=State.LATCHED)])
    click_row(qtbot, table, "A")
    assert not table.shelve_button.isEnabled() and table.map_button.isEnabled()


def test_double_click_and_the_map_button_show_the_source_on_the_map(qtbot: QtBot, table: AlarmTable) -> None:
    table.set_alarms([alarm("GD-TF-01.HH"), alarm("SOS-W07", ts=T0 - 1)])
    with qtbot.waitSignal(table.show_on_map) as sent:
        click_row(qtbot, table, "SOS-W07", double=True)
    assert sent.args == ["SOS-W07"]
    click_row(qtbot, table, "GD-TF-01.HH")
    with qtbot.waitSignal(table.show_on_map) as sent:
        table.map_button.click()
    assert sent.args == ["GD-TF-01"]


def test_cells_say_time_priority_area_state_and_flags_in_words(table: AlarmTable) -> None:
    table.set_alarms(
        [
            alarm(
                "A",
                Tier.LIFE,
                Priority.URGENT,
                ts=T0 + 90,
                chattering=True,
                suggest_shelve=True,
                active_ts=T0 + 61,
                ack_ts=None,
                clear_ts=T0 + 90,
            ),
            alarm("B", state=State.SHELVED, shelve=Shelve(T0 + 3600), area="reactor_unit"),
            alarm(
                "C", state=State.SUPPRESSED, shelve=Shelve(T0 + 60, one_shot=True), group="A", value=math.nan
            ),
        ],
        [FloodState("tank_farm", True, 14, T0, "A")],
    )
    model = table.model

    def row(alarm_id: str) -> list[str]:
        r = model.row_of(alarm_id)
        assert r is not None
        return [model.index(r, c).data() for c in range(model.columnCount())]

    hhmm = time.strftime("%H:%M", time.localtime(T0 + 3600))
    assert row("A") == [
        time.strftime("%H:%M:%S", time.localtime(T0 + 61)),  # active since
        "",  # not acknowledged
        time.strftime("%H:%M:%S", time.localtime(T0 + 90)),  # cleared
        "T1 Urgent",
        "Tank farm",
        "A",
        "A gas high",
        "12.5",
        "Active, unacknowledged",
        "chattering — shelve? · first out",
    ]
    assert row("B")[AREA] == "Reactor unit" and row("B")[STATE] == f"Shelved until {hhmm}"
    assert row("C")[VALUE:] == ["—", "Suppressed by design", "grouped under A · shelved until it clears"]
    bold = [model.index(model.row_of(i) or 0, FLAGS).data(Qt.ItemDataRole.FontRole) for i in "AB"]
    assert bold[0].bold() and bold[1] is None  # unacknowledged rows are bold
    a = model.index(model.row_of("A") or 0, PRIORITY)
    assert a.data(Qt.ItemDataRole.UserRole) == 6 and "red inverted triangle" in a.data(
        Qt.ItemDataRole.ToolTipRole
    )


def test_the_status_line_shows_the_last_command_result(table: AlarmTable) -> None:
    table.set_status("Acknowledged 3 alarms")
    assert table.status_label.text() == "Acknowledged 3 alarms" and not table.status_label.font().bold()
    table.set_status("Refused: GD-TF-01.HH changed since you saw it", refused=True)
    assert table.status_label.font().bold()


def test_tier_1_is_a_red_shape_in_a_grey_table(qtbot: QtBot, table: AlarmTable, tmp_path: Path) -> None:
    themed(table)
    table.set_alarms([alarm("GD-TF-01.HH", Tier.LIFE), *_mixed()[1:]])
    table.set_status("Acknowledged 3 alarms")
    image = pixels(table, tmp_path / "alarm_table.png")
    cell = table.table.visualRect(table.proxy.index(0, PRIORITY))
    origin = table.table.viewport().mapTo(table, QPoint(0, 0))
    top, left = origin.y() + cell.top(), origin.x() + cell.left()
    patch = image[top : top + cell.height(), left : left + 30]  # the icon at the left of the cell
    assert any(near(p, PALETTE.alarm_1) for p in patch.reshape(-1, 3))
    red = np.array([near(p, PALETTE.alarm_1, 30) for p in image.reshape(-1, 3)]).reshape(image.shape[:2])
    rows, columns = np.nonzero(red)
    assert rows.min() >= top and columns.min() >= left and columns.max() < left + 30  # only on the shapes
    assert is_grey(image[-40, table.width() // 2]) and is_grey(image[top + 40, table.width() // 2])


def test_a_flood_is_listed_in_slices_until_every_alarm_is_there(table: AlarmTable) -> None:
    flood = [alarm(f"TT-{i:04d}.H", seq=i + 1, ts=T0 + i) for i in range(1200)]
    waiting = [table.set_alarms(flood)]
    while waiting[-1]:
        waiting.append(table.set_alarms(flood))
    assert waiting == [1200 - MAX_NEW_ROWS_PER_CALL, 1200 - 2 * MAX_NEW_ROWS_PER_CALL, 0]
    assert {v.id for v in table.visible_alarms()} == {v.id for v in flood}
    assert table.count_label.text() == "1200 alarms"


def test_out_of_service_is_offered_only_on_a_privileged_console_and_asks_why(
    qtbot: QtBot, table: AlarmTable
) -> None:
    table.set_alarms([alarm("GD-TF-02.HH", state=State.ACKED)])
    assert not table.remove_button.isVisible()
    table.set_privileged(True)
    click_row(qtbot, table, "GD-TF-02.HH")
    assert table.remove_button.isEnabled() and not table.return_button.isEnabled()
    table.remove_button.click()
    dialog = table.text_dialog
    assert dialog is not None and not dialog.ok_button.isEnabled()  # a reason is required
    with qtbot.waitSignal(table.remove_requested) as sent:
        qtbot.keyClicks(dialog.edit, "detector replaced, WO 4711")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert sent.args == ["GD-TF-02.HH", "detector replaced, WO 4711"]
    table.set_alarms([alarm("GD-TF-02.HH", state=State.OUT_OF_SERVICE, seq=2)])
    assert table.return_button.isEnabled()


def test_a_time_to_threshold_is_listed_ahead_then_now_never_as_a_negative_time(
    table: AlarmTable, site: Site
) -> None:
    """The demo's compressor-house warning (25 %LEL within 10 min at the slope of the last minute), through
    the engine, as the list shows it while the gas rises past 25 %LEL."""
    engine = AlarmEngine(site.alarms.definitions, clock := ManualClock(T0))
    row, eta = site.tag_index["GD-CH-01"], "GD-CH-01.ETA"
    shown: list[tuple[str, str]] = []
    for second in range(160):
        clock.advance(1.0)
        value = max(0.0, (second - 70) * 0.7)  # flat for a minute, then rising 0.7 %LEL a second
        engine.process(TagBatch.from_lists([row], [value], [Quality.GOOD], [clock.now()], clock.now()))
        table.set_alarms(engine.active())
        listed = table.model.row_of(eta)
        if listed is not None:
            shown.append(tuple(table.model.index(listed, c).data() for c in (MESSAGE, VALUE)))
    assert not any(value.startswith("-") or " -" in message for message, value in shown)
    assert shown[0][0].startswith("Compressor house LEL: 25 %LEL reached in ")
    assert shown[-1] == ("Compressor house LEL: 25 %LEL reached now", "0 s")


def test_each_value_reads_with_its_unit_a_time_in_seconds_and_sorts_by_the_number(
    qtbot: QtBot, table: AlarmTable, site: Site
) -> None:
    """The demo plant through its engine: the compressor-house warning's value is the time left, not %LEL
    (it read "2.237" beside the gas alarms' "25.06"); a rate is per minute; an SOS has no value."""
    engine = AlarmEngine(site.alarms.definitions, clock := ManualClock(T0))
    rows = [site.tag_index["GD-CH-01"], site.tag_index["GD-RX-05"]]
    for second in range(130):
        clock.advance(1.0)
        lel, co = max(0.0, (second - 40) * 0.15), max(0.0, (second - 40) * 0.2)  # %LEL and ppm a second
        engine.process(
            TagBatch.from_lists(rows, [lel, co], [Quality.GOOD] * 2, [clock.now()] * 2, clock.now())
        )
    engine.raise_event("W01.SOS")
    table.set_alarms(engine.active())
    view, model = table.table, table.proxy
    header = view.horizontalHeader()
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(
            header.sectionViewportPosition(VALUE) + header.sectionSize(VALUE) // 2, header.height() // 2
        ),
    )
    listed = [
        (model.index(r, SOURCE).data(), model.index(r, VALUE).data(), model.index(r, VALUE).data(TOOLTIP))
        for r in range(model.rowCount())
    ]
    assert [v.id for v in table.visible_alarms()] == ["GD-RX-05.ROC", "GD-CH-01.H", "GD-CH-01.ETA", "W01.SOS"]
    assert listed[:3] == [
        ("GD-RX-05", "5.38 ppm/min", "5.379 ppm/min"),  # a slope to three digits
        ("GD-CH-01", "10.05 %LEL", "10.05 %LEL"),
        ("GD-CH-01", "9 min 48 s", "587.9 s"),  # whole seconds; the exact time in the tooltip
    ]
    assert listed[3][1] == "—"
    bold = QFont(view.font())
    bold.setBold(True)
    widest = max(QFontMetrics(bold).horizontalAdvance(text) for _, text, _ in listed)
    assert widest + 8 <= view.columnWidth(VALUE)  # whole, not "9 min 4…"
