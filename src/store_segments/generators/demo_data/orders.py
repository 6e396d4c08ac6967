"""Orders: the planned valid orders, partial refunds, extra orders (cancelled, refunded, ...),
orders of unknown customers and the planted ones.
"""

from __future__ import annotations

import random
from datetime import datetime

from .constants import BRAND_ENTHUSIASTS, LAPSED_ENTHUSIASTS, MAX_DAYS_AGO
from .dirt import DIRT
from .helpers import day_at, noon, rint
from .knobs import NON_CONSENT_COUNTRIES, PURCHASE_ARCHETYPES, WEB_ORDER_SHARE
from .planted import PLANTED, PLANTED_CUSTOMERS
from .products import build_basket, plant_basket_pair, side_rng
from .records import Customer, Order, OrderItem, Product


def currency_of(country: str) -> str:
    """USD for the non-consent countries, EUR for the rest."""
    return "USD" if country in NON_CONSENT_COUNTRIES else "EUR"


def make_order(customer_id: str, currency: str, at: datetime, high: bool, owner: str,
               products: list[Product], rng: random.Random) -> Order:
    """One order of the given price class with a realistic status, discount and shipping."""
    basket = plant_basket_pair(build_basket(products, high, rng), products, high,
                               side_rng("basket", customer_id, at.isoformat()))
    subtotal = sum(p.price * q for p, q in basket)
    discount = round(subtotal * 0.10) if rng.random() < 0.12 else 0
    shipping = 495 if subtotal < 4000 else 0
    status = rng.choices(("placed", "delivered", "shipped", "fulfilled"),
                         weights=(72, 12, 8, 8))[0]
    return Order(customer_id=customer_id, ordered_at=at, status=status, currency=currency,
                 subtotal=subtotal, discount=discount, shipping=shipping,
                 refunded=None if rng.random() < 0.6 else 0,
                 items=[OrderItem(p.product_id, q, p.price) for p, q in basket], owner=owner)


def valid_orders(customers: list[Customer], products: list[Product],
                 rng: random.Random) -> list[Order]:
    """The planned valid orders of every generated customer."""
    orders: list[Order] = []
    for c in customers:
        for d in c.order_days:
            order = make_order(c.customer_id, currency_of(c.country_code), day_at(d, rng), c.high,
                               c.archetype, products, rng)
            order.web = c.acquisition_source != "marketplace" and rng.random() < WEB_ORDER_SHARE
            orders.append(order)
    return orders


def add_partial_refunds(orders: list[Order], customers: dict[str, Customer],
                        rng: random.Random) -> None:
    """~2% of orders refunded in part (5-30%): still valid, net revenue lower.

    High-class customers with fewer than 3 orders are spared so one refund cannot pull their
    AOV toward the store-wide AOV.
    """
    candidates = [o for o in orders
                  if o.owner in PURCHASE_ARCHETYPES
                  and (not customers[o.customer_id].high
                       or len(customers[o.customer_id].order_days) >= 3)]
    for order in rng.sample(candidates, round(0.02 * len(orders))):
        order.status = "refunded"
        order.refunded = max(100, round(order.total * rng.uniform(0.05, 0.30)))


def extra_order(c: Customer, day: int, kind: str, products: list[Product],
                rng: random.Random) -> Order:
    """A cancelled, fully refunded or free order of customer `c` on day `day` ago."""
    order = make_order(c.customer_id, currency_of(c.country_code), day_at(day, rng), c.high,
                       c.archetype, products, rng)
    order.kind = kind
    order.web = c.acquisition_source != "marketplace" and rng.random() < WEB_ORDER_SHARE
    if kind == "cancelled":
        order.status, order.refunded = "cancelled", None
    elif kind == "full_refund":
        order.status, order.refunded = "refunded", order.total
    elif kind == "free":
        order.discount, order.shipping, order.refunded = order.subtotal, 0, None
        order.status = "placed"
    return order


def add_extra_orders(orders: list[Order], customers: list[Customer], products: list[Product],
                     rng: random.Random) -> list[Order]:
    """Cancelled (~3%), fully refunded (~1%) and a few free orders of purchase archetypes.

    Cancelled orders fall anywhere in the customer's life (they never count). Full refunds and
    free orders fall before the last valid order so that recency cannot depend on them.
    """
    buyers = [c for c in customers if c.archetype in PURCHASE_ARCHETYPES]
    base = len(orders)
    extras: list[Order] = []
    for _ in range(round(0.031 * base)):
        c = rng.choice(buyers)
        extras.append(extra_order(c, rint(rng, 1, c.created_days - 1), "cancelled",
                                  products, rng))
    refundable = [c for c in buyers if not c.high or len(c.order_days) >= 5]
    for _ in range(round(0.01 * base)):
        c = rng.choice(refundable)
        last = min(c.order_days)
        extras.append(extra_order(c, rint(rng, last + 1, c.created_days - 1), "full_refund",
                                  products, rng))
    frequent_low = [c for c in buyers if c.archetype in (BRAND_ENTHUSIASTS, LAPSED_ENTHUSIASTS)]
    for _ in range(15):
        c = rng.choice(frequent_low)
        last = min(c.order_days)
        extras.append(extra_order(c, rint(rng, last + 1, c.created_days - 1), "free",
                                  products, rng))
    return extras


def unknown_customer_orders(products: list[Product], rng: random.Random) -> list[Order]:
    """Orders of customers missing from the export, and orders with no customer at all."""
    orders: list[Order] = []
    ids = rng.sample(range(900001, 999999), DIRT["orders_unknown_customer"])
    for number in ids:
        orders.append(make_order(f"C{number:06d}", "USD", day_at(rint(rng, 1, MAX_DAYS_AGO), rng),
                                 rng.random() < 0.3, "", products, rng))
    for _ in range(DIRT["orders_missing_customer"]):
        orders.append(make_order("", "EUR", day_at(rint(rng, 1, MAX_DAYS_AGO), rng),
                                 False, "", products, rng))
    for order in orders:
        order.kind = "unknown_customer"
    return orders


def planted_orders(products: list[Product]) -> list[Order]:
    """The hand-set orders: placed, USD, one line, subtotal = total, nothing else."""
    by_category = {p.category: p for p in products}
    orders: list[Order] = []
    for spec in PLANTED_CUSTOMERS:
        for o in spec.orders:
            product = by_category["equipment" if o.total_cents >= 10000 else "coffee"]
            orders.append(Order(customer_id=spec.customer_id, ordered_at=noon(o.days_ago, o.hour),
                                status="placed", currency="USD", subtotal=o.total_cents,
                                discount=0, shipping=0, refunded=None,
                                items=[OrderItem(product.product_id, 1, o.total_cents)],
                                owner=PLANTED[spec.customer_id].primary_persona, planted=True))
    return orders


def build_orders(customers: list[Customer], products: list[Product],
                 rng: random.Random) -> list[Order]:
    """Every order, ids O-000001... in time order."""
    generated = [c for c in customers if not c.planted]
    by_id = {c.customer_id: c for c in generated}
    orders = valid_orders(generated, products, rng)
    add_partial_refunds(orders, by_id, rng)
    orders += add_extra_orders(orders, generated, products, rng)
    orders += unknown_customer_orders(products, rng)
    orders += planted_orders(products)
    orders.sort(key=lambda o: (o.ordered_at, o.customer_id))
    for number, order in enumerate(orders, start=1):
        order.order_id = f"O-{number:06d}"
    return orders
