"""Writes the annunciator's tier tones to resources/sounds: run `.venv/bin/python scripts/make_tones.py`.

Tiered response: tier 1 (life-threatening) gets an urgent, fast alternating two-tone; tier 2 (high) a
slower pulsed single tone, so an operator tells them apart without looking. Each file is exactly one loop
(1 s) that starts and ends in silence, so `QSoundEffect` can loop it without a click. 16-bit mono 22050 Hz
keeps each file near 44 kB. The output is deterministic: running it again rewrites identical files.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 22050
AMPLITUDE = 0.5  # of full scale, leaves headroom for the harmonic
FADE_S = 0.005  # raised-cosine edges: no clicks at segment and loop boundaries
SOUNDS = Path(__file__).resolve().parent.parent / "resources" / "sounds"


def burst(freq_hz: float, seconds: float) -> np.ndarray:
    """One tone burst with a little third harmonic (carries on small desk speakers), faded at both ends."""
    t = np.arange(round(seconds * RATE)) / RATE
    wave_ = np.sin(2 * np.pi * freq_hz * t) + 0.25 * np.sin(2 * np.pi * 3 * freq_hz * t)
    fade = round(FADE_S * RATE)
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, fade))
    wave_[:fade] *= ramp
    wave_[-fade:] *= ramp[::-1]
    return wave_ / 1.25


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * RATE))


def tier1() -> np.ndarray:
    """Urgent: 960 Hz / 1400 Hz alternating every 125 ms, four pairs in one second."""
    return np.concatenate([burst(960.0, 0.125) if i % 2 == 0 else burst(1400.0, 0.125) for i in range(8)])


def tier2() -> np.ndarray:
    """High: a 660 Hz pulse of 300 ms, then 700 ms of silence."""
    return np.concatenate([burst(660.0, 0.3), silence(0.7)])


def write(path: Path, samples: np.ndarray) -> None:
    pcm = np.round(np.clip(samples * AMPLITUDE, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(RATE)
        f.writeframes(pcm.tobytes())


def main() -> None:
    SOUNDS.mkdir(parents=True, exist_ok=True)
    for name, samples in (("tier1.wav", tier1()), ("tier2.wav", tier2())):
        path = SOUNDS / name
        write(path, samples)
        print(f"{path} ({path.stat().st_size} bytes, {len(samples) / RATE:.2f} s)")


if __name__ == "__main__":
    main()
