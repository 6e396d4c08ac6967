"""The records the generator builds before they become seed rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Product:
    """A catalogue row; prices in cents so sums never drift."""

    product_id: str
    name: str
    category: str
    price: int
    replenishment_days: int | None


@dataclass(slots=True)
class Customer:
    """A customer with the plan that makes its archetype come true."""

    key: int
    archetype: str
    created_at: datetime
    created_days: int
    country_code: str
    tracking_consent: bool
    email_consent: str
    birth_date: str
    acquisition_source: str
    first_name: str
    last_name: str
    mpp: bool
    open_rate: float
    human_ua: str
    order_days: list[int]
    high: bool
    planted: bool = False
    fate: str = ""
    untracked_browser: bool = False
    customer_id: str = ""
    email: str = ""

    @property
    def mailable(self) -> bool:
        """Subscribed at signup (an unsubscribe event may end that later)."""
        return self.email_consent == "subscribed" or self.fate == "unsubscribe"

    @property
    def last_order_days(self) -> int | None:
        """Days ago of the latest planned valid order, None for non-buyers."""
        return min(self.order_days) if self.order_days else None


@dataclass(slots=True)
class OrderItem:
    """One order line."""

    product_id: str
    quantity: int
    unit_price: int


@dataclass(slots=True)
class Order:
    """An order with amounts in cents; `kind` says why it exists (valid, cancelled, ...)."""

    customer_id: str
    ordered_at: datetime
    status: str
    currency: str
    subtotal: int
    discount: int
    shipping: int
    refunded: int | None
    items: list[OrderItem]
    owner: str
    kind: str = "valid"
    web: bool = False
    planted: bool = False
    order_id: str = ""

    @property
    def total(self) -> int:
        """subtotal - discount + shipping."""
        return self.subtotal - self.discount + self.shipping


@dataclass(slots=True)
class Session:
    """A browsing session: (event_type, product_id, occurred_at) in time order."""

    customer_id: str
    anonymous_id: str
    events: list[tuple[str, str, datetime]]
    owner: str
    planted: bool = False
    session_id: str = ""


@dataclass(slots=True)
class Message:
    """One send of a campaign or flow step (per A/B variant)."""

    message_type: str
    name: str
    flow_step: int | None
    ab_test_id: str
    variant: str
    subject: str
    sent_at: datetime
    message_id: str = ""
    audience: str = ""  # the archetype of a targeted campaign; "" = the usual random quarter


@dataclass(slots=True)
class Send:
    """A message going to one customer; forced sends exist to carry a planned engagement."""

    message: Message
    at: datetime
    forced: bool = False


@dataclass(slots=True)
class EmailEvent:
    """One email platform event."""

    message_id: str
    customer_id: str
    event_type: str
    occurred_at: datetime
    bounce_type: str = ""
    user_agent: str = ""
    is_machine_open: str = ""
    owner: str = ""
    planted: bool = False


@dataclass
class Table:
    """Rows of one seed plus, per row, the metadata dirt selection needs."""

    header: tuple[str, ...]
    rows: list[list[str]] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    planted: list[bool] = field(default_factory=list)


@dataclass
class Dataset:
    """Everything one run produces: the eight tables and the archetype of every customer."""

    tables: dict[str, Table]
    archetypes: dict[str, str]
