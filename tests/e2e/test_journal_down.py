"""The journal's database stops answering and comes back, seen from the real window: the status bar's journal
line turns to NOT SAVING and STORE.COMM stands in the alarm list and the banner while nothing commits; both
clear once the backlog is written, and nothing is lost (the alarm's own transitions included). Another client
holds the database for real: SQLite's exclusive lock, or PostgreSQL's table lock (`tests.support`)."""

from __future__ import annotations

import asyncio
import re

import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from alarms.definitions import Tier
from alarms.states import Event, State
from console.window.gui import WindowedConsole
from integrations.simulator import SimulatorThread
from integrations.storage import Store
from plant_maps.alarm_rules import STORE_ALARM
from tests.e2e.conftest import status_text, until
from tests.keyboard import press, type_text
from tests.support import database_held
from widgets.common.shapes import Shape
from widgets.shell.status_bar import JOURNAL

NOTE = "pump P-101 swapped while the journal was down"


def _place(database_url: str) -> str:
    """The journal line's place: the SQLite file's name, or PostgreSQL's host, port and database."""
    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return "SQLite file …/controlroom.db"
    return f"PostgreSQL {url.host}:{url.port}/{url.database}"


def test_a_database_that_stops_saving_shows_in_the_status_bar_and_its_alarm_until_the_backlog_is_written(
    run_console, simulator: SimulatorThread, database_url: str
) -> None:
    async def scenario(console: WindowedConsole) -> None:
        window, core = console.window, console.app.core
        bar, table, banner = window.status_bar, window.alarm_table, window.alarm_banner
        saving = f"Journal: saving · {_place(database_url)}"
        await until(lambda: status_text(console, JOURNAL) == saving, 10, "the journal saving")
        look = bar.connection_look(JOURNAL)
        assert look is not None and not look.bold and look.shape is Shape.CIRCLE

        with database_held(database_url):
            text = await until(
                lambda: (t := status_text(console, JOURNAL)).startswith("Journal: NOT") and t,
                15,
                "NOT SAVING",
            )
            assert re.fullmatch(r"Journal: NOT SAVING since \d\d:\d\d · \d+ rows waiting", text)
            look = bar.connection_look(JOURNAL)
            assert look is not None and look.bold and look.shape is Shape.TRIANGLE
            tip = bar.connection_tooltip(JOURNAL)
            assert "closing the console now would lose them" in tip
            await until(lambda: table.select_alarm(STORE_ALARM), 10, "its alarm in the list")
            [view] = table.selected_alarms()
            assert (view.tier, view.state) == (Tier.HIGH, State.UNACK)
            # SQLite says it is locked, unless the 5 s without an answer come first (a loaded machine)
            silent = "no answer from the database for 5 s"
            why = f"database is locked|{silent}" if "sqlite" in database_url else silent
            assert re.fullmatch(
                rf"Journal not saving since .* UTC: \d+ rows waiting \(({why})\)", view.message
            )
            assert any(line.alarm_id == STORE_ALARM for line in banner.lines())
            window.note_action.trigger()  # an operator's note meanwhile: not saved, but kept
            note = await until(lambda: window.note_dialog, 5, "the note dialog")
            type_text(note, NOTE)
            press(note, Qt.Key.Key_Return)
            not_saved = "not saved: the database did not confirm it in time"
            await until(lambda: window.statusBar().currentMessage() == not_saved, 15, "the note not saved")
            window.windowHandle().close()  # the close question says what closing now would lose
            box = await until(lambda: window.findChild(QMessageBox, "CloseConfirmation"), 5, "the question")
            assert any(
                re.fullmatch(r"• Journal NOT SAVING since \d\d:\d\d: \d+ rows waiting would be lost", line)
                for line in box.informativeText().splitlines()
            ), box.informativeText()
            press(box, Qt.Key.Key_Return)  # Cancel, the default
            await until(lambda: not box.isVisible(), 5, "the question answered")

        await until(lambda: status_text(console, JOURNAL) == saving, 20, "the journal saving again")
        look = bar.connection_look(JOURNAL)
        assert look is not None and not look.bold
        await until(lambda: (v := table.listed(STORE_ALARM)) and not v.active, 5, "its alarm returned")
        assert any(e.text.startswith("Journal saving again") for e in core.log)

        assert await asyncio.to_thread(console.app.writer.flush, 20)
        saved = Store(database_url)
        events = [t.event for t in saved.alarm_transitions(alarm_ids=[STORE_ALARM])]
        assert events == [Event.ACTIVATE, Event.CLEAR]  # journaled once the store returned
        assert [e.payload["text"] for e in saved.journal_rows(kind="operator_note")] == [NOTE]

    run_console(scenario)
