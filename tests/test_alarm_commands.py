"""The operator's alarm commands through the core, as any window (or a remote one) sends them: a site rule
that tier-1 acknowledgements carry a comment is enforced here, not only by the window's dialog."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alarms.clock import ManualClock
from alarms.states import State
from console.server.core import Core
from console.server.session import Acknowledge, Shelve, Unshelve
from integrations.storage import Store, StoreWriter
from plant_maps.site_file import load_site
from plant_maps.toml_reader import ConfigError
from tests.conftest import DEMO_SITE
from tests.support import wait_until_async
from tests.test_field_operations import _lel


def _core(database_url: str, tmp_path: Path) -> tuple[Core, ManualClock, StoreWriter]:
    site_file = tmp_path / "site.toml"
    site_file.write_text(
        DEMO_SITE.read_text().replace("[alarms]\n", "[alarms]\nack_comment_required = [1]\n", 1)
    )
    clock = ManualClock(datetime(2026, 11, 24, 8, 0, tzinfo=UTC).timestamp())
    site = load_site(site_file, now=datetime.fromtimestamp(clock.now(), UTC))
    writer = StoreWriter(Store(database_url), site)
    return Core(site, clock, writer, "desk-1"), clock, writer


def test_a_tier_1_acknowledgement_without_a_comment_is_refused_where_the_site_says_so(
    database_url: str, tmp_path: Path
) -> None:
    async def run() -> None:
        core, clock, writer = _core(database_url, tmp_path)
        engine = core.alarms.engine
        core.on_tags(_lel(core, "GD-CH-01", 30.0, clock.now()))  # HH (tier 1) and H (tier 2)
        await wait_until_async(lambda: engine.view("GD-CH-01.HH").seq and engine.view("GD-CH-01.H").seq, 5)
        hh, h = engine.view("GD-CH-01.HH"), engine.view("GD-CH-01.H")
        bare = await core.command(Acknowledge("li.wei", ((hh.id, hh.seq), (h.id, h.seq))))
        assert not bare.ok and "GD-CH-01.HH refused: this site requires a comment" in bare.message
        assert engine.view(hh.id).state is State.UNACK  # refused: nothing changed
        assert engine.view(h.id).state is State.ACKED  # tier 2 needs none
        done = await core.command(Acknowledge("li.wei", ((hh.id, hh.seq),), "gas team sent to K-301"))
        assert done.ok and engine.view(hh.id).state is State.ACKED
        await asyncio.to_thread(writer.close)
        acks = [t for t in Store(database_url).alarm_transitions(alarm_ids=[hh.id]) if t.actor == "li.wei"]
        assert [(t.to_state, t.comment) for t in acks] == [(State.ACKED, "gas team sent to K-301")]

    asyncio.run(run())


def test_a_shelved_alarm_unshelved_by_hand_returns_acknowledged(database_url: str, tmp_path: Path) -> None:
    async def run() -> None:
        core, clock, writer = _core(database_url, tmp_path)
        engine = core.alarms.engine
        core.on_tags(_lel(core, "GD-TF-02", 12.0, clock.now()))  # H only: tier 2
        await wait_until_async(lambda: engine.view("GD-TF-02.H").seq, 5)
        assert (await core.command(Shelve("li.wei", "GD-TF-02.H", "calibration drift", 3600.0))).ok
        assert engine.view("GD-TF-02.H").state is State.SHELVED
        back = await core.command(Unshelve("li.wei", "GD-TF-02.H"))
        assert back.ok and engine.view("GD-TF-02.H").state is State.ACKED  # ISA-18.2: by hand, acknowledged
        await asyncio.to_thread(writer.close)

    asyncio.run(run())


def test_a_wrong_comment_rule_is_a_configuration_error_naming_the_key(tmp_path: Path) -> None:
    site_file = tmp_path / "site.toml"
    site_file.write_text(
        DEMO_SITE.read_text().replace("[alarms]\n", '[alarms]\nack_comment_required = ["T1"]\n', 1)
    )
    with pytest.raises(ConfigError, match=r"alarms\.ack_comment_required.*list of tiers"):
        load_site(site_file)
