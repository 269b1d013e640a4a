"""The shift handover: its dialog (start, the frozen snapshot in sections, flags, both signatures, finalise)."""
