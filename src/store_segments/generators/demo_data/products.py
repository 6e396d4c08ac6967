"""The catalogue and the baskets of orders."""

from __future__ import annotations

import random

from .helpers import rint
from .constants import SEED
from .knobs import (
    ACCESSORIES, COFFEE_ORIGINS, EQUIPMENT, GIFT_CARDS, PAIR_BASKET_SHARE, PAIR_VIEW_SHARE,
    PLANTED_PAIRS, PLANTED_PAIRS_HIGH, PLANTED_PAIRS_LOW, TEAS,
)
from .records import Product


def build_products(rng: random.Random) -> list[Product]:
    """About 60 products; consumables carry replenishment_days, durable goods do not."""
    drafts: list[tuple[str, str, int, int | None]] = []
    for origin in COFFEE_ORIGINS:
        for style in ("Filter Roast 250 g", "Espresso Roast 250 g"):
            drafts.append((f"{origin} {style}", "coffee", rng.randrange(1150, 1990, 10),
                           rint(rng, 21, 45)))
    for tea in TEAS:
        drafts.append((f"{tea} 100 g", "tea", rng.randrange(790, 2400, 10), rint(rng, 30, 60)))
    for name, price in EQUIPMENT:
        drafts.append((name, "equipment", price, None))
    for name, price in ACCESSORIES:
        drafts.append((name, "accessories", price, None))
    for amount in GIFT_CARDS:
        drafts.append((f"Gift Card {amount // 100}", "gift_cards", amount, None))
    return [Product(f"SKU-{i:04d}", name, category, price, days)
            for i, (name, category, price, days) in enumerate(drafts, start=1)]


SUBTOTAL_RANGE: dict[bool, tuple[int, int]] = {True: (18000, 40000), False: (2000, 6500)}
LINE_COUNTS: tuple[int, ...] = (0, 0, 1, 1, 2)  # extra lines: 40% / 40% / 20%


def build_basket(products: list[Product], high: bool,
                 rng: random.Random) -> list[tuple[Product, int]]:
    """Lines for one order whose subtotal lands in the high (~180-400) or low (~20-70) class.

    High orders carry one piece of equipment (or a large gift card) plus up to two consumables;
    low orders are one to three consumables or accessories.
    """
    consumables = [p for p in products if p.category in ("coffee", "tea", "accessories")]
    anchors = [p for p in products if p.price >= 8500]
    low, top = SUBTOTAL_RANGE[high]
    basket: list[tuple[Product, int]] = []
    for _ in range(200):
        extra_lines = rng.choice(LINE_COUNTS) + (0 if high else 1)
        quantities = (1, 1, 2, 3) if high else (1, 1, 2)
        basket = [(rng.choice(anchors), 1)] if high else []
        basket += [(p, rng.choice(quantities)) for p in rng.sample(consumables, extra_lines)]
        subtotal = sum(p.price * q for p, q in basket)
        if low <= subtotal <= top:
            return basket
    return basket


def side_rng(*key: object) -> random.Random:
    """A generator of its own for one order or session, seeded by what identifies it.

    The planted pairs draw from it instead of the shared generator, so planting them leaves
    every other draw of the demo (dates, statuses, sessions, emails) where it was.
    """
    return random.Random(":".join(str(k) for k in (SEED, *key)))


def _by_name(products: list[Product]) -> dict[str, Product]:
    return {p.name: p for p in products}


def plant_basket_pair(basket: list[tuple[Product, int]], products: list[Product], high: bool,
                      rng: random.Random) -> list[tuple[Product, int]]:
    """Rebuild a share of baskets around one planted pair, keeping the basket's price class.

    High baskets swap their anchor for the pair's equipment and their first consumable for its
    accessory; low baskets swap their first two lines for the pair. The number of lines stays
    the same (the purchase session draws one number per line) and a pair whose basket would
    leave the price class is not planted, so no order changes class.
    """
    if len(basket) < 2 or rng.random() >= PAIR_BASKET_SHARE:
        return basket
    names = _by_name(products)
    low, top = SUBTOTAL_RANGE[high]
    pairs = list(PLANTED_PAIRS_HIGH if high else PLANTED_PAIRS_LOW)
    rng.shuffle(pairs)
    for first, second in pairs:
        a, b = names[first], names[second]
        rest = basket[2:]
        if any(p in (a, b) for p, _ in rest):
            continue
        candidate = [(a, 1 if high else basket[0][1]), (b, basket[1][1])] + rest
        if low <= sum(p.price * q for p, q in candidate) <= top:
            return candidate
    return basket


def plant_view_pair(viewed: list[Product], products: list[Product],
                    rng: random.Random) -> list[Product]:
    """Make the first two views of a share of multi-product sessions one planted pair."""
    if len(viewed) < 2 or rng.random() >= PAIR_VIEW_SHARE:
        return viewed
    names = _by_name(products)
    first, second = rng.choice(PLANTED_PAIRS)
    # Same number of views: each view draws its own time step from the shared generator.
    return [names[first], names[second]] + viewed[2:]
