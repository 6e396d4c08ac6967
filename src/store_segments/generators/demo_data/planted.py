"""Planted customers: hand-set histories with the exact persona and RFM segment the dbt tests
expect of them (``PLANTED``), and the campaign days their emails hang on.
"""

from __future__ import annotations

from dataclasses import dataclass

from .constants import (
    ALMOST_THERE, BRAND_ENTHUSIASTS, DEAD_WEIGHT, ESPRESSO_SHOT, FALSE_STARTS, HIGH_ROLLERS,
    JUST_PASSING_THROUGH, LAPSED_ENTHUSIASTS, LOST_HIGH_ROLLERS, ONE_HIT_WONDERS,
    POTENTIAL_BRAND_ENTHUSIASTS, POTENTIAL_HIGH_ROLLERS, UNCLASSIFIED, WAITING_FOR_WOWS,
    WINDOW_SHOPPERS,
)


@dataclass(frozen=True)
class PlantedExpectation:
    """What the dbt models must say about one planted customer."""

    primary_persona: str
    rfm_segment: str | None


PLANTED: dict[str, PlantedExpectation] = {
    "planted-high-roller": PlantedExpectation(HIGH_ROLLERS, "Champions"),
    "planted-brand-enthusiast": PlantedExpectation(BRAND_ENTHUSIASTS, None),
    "planted-potential-high-roller": PlantedExpectation(POTENTIAL_HIGH_ROLLERS, None),
    "planted-potential-enthusiast": PlantedExpectation(POTENTIAL_BRAND_ENTHUSIASTS, None),
    "planted-recent-boundary": PlantedExpectation(POTENTIAL_BRAND_ENTHUSIASTS, None),
    "planted-lost-high-roller": PlantedExpectation(LOST_HIGH_ROLLERS, None),
    "planted-lapsed-enthusiast": PlantedExpectation(LAPSED_ENTHUSIASTS, None),
    "planted-lapsed-boundary": PlantedExpectation(LAPSED_ENTHUSIASTS, None),
    "planted-one-hit-wonder": PlantedExpectation(ONE_HIT_WONDERS, None),
    "planted-passing-through": PlantedExpectation(JUST_PASSING_THROUGH, None),
    "planted-almost-there": PlantedExpectation(ALMOST_THERE, None),
    "planted-machine-opener": PlantedExpectation(WAITING_FOR_WOWS, None),
    "planted-window-shopper": PlantedExpectation(WINDOW_SHOPPERS, None),
    "planted-eu-no-consent": PlantedExpectation(DEAD_WEIGHT, None),
    "planted-waiting-for-wows": PlantedExpectation(WAITING_FOR_WOWS, None),
    "planted-espresso": PlantedExpectation(ESPRESSO_SHOT, None),
    "planted-false-start": PlantedExpectation(FALSE_STARTS, None),
    # Scores 1-1-1, the "Lost" cell (docs/definitions.md §4 tries Lost before Hibernating, which contains it).
    "planted-dead-weight": PlantedExpectation(DEAD_WEIGHT, "Lost"),
    "planted-unclassified": PlantedExpectation(UNCLASSIFIED, None),
    "00017": PlantedExpectation(POTENTIAL_BRAND_ENTHUSIASTS, None),
    "17": PlantedExpectation(WINDOW_SHOPPERS, None),
}


@dataclass(frozen=True)
class PlantedOrder:
    """One hand-set order: placed, USD, subtotal = total, no discount, shipping or refund."""

    days_ago: int
    total_cents: int
    hour: int = 12


@dataclass(frozen=True)
class PlantedCustomer:
    """The customer row and orders of one planted customer (emails and web events are in code)."""

    customer_id: str
    created_days_ago: int = 600
    country_code: str = "US"
    tracking_consent: bool = True
    orders: tuple[PlantedOrder, ...] = ()


def _orders(total_cents: int, *days: int) -> tuple[PlantedOrder, ...]:
    """Orders of one amount at noon on each of `days` days ago."""
    return tuple(PlantedOrder(d, total_cents) for d in days)


PLANTED_CUSTOMERS: tuple[PlantedCustomer, ...] = (
    PlantedCustomer("planted-high-roller",
                    orders=_orders(40000, 300, 200, 100, 60, 20) + (PlantedOrder(0, 40000, 10),)),
    PlantedCustomer("planted-brand-enthusiast", orders=_orders(3000, 100, 70, 40, 10)),
    PlantedCustomer("planted-potential-high-roller", orders=_orders(50000, 20)),
    PlantedCustomer("planted-potential-enthusiast", orders=_orders(2500, 60)),
    PlantedCustomer("planted-recent-boundary", orders=_orders(2500, 120)),
    PlantedCustomer("planted-lost-high-roller", orders=_orders(40000, 400, 330, 260, 200)),
    PlantedCustomer("planted-lapsed-enthusiast", created_days_ago=600,
                    orders=_orders(3000, 500, 400, 300)),
    PlantedCustomer("planted-lapsed-boundary", orders=_orders(3000, 300, 200, 121)),
    PlantedCustomer("planted-one-hit-wonder", orders=_orders(45000, 150)),
    PlantedCustomer("planted-passing-through", orders=_orders(3500, 300, 250)),
    PlantedCustomer("planted-almost-there"),
    PlantedCustomer("planted-machine-opener"),
    PlantedCustomer("planted-window-shopper"),
    PlantedCustomer("planted-eu-no-consent", created_days_ago=200, country_code="DE",
                    tracking_consent=False),
    PlantedCustomer("planted-waiting-for-wows"),
    PlantedCustomer("planted-espresso", orders=_orders(3000, 150)),
    PlantedCustomer("planted-false-start", created_days_ago=400),
    PlantedCustomer("planted-dead-weight", created_days_ago=690, orders=_orders(500, 680)),
    PlantedCustomer("planted-unclassified", created_days_ago=10),
    PlantedCustomer("00017", orders=_orders(4000, 30)),
    PlantedCustomer("17"),
)

# Campaign days that planted customers' emails hang on; the schedule always contains them.
ANCHOR_CAMPAIGN_DAYS: tuple[int, ...] = (200, 190, 180, 170, 80, 57, 50, 40, 30, 20, 12, 5)
