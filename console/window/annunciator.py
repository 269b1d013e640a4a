"""Control-room annunciation: the tier tones and the spoken tier-1 announcements, on the Qt thread.

Tiered response: tier 1 sounds its tone and is spoken, tier 2 sounds a different tone, tier 3 is list only.
ISA-18.2: the audible alarm repeats until acknowledged or silenced, per priority — a tier's tone loops while
that tier has unacknowledged alarms, only the highest such tier sounds, and a silence lasts until the next
annunciation; an escalation (a tier-1 alarm still unacknowledged) is spoken again and ends a silence.

Everything here runs on the Qt thread. The `Speaker` renders speech on its own thread and hands each WAV
to `_speech_ready`, a queued signal, so that playback happens on the Qt thread too. Without an audio output
(no sound card, a headset unplugged) the state machine keeps running and `sound_state` says the tones are
not heard.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence, Set
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

from alarms.definitions import Tier
from alarms.records import Transition
from alarms.states import Event
from integrations.speech import Speaker

SOUNDS = Path(__file__).resolve().parents[2] / "resources" / "sounds"
TONES = {Tier.LIFE: "tier1.wav", Tier.HIGH: "tier2.wav"}  # tier 3 is list only


class Annunciator(QObject):
    """Decides which tone sounds and what is spoken; lives on the Qt thread."""

    state_changed = Signal(str)  # sound_state, whenever it changes
    speech_played = Signal(str)  # path of an announcement handed to the audio output (or that would be)
    _speech_ready = Signal(str)  # emitted on the speech thread, delivered on the Qt thread

    def __init__(
        self,
        speaker_factory: Callable[[Callable[[Path], None]], Speaker] = Speaker,
        sounds: Path = SOUNDS,
        parent: QObject | None = None,
    ) -> None:
        """Build the speaker with our thread-safe `play` and load the tones (when there is an output)."""
        super().__init__(parent)
        self._unacked: set[int] = set()
        self._silenced = False
        self._sounds = sounds
        self._tones: dict[int, QSoundEffect] = {}
        self._voice: QSoundEffect | None = None
        self._devices = QMediaDevices(self)
        self._devices.audioOutputsChanged.connect(self._outputs_changed)
        self._speech_ready.connect(self._play_speech, Qt.ConnectionType.QueuedConnection)
        self._build_outputs()
        self.speaker = speaker_factory(self._speech_rendered)

    @property
    def tone(self) -> int | None:
        """The tier whose tone sounds (or would, without an output): the highest unacknowledged tier."""
        sounding = self._unacked & TONES.keys()
        return None if self._silenced or not sounding else min(sounding)

    @property
    def silenced(self) -> bool:
        return self._silenced and bool(self._unacked & TONES.keys())

    @property
    def audio(self) -> bool:
        """An audio output exists, so tones and speech are heard."""
        return self._voice is not None

    @property
    def sound_state(self) -> str:
        """One line for the alarm banner."""
        tone = self.tone
        if tone:
            state = self.tr("tier {tier} tone").format(tier=tone)
        else:
            state = self.tr("silenced") if self.silenced else self.tr("quiet")
        if self.audio:
            return self.tr("Sound: {state}").format(state=state)
        return self.tr("No audio output: tones not heard ({state})").format(state=state)

    def on_transitions(self, transitions: Sequence[Transition]) -> None:
        """Sound and speak the batch's annunciations (the engine marks them `annunciate`)."""
        before = self.sound_state
        for t in transitions:
            if not t.annunciate or t.tier not in TONES:
                continue
            self._unacked.add(t.tier)
            self._silenced = False
            if t.tier == Tier.LIFE:
                if t.event == Event.ESCALATE:
                    words = self.tr("Tier 1 alarm still unacknowledged, {area}: {message}")
                else:
                    words = self.tr("Tier 1 alarm, {area}: {message}")
                self.speaker.say(words.format(area=t.area, message=t.message))
        self._update(before)

    def set_unacknowledged(self, tiers: Set[int]) -> None:
        """The tiers that still have unacknowledged alarms; a tier's tone stops when it has none left."""
        before = self.sound_state
        self._unacked = set(tiers)
        self._update(before)

    def silence(self) -> None:
        """Operator silence: no tone until the next annunciation (the alarms stay unacknowledged)."""
        before = self.sound_state
        self._silenced = True
        self._update(before)

    def close(self) -> None:
        """Stop the speech thread, then the sound (the console is closing; call it before deleting us).

        The speech thread emits into this object, so it must have ended before the object goes away.
        """
        self.speaker.close()
        self._devices.audioOutputsChanged.disconnect(self._outputs_changed)
        self._drop_outputs()

    def _update(self, before: str) -> None:
        """Make the outputs follow the state; tell the banner when its text changes."""
        tone = self.tone
        for tier, effect in self._tones.items():
            if tier == tone and not effect.isPlaying():
                effect.play()
            elif tier != tone and effect.isPlaying():
                effect.stop()
        if self.sound_state != before:
            self.state_changed.emit(self.sound_state)

    def _outputs_changed(self) -> None:
        """An output came or went (a headset, a USB speaker): move the sound to the current default."""
        before = self.sound_state
        self._drop_outputs()
        self._build_outputs()
        self._update(before)

    def _drop_outputs(self) -> None:
        for effect in (*self._tones.values(), self._voice):
            if effect is not None:
                effect.stop()
                effect.deleteLater()
        self._tones, self._voice = {}, None

    def _build_outputs(self) -> None:
        """Load the effects on the default output; none without an output, where QSoundEffect only fails."""
        if QMediaDevices.audioOutputs():
            for tier, name in TONES.items():
                effect = QSoundEffect(self)
                effect.setSource(QUrl.fromLocalFile(str(self._sounds / name)))
                effect.setLoopCount(QSoundEffect.Loop.Infinite.value)
                self._tones[tier] = effect
            self._voice = QSoundEffect(self)

    def _speech_rendered(self, path: Path) -> None:
        """The Speaker's `play`: called on the speech thread, so only emit the queued signal."""
        self._speech_ready.emit(str(path))

    def _play_speech(self, path: str) -> None:
        """Play one rendered announcement (Qt thread); the Speaker paces them, so none is cut off."""
        if self._voice is not None:
            self._voice.setSource(QUrl.fromLocalFile(path))
            self._voice.play()
        self.speech_played.emit(path)
