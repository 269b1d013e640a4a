"""Worker qualifications: when a certificate counts as expired, and who must be warned before it does.

GB 30871 qualifications as DOMAIN.md states them: warnings at 90 and 30 days before expiry; on the expiry
day itself the certificate no longer counts (the worker cannot be assigned, and inside a permit zone raises
an alarm). Days are calendar days in the plant's time zone, which the caller passes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

import numpy as np

from plant_maps.site import Certificate, Worker

WARN_DAYS = (90, 30)
_NEVER = np.iinfo(np.int64).max


def site_day(now: float, tz: tzinfo = UTC) -> date:
    """The plant's calendar day at epoch second `now`."""
    return datetime.fromtimestamp(now, tz).date()


def is_expired(certificate: Certificate, today: date) -> bool:
    """Expired from its expiry day on (DOMAIN.md: on the expiry day the worker can no longer be assigned)."""
    return today >= certificate.expires


def expired_certificates(worker: Worker, today: date) -> tuple[Certificate, ...]:
    return tuple(c for c in worker.certificates if is_expired(c, today))


def first_expiry_ordinals(workers: Sequence[Worker]) -> np.ndarray:
    """Per worker row, the proleptic ordinal of the earliest certificate expiry (int64 max: none held).

    Lets the worker rules test every worker's certificates with one comparison per batch.
    """
    return np.array(
        [min((c.expires.toordinal() for c in w.certificates), default=_NEVER) for w in workers],
        dtype=np.int64,
    )


@dataclass(frozen=True, slots=True)
class CertificateWarning:
    """A certificate that has expired (`level` 0) or expires within 30 or 90 days (`level` 30 or 90)."""

    worker: str
    name: str
    certificate: Certificate
    days_left: int  # <= 0: expired
    level: int


def expiry_warnings(
    workers: Iterable[Worker], today: date, warn_days: Sequence[int] = WARN_DAYS
) -> list[CertificateWarning]:
    """Every certificate due a warning, most urgent first (expired, then fewest days left)."""
    thresholds = sorted(warn_days)
    out = []
    for worker in workers:
        for cert in worker.certificates:
            days_left = (cert.expires - today).days
            if days_left <= 0:
                level = 0
            else:
                level = next((t for t in thresholds if days_left <= t), -1)
                if level < 0:
                    continue
            out.append(CertificateWarning(worker.id, worker.name, cert, days_left, level))
    out.sort(key=lambda w: (w.days_left, w.worker, w.certificate.type))
    return out
