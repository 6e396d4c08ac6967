"""The journeys' holdout assignment in Python, the same definition as macros/holdouts.sql: a
customer's place for a journey is the first 8 hex digits of md5("<salt>:<journey>:<customer_id>")
over 16**8, and the customer is held out when it is below the journey's share (or their place for
journey "all" is below the global share)."""
from __future__ import annotations

import csv
import hashlib
from store_segments.dbt_door import REPO_ROOT


def holdout_fraction(salt: str, journey: str, customer_id: str) -> float:
    """The customer's place in [0, 1) for one journey ("all" for the global holdout)."""
    digest = hashlib.md5(f"{salt}:{journey}:{customer_id}".encode()).hexdigest()
    return int(digest[:8], 16) / 2**32


def is_held_out(salt: str, journey: str, customer_id: str, share: float,
                global_share: float = 0.0) -> bool:
    """True when the customer gets none of this journey's emails."""
    return (holdout_fraction(salt, "all", customer_id) < global_share
            or holdout_fraction(salt, journey, customer_id) < share)


# The demo is generated for a build with the project's defaults of vars segments__holdout_salt and
# global_holdout_share; tests_py/test_journey_holdouts.py checks these against dbt's values.
DEMO_HOLDOUT_SALT = "segments-holdout-v1"
DEMO_GLOBAL_HOLDOUT_SHARE = 0.0

_ROOT = REPO_ROOT


def journey_holdout_shares() -> dict[str, float]:
    """Each journey's holdout_share, from the seed seeds/reference/journey_priorities.csv."""
    with (_ROOT / "seeds" / "reference" / "journey_priorities.csv").open(encoding="utf-8") as handle:
        return {row["journey"]: float(row["holdout_share"]) for row in csv.DictReader(handle)}


class HoldoutGroups:
    """Who the demo's journey emails skip: the project's default salt and shares."""

    def __init__(self) -> None:
        self.salt = DEMO_HOLDOUT_SALT
        self.shares = journey_holdout_shares()
        self.global_share = DEMO_GLOBAL_HOLDOUT_SHARE

    def held_out(self, journey: str, customer_id: str) -> bool:
        """True when the customer gets none of this journey's emails."""
        return is_held_out(self.salt, journey, customer_id, self.shares.get(journey, 0.0),
                           self.global_share)
