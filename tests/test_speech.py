"""The Speaker with the real espeak-ng through pyttsx3: never blocks, renders fresh WAVs, degrades, stops."""

from __future__ import annotations

import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from integrations.speech import Speaker
from tests.support import wait_until


@pytest.fixture()
def played() -> list[Path]:
    return []


@pytest.fixture()
def speaker(played: list[Path]) -> Iterator[Speaker]:
    s = Speaker(played.append)
    yield s
    s.close()


def _speech_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "speech"]


def test_the_status_names_the_engine(speaker: Speaker) -> None:
    assert speaker.available
    assert speaker.status == "speech: espeak-ng"


def test_say_returns_at_once_and_hands_a_wav_to_play(
    speaker: Speaker, played: list[Path], capfd: pytest.CaptureFixture[str]
) -> None:
    text = "Tier 1 alarm, tank farm: hydrogen sulphide high high"
    start = time.perf_counter()
    speaker.say(text)
    assert time.perf_counter() - start < 0.05

    wait_until(lambda: played)
    [rendered] = speaker.spoken
    assert rendered.text == text and played == [rendered.path]
    header = rendered.path.read_bytes()[:12]
    assert header[:4] == b"RIFF" and header[8:12] == b"WAVE"
    with wave.open(str(rendered.path), "rb") as f:
        assert f.getnchannels() == 1 and f.getsampwidth() == 2
        assert f.getnframes() / f.getframerate() > 0.3
    assert "Audio saved" not in capfd.readouterr().out  # pyttsx3's print goes to the debug log


def test_two_quick_announcements_get_two_files(speaker: Speaker) -> None:
    speaker.say("alpha one")
    speaker.say("bravo two three")
    wait_until(lambda: len(speaker.spoken) == 2, timeout=20)
    first, second = speaker.spoken
    assert (first.text, second.text) == ("alpha one", "bravo two three")
    assert first.path != second.path
    assert first.path.read_bytes() != second.path.read_bytes()


def test_a_flood_keeps_only_the_newest_pending(speaker: Speaker, caplog: pytest.LogCaptureFixture) -> None:
    for i in range(10):
        speaker.say(f"number {i}")
    wait_until(lambda: speaker.spoken and speaker.spoken[-1].text == "number 9", timeout=30)
    texts = [r.text for r in speaker.spoken]
    assert texts[-5:] == [f"number {i}" for i in range(5, 10)]
    assert len(texts) <= 6  # at most the one taken before the flood filled the queue, plus five
    assert "dropped 'number 0'" in caplog.text


def test_without_an_engine_speech_is_unavailable_and_say_does_nothing(played: list[Path]) -> None:
    def missing_espeak() -> None:
        raise RuntimeError("This means you probably do not have eSpeak or eSpeak-ng installed!")

    s = Speaker(played.append, engine_factory=missing_espeak)
    try:
        assert not s.available
        assert s.status == (
            "speech unavailable: This means you probably do not have eSpeak or eSpeak-ng installed!"
            " — install espeak-ng (apt-get install espeak-ng)"
        )
        s.say("Tier 1 alarm, tank farm: hydrogen sulphide high high")
        assert s.spoken == [] and played == []
    finally:
        s.close()
    assert _speech_threads() == []


def test_close_ends_the_thread_mid_announcement_and_removes_the_files(played: list[Path]) -> None:
    s = Speaker(played.append)
    s.say("This announcement is long enough to last well beyond the five seconds close waits. " * 3)
    wait_until(lambda: played)
    path = s.spoken[0].path
    s.close()
    assert _speech_threads() == []
    assert not path.exists() and not path.parent.exists()
