"""The catalogue and the baskets of orders."""

from __future__ import annotations

import random

from .helpers import rint
from .knobs import ACCESSORIES, COFFEE_ORIGINS, EQUIPMENT, GIFT_CARDS, TEAS
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


LINE_COUNTS: tuple[int, ...] = (0, 0, 1, 1, 2)  # extra lines: 40% / 40% / 20%


def build_basket(products: list[Product], high: bool,
                 rng: random.Random) -> list[tuple[Product, int]]:
    """Lines for one order whose subtotal lands in the high (~180-400) or low (~20-70) class.

    High orders carry one piece of equipment (or a large gift card) plus up to two consumables;
    low orders are one to three consumables or accessories.
    """
    consumables = [p for p in products if p.category in ("coffee", "tea", "accessories")]
    anchors = [p for p in products if p.price >= 8500]
    low, top = (18000, 40000) if high else (2000, 6500)
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
