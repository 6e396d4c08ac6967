"""The journeys' holdout assignment in Python, the same definition as macros/holdouts.sql: a
customer's place for a journey is the first 8 hex digits of md5("<salt>:<journey>:<customer_id>")
over 16**8, and the customer is held out when it is below the journey's share (or their place for
journey "all" is below the global share)."""
from __future__ import annotations

import hashlib


def holdout_fraction(salt: str, journey: str, customer_id: str) -> float:
    """The customer's place in [0, 1) for one journey ("all" for the global holdout)."""
    digest = hashlib.md5(f"{salt}:{journey}:{customer_id}".encode()).hexdigest()
    return int(digest[:8], 16) / 2**32


def is_held_out(salt: str, journey: str, customer_id: str, share: float,
                global_share: float = 0.0) -> bool:
    """True when the customer gets none of this journey's emails."""
    return (holdout_fraction(salt, "all", customer_id) < global_share
            or holdout_fraction(salt, journey, customer_id) < share)
