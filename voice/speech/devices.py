"""Audio devices: list them, and find the one `--input-device` / `--output-device` names.

sounddevice (PortAudio) is imported here, inside functions, so text mode never loads it. Every
failure becomes an AudioDeviceError that says what exists and how to fix it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from voice.errors import AudioDeviceError

_LOG = logging.getLogger(__name__)

NO_DEVICE_FIX = ("plug in a microphone and speaker (or headset), start the sound server (PulseAudio or "
                 "PipeWire), pick one with --input-device/--output-device (see --list-devices), "
                 "or use --text")
PORTAUDIO_FIX = "install the PortAudio library: sudo apt-get install libportaudio2 (or use --text)"


def sounddevice():
    """Import sounddevice, turning a missing PortAudio library into an AudioDeviceError with the fix."""
    try:
        import sounddevice as sd
    except OSError as exc:  # "PortAudio library not found"
        raise AudioDeviceError(f"the PortAudio library is missing ({exc})", where="sounddevice",
                               fix=PORTAUDIO_FIX) from exc
    except ImportError as exc:
        raise AudioDeviceError("the sounddevice package is not installed",
                               fix="pip install sounddevice") from exc
    return sd


@dataclass(frozen=True)
class Device:
    """One PortAudio device."""

    index: int
    """PortAudio device index (what --input-device/--output-device accept)."""
    name: str
    """Device name (a part of it is accepted too)."""
    inputs: int
    """Maximum input channels (0: not a microphone)."""
    outputs: int
    """Maximum output channels (0: not a speaker)."""
    rate: float
    """Default sample rate in Hz."""
    hostapi: str
    """Host API name (ALSA, JACK, OSS, ...)."""

    def channels(self, kind: str) -> int:
        """Channels for `kind` ("input" or "output")."""
        return self.inputs if kind == "input" else self.outputs


def devices() -> list[Device]:
    """Every device PortAudio knows (an empty list when there is none)."""
    sd = sounddevice()
    try:
        apis = [api["name"] for api in sd.query_hostapis()]
        found = []
        for info in sd.query_devices():
            found.append(Device(int(info["index"]), str(info["name"]), int(info["max_input_channels"]),
                                int(info["max_output_channels"]), float(info["default_samplerate"]),
                                apis[info["hostapi"]] if info["hostapi"] < len(apis) else "?"))
        return found
    except sd.PortAudioError as exc:
        raise AudioDeviceError(f"cannot query audio devices: {exc}", fix=NO_DEVICE_FIX) from exc


def default_index(kind: str) -> int:
    """PortAudio's default device index for `kind`, -1 when there is none."""
    sd = sounddevice()
    pair = sd.default.device
    try:
        value = pair[0] if kind == "input" else pair[1]
    except (TypeError, IndexError):
        value = pair
    if value is None or value == -1:
        try:
            return int(sd.query_hostapis(0)[f"default_{kind}_device"])
        except (sd.PortAudioError, IndexError, KeyError):
            return -1
    if isinstance(value, str):
        try:
            return int(sd.query_devices(value)["index"])
        except (sd.PortAudioError, ValueError):
            return -1
    return int(value)


def table(found: list[Device] | None = None) -> str:
    """A readable table of the devices; the default input and output are marked in the last column."""
    found = devices() if found is None else found
    if not found:
        return f"No audio devices found.\n  fix: {NO_DEVICE_FIX}"
    din, dout = default_index("input"), default_index("output")
    width = max(len(d.name) for d in found)
    lines = [f"{'#':>3}  {'name':<{width}}  {'in':>3}  {'out':>3}  {'rate':>7}  {'host API':<8}  default",
             f"{'-' * 3}  {'-' * width}  {'-' * 3}  {'-' * 3}  {'-' * 7}  {'-' * 8}  -------"]
    for d in found:
        mark = " + ".join(m for m, i in (("input", din), ("output", dout)) if d.index == i)
        lines.append(f"{d.index:>3}  {d.name:<{width}}  {d.inputs:>3}  {d.outputs:>3}  {d.rate:>7.0f}  "
                     f"{d.hostapi:<8}  {'* ' + mark if mark else ''}".rstrip())
    notes = [f"default input: {din if din >= 0 else 'none'}, default output: {dout if dout >= 0 else 'none'}",
             "choose with --input-device / --output-device (an index or part of a name)"]
    return "\n".join(lines + [""] + notes)


def list_devices() -> str:
    """A readable table of input and output devices (index, name, channels, rate, default marked)."""
    return table()


def _listing(found: list[Device], kind: str) -> str:
    usable = [d for d in found if d.channels(kind) > 0]
    if not usable:
        return f"there is no {kind} device at all"
    return f"{kind} devices: " + "; ".join(f"{d.index} {d.name!r}" for d in usable)


def resolve(spec: str | int | None, kind: str) -> Device:
    """The device `spec` names for `kind` ("input" or "output").

    `spec` is an index (int or digits), an exact name, or part of a name (case-insensitive; the
    first match wins); None means the default device. Raises AudioDeviceError listing the devices
    that exist when nothing matches or there is no device at all.
    """
    if kind not in ("input", "output"):
        raise ValueError(f"kind must be 'input' or 'output', not {kind!r}")
    option = f"--{kind}-device"
    what = "microphone" if kind == "input" else "speaker"
    found = devices()
    usable = [d for d in found if d.channels(kind) > 0]
    if not usable:
        raise AudioDeviceError(f"no {what} found: PortAudio lists no {kind} device", where=option,
                               fix=NO_DEVICE_FIX)
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        index = default_index(kind)
        for d in usable:
            if d.index == index:
                return d
        _LOG.info("no default %s device; using %s", kind, usable[0].name)
        return usable[0]
    text = str(spec).strip()
    if isinstance(spec, int) or text.isdigit():
        index = int(text)
        for d in found:
            if d.index == index:
                if d.channels(kind) == 0:
                    raise AudioDeviceError(f"device {index} ({d.name!r}) has no {kind} channels",
                                           where=option, fix=f"choose another: {_listing(found, kind)}")
                return d
        raise AudioDeviceError(f"there is no audio device number {index}", where=option,
                               fix=f"choose one of the {_listing(found, kind)}")
    low = text.lower()
    exact = [d for d in usable if d.name.lower() == low]
    if exact:
        return exact[0]
    partial = [d for d in usable if low in d.name.lower()]
    if partial:
        if len(partial) > 1:
            _LOG.info("%s %r matches %d devices; using %s", option, text, len(partial), partial[0].name)
        return partial[0]
    raise AudioDeviceError(f"no {kind} device matches {text!r}", where=option,
                           fix=f"choose one of the {_listing(found, kind)} (or see --list-devices)")
