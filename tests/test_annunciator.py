"""The annunciator with the real Speaker (espeak-ng): tier tones, silence, escalation, speech on the Qt thread.

This machine has no audio output, so the tones are observed through the state machine (`tone`,
`sound_state`); the banner text then also says that nothing is heard.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtMultimedia import QMediaDevices
from pytestqt.qtbot import QtBot

from alarms.definitions import Priority, Tier
from alarms.records import SYSTEM, Transition
from alarms.states import Event, State
from console.window.annunciator import Annunciator

AREA = "tank-farm"
MESSAGE = "GD-H2S-03.HH 28 ppm (limit 20)"
SPOKEN = f"Tier 1 alarm, {AREA}: {MESSAGE}"


def transition(tier: Tier, event: Event = Event.ACTIVATE, annunciate: bool = True) -> Transition:
    from_state = State.UNACK if event is Event.ESCALATE else State.NORMAL
    return Transition(
        seq=1,
        alarm_id=f"GD-H2S-03.T{tier.value}",
        source="GD-H2S-03",
        tier=tier,
        priority=Priority.HIGH,
        area=AREA,
        message=MESSAGE,
        event=event,
        from_state=from_state,
        to_state=State.UNACK,
        active=True,
        acked=False,
        value=28.0,
        actor=SYSTEM,
        console="",
        comment="",
        ts=1_700_000_000.0,
        annunciate=annunciate,
    )


@pytest.fixture()
def annunciator(qtbot: QtBot) -> Iterator[Annunciator]:
    a = Annunciator()
    yield a
    a.close()


def banner(a: Annunciator, state: str) -> str:
    return f"Sound: {state}" if a.audio else f"No audio output: tones not heard ({state})"


def test_the_banner_says_when_there_is_no_audio_output(annunciator: Annunciator) -> None:
    assert annunciator.audio == bool(QMediaDevices.audioOutputs())
    assert annunciator.sound_state == banner(annunciator, "quiet")


def test_tier_1_sounds_its_tone_and_is_spoken_on_the_qt_thread(
    annunciator: Annunciator, qtbot: QtBot
) -> None:
    on_qt_thread: list[bool] = []
    annunciator.speech_played.connect(
        lambda _: on_qt_thread.append(threading.current_thread() is threading.main_thread())
    )
    with (
        qtbot.waitSignal(annunciator.state_changed) as changed,
        qtbot.waitSignal(annunciator.speech_played, timeout=10_000) as played,
    ):
        annunciator.on_transitions([transition(Tier.LIFE)])
    assert annunciator.tone == Tier.LIFE
    assert changed.args == [banner(annunciator, "tier 1 tone")] == [annunciator.sound_state]
    [rendered] = annunciator.speaker.spoken
    assert rendered.text == SPOKEN
    assert played.args == [str(rendered.path)] and on_qt_thread == [True]


def test_tier_3_and_unannunciated_transitions_make_no_sound(annunciator: Annunciator, qtbot: QtBot) -> None:
    with qtbot.assertNotEmitted(annunciator.state_changed):
        annunciator.on_transitions([transition(Tier.LOW), transition(Tier.LIFE, annunciate=False)])
    assert annunciator.tone is None and annunciator.sound_state == banner(annunciator, "quiet")
    annunciator.on_transitions([transition(Tier.LIFE)])  # speech is in order: nothing was queued before
    qtbot.waitUntil(lambda: len(annunciator.speaker.spoken) == 1, timeout=10_000)
    assert [r.text for r in annunciator.speaker.spoken] == [SPOKEN]


def test_silence_lasts_until_the_next_annunciation(annunciator: Annunciator, qtbot: QtBot) -> None:
    annunciator.on_transitions([transition(Tier.LIFE)])
    with qtbot.waitSignal(annunciator.state_changed) as changed:
        annunciator.silence()
    assert changed.args == [banner(annunciator, "silenced")]
    annunciator.set_unacknowledged({Tier.LIFE})  # still unacknowledged: still silenced
    assert annunciator.tone is None and annunciator.silenced
    annunciator.on_transitions([transition(Tier.HIGH)])
    assert annunciator.tone == Tier.LIFE  # the highest tier with unacknowledged alarms sounds again
    assert annunciator.sound_state == banner(annunciator, "tier 1 tone")


def test_the_tone_follows_the_highest_unacknowledged_tier(annunciator: Annunciator) -> None:
    annunciator.on_transitions([transition(Tier.HIGH), transition(Tier.LIFE)])
    assert annunciator.tone == Tier.LIFE
    annunciator.set_unacknowledged({Tier.HIGH})  # the tier-1 alarm was acknowledged
    assert annunciator.tone == Tier.HIGH
    assert annunciator.sound_state == banner(annunciator, "tier 2 tone")
    annunciator.set_unacknowledged(set())
    assert annunciator.tone is None and not annunciator.silenced
    assert annunciator.sound_state == banner(annunciator, "quiet")


def test_an_escalation_is_spoken_again_and_ends_a_silence(annunciator: Annunciator, qtbot: QtBot) -> None:
    annunciator.on_transitions([transition(Tier.LIFE)])
    annunciator.silence()
    with qtbot.waitSignal(annunciator.state_changed) as changed:
        annunciator.on_transitions([transition(Tier.LIFE, Event.ESCALATE)])
    assert changed.args == [banner(annunciator, "tier 1 tone")] and annunciator.tone == Tier.LIFE
    qtbot.waitUntil(lambda: len(annunciator.speaker.spoken) == 2, timeout=20_000)
    assert [r.text for r in annunciator.speaker.spoken] == [
        SPOKEN,
        f"Tier 1 alarm still unacknowledged, {AREA}: {MESSAGE}",
    ]
