"""Writing an interlock's command node over OPC UA: its data type read first, the value written as that type,
the server's answer in words, and never a hang.

The asyncua example for writes (`examples/client-example.py`): read the node's DataType and write a
`ua.DataValue(ua.Variant(value, vtype))`; a PLC's Boolean, Byte or Int16 command tag each take the trip as
their own type, and a server that gets the wrong one answers BadTypeMismatch. A server that never answers
is a BadTimeout after `timeout_s`, said like the codes it sends (BadUserAccessDenied, BadNotWritable, …).
Runs on the console's asyncio loop, with the OPC UA source's client.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from asyncua import Node, ua

from integrations.opcua_errors import failure_words, status_words

_INTEGERS = {
    ua.VariantType.SByte,
    ua.VariantType.Byte,
    ua.VariantType.Int16,
    ua.VariantType.UInt16,
    ua.VariantType.Int32,
    ua.VariantType.UInt32,
    ua.VariantType.Int64,
    ua.VariantType.UInt64,
}


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """What the server answered: `status` is the code's name (Good, BadNotWritable, BadTimeout, …)."""

    ok: bool
    status: str
    words: str  # the status with its meaning, for the operator and the audit trail


def _as_type(value: bool, vtype: ua.VariantType) -> bool | int | float:
    if vtype in _INTEGERS:
        return int(value)
    if vtype in (ua.VariantType.Float, ua.VariantType.Double):
        return float(value)
    return value  # Boolean; anything else goes as a Boolean and the server says whether it takes it


async def write_command(node: Node, value: bool, timeout_s: float) -> WriteOutcome:
    """Read the node's data type, write `value` as that type; the outcome in words, within `timeout_s`."""
    try:
        async with asyncio.timeout(timeout_s):
            vtype = await node.read_data_type_as_variant_type()
            await node.write_value(ua.DataValue(ua.Variant(_as_type(value, vtype), vtype)))
    except TimeoutError:
        return WriteOutcome(
            False, "BadTimeout", f"BadTimeout (no answer from the server within {timeout_s:g} s)"
        )
    except ua.UaStatusCodeError as exc:
        status = ua.StatusCode(exc.code)
        return WriteOutcome(False, status.name, status_words(status))
    except (ConnectionError, OSError, ua.UaError) as exc:
        return WriteOutcome(False, "BadCommunicationError", failure_words(exc))
    except Exception as exc:  # whatever else the stack raises is a failed write, said, never a crash
        return WriteOutcome(False, "BadUnexpectedError", failure_words(exc))
    return WriteOutcome(True, "Good", "Good (the server took the value)")
