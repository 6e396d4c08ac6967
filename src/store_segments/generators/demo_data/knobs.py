"""Behaviour knobs: the archetype mix, countries, rates, user agents, names, catalogue, campaigns,
flows, A/B tests, targeted win-back campaigns and the purchase profile of each archetype.
"""

from __future__ import annotations

from dataclasses import dataclass

from .constants import (
    ALMOST_THERE, BRAND_ENTHUSIASTS, DEAD_WEIGHT, ESPRESSO_SHOT, FALSE_STARTS, HIGH_ROLLERS,
    JUST_PASSING_THROUGH, LAPSED_ENTHUSIASTS, LOST_HIGH_ROLLERS, MAX_DAYS_AGO, ONE_HIT_WONDERS,
    POTENTIAL_BRAND_ENTHUSIASTS, POTENTIAL_HIGH_ROLLERS, UNCLASSIFIED, WAITING_FOR_WOWS,
    WINDOW_SHOPPERS,
)

# How many generated customers get each archetype. Every persona keeps a wide margin over 40 so
# that dirt (a quarantined row, a lost engagement) cannot empty it.
ARCHETYPE_COUNTS: tuple[tuple[str, int], ...] = (
    (HIGH_ROLLERS, 110),
    (BRAND_ENTHUSIASTS, 230),
    (POTENTIAL_HIGH_ROLLERS, 120),
    (POTENTIAL_BRAND_ENTHUSIASTS, 430),
    (LOST_HIGH_ROLLERS, 90),
    (LAPSED_ENTHUSIASTS, 180),
    (ONE_HIT_WONDERS, 110),
    (JUST_PASSING_THROUGH, 230),
    (ALMOST_THERE, 90),
    (WINDOW_SHOPPERS, 140),
    (WAITING_FOR_WOWS, 140),
    (ESPRESSO_SHOT, 70),
    (FALSE_STARTS, 80),
    (DEAD_WEIGHT, 280),
    (UNCLASSIFIED, 90),
)

NON_CONSENT_COUNTRIES: tuple[str, ...] = ("US", "CA", "AU")
CONSENT_COUNTRIES: tuple[str, ...] = ("SE", "DE", "PL", "FR", "NL", "GB", "CH", "NO", "ES", "IT")
ACQUISITION_SOURCES: tuple[str, ...] = ("organic", "paid_social", "paid_search", "referral",
                                        "email_popup", "marketplace")
ACQUISITION_WEIGHTS: tuple[float, ...] = (30, 20, 20, 10, 12, 8)
HOUR_WEIGHTS: tuple[float, ...] = (1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7,
                                   6, 5, 3, 2)

CAMPAIGN_AUDIENCE_RATE = 0.25
SOFT_BOUNCE_RATE = 0.017
MPP_SHARE = 0.40
HARD_BOUNCE_CUSTOMERS = 60
UNSUBSCRIBE_CUSTOMERS = 24
SPAM_CUSTOMERS = 5
WEB_ORDER_SHARE = 0.45
ANONYMOUS_SESSION_SHARE = 0.30
ABANDONED_CART_SHARE = 0.6
WIN_BACK_SHARE = 0.5
WIN_BACK_AFTER_DAYS = 120

HUMAN_USER_AGENTS: tuple[str, ...] = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148",
)
MPP_FLAGGED_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)"
MPP_NAMED_UA = "Mozilla/5.0 (Macintosh) AppleWebKit (Apple Mail Privacy Protection)"
MPP_PLAIN_UA = "Mozilla/5.0 (iPhone) AppleWebKit Mail"

FIRST_NAMES: tuple[str, ...] = (
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Elijah", "Sophia", "Lucas", "Mia", "Mason",
    "Isabella", "Ethan", "Charlotte", "Logan", "Amelia", "James", "Harper", "Benjamin", "Evelyn",
    "Henry", "Åsa", "Jörg", "Zoë", "François", "Łukasz", "Søren", "Inés", "Matteo", "Giulia",
    "Lars", "Ingrid", "Pieter", "Sanne", "Hannah", "Felix", "Clara", "Mateo", "Lucía", "Oskar",
    "Maja", "Aiko", "Ravi", "Priya", "Chloé", "Théo", "Freya", "Nils", "Elin", "Marta", "Kacper",
)
LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor",
    "Anderson", "Thomas", "Moore", "Martin", "Jackson", "Lee", "Walker", "Müller", "Schmidt",
    "Nowak", "Kowalski", "Lindqvist", "Johansson", "García", "Martínez", "Rossi", "Bianchi",
    "Dubois", "Lefèvre", "de Vries", "Jansen", "Hansen", "Nilsen", "O'Brien", "Murphy", "Tanaka",
    "Patel", "Nguyen", "Kim", "Fischer", "Weber", "Berg", "Dahl", "Horvat", "Novák", "Costa",
)

COFFEE_ORIGINS: tuple[str, ...] = ("Ethiopia Yirgacheffe", "Colombia Huila", "Kenya Nyeri",
                                   "Brazil Cerrado", "Guatemala Antigua", "Sumatra Mandheling",
                                   "Costa Rica Tarrazu", "Rwanda Kivu", "Peru Cajamarca",
                                   "Honduras Marcala")
TEAS: tuple[str, ...] = ("Sencha", "Gyokuro", "Darjeeling First Flush", "Assam Breakfast",
                         "Earl Grey", "Jasmine Pearls", "Oolong Tieguanyin", "Rooibos Vanilla",
                         "Chamomile", "Peppermint", "Matcha Ceremonial", "Lapsang Souchong",
                         "Genmaicha", "Chai Masala")
EQUIPMENT: tuple[tuple[str, int], ...] = (
    ("Burr Grinder", 18900), ("Espresso Machine", 34900), ("Pour-Over Kettle", 8900),
    ("French Press 1 l", 3900), ("AeroPress", 4500), ("Drip Brewer", 12900),
    ("Cold Brew Tower", 21900), ("Milk Frother", 7900), ("Scale with Timer", 5900),
    ("Moka Pot", 3500), ("Siphon Brewer", 14900), ("Tea Maker", 11900),
)
ACCESSORIES: tuple[tuple[str, int], ...] = (
    ("Paper Filters (100)", 690), ("Ceramic Cup Set", 2400), ("Espresso Tamper", 2900),
    ("Knock Box", 2200), ("Dosing Cup", 1800), ("Airtight Coffee Tin", 1400),
    ("Tea Infuser", 990), ("Vacuum Flask", 3200), ("Cleaning Tablets", 1250),
    ("Travel Mug", 1900),
)
GIFT_CARDS: tuple[int, ...] = (2500, 5000, 10000, 20000)

# Products that go together (by product name): a share of baskets and of browsing sessions is
# built around one pair, so product_associations has a known answer on the demo. High pairs
# start with a piece of equipment (the anchor of a high basket), low pairs are two consumables.
PLANTED_PAIRS_HIGH: tuple[tuple[str, str], ...] = (
    ("Espresso Machine", "Espresso Tamper"),
    ("Burr Grinder", "Airtight Coffee Tin"),
    ("Tea Maker", "Tea Infuser"),
)
PLANTED_PAIRS_LOW: tuple[tuple[str, str], ...] = (
    ("Earl Grey 100 g", "Assam Breakfast 100 g"),
    ("Ethiopia Yirgacheffe Filter Roast 250 g", "Kenya Nyeri Filter Roast 250 g"),
)
PLANTED_PAIRS: tuple[tuple[str, str], ...] = PLANTED_PAIRS_HIGH + PLANTED_PAIRS_LOW
PAIR_BASKET_SHARE = 0.25  # share of baskets rebuilt around a planted pair (when the class allows)
PAIR_VIEW_SHARE = 0.30  # share of multi-product browsing sessions whose first two views are a pair

CAMPAIGN_THEMES: tuple[tuple[str, str], ...] = (
    ("New Arrivals", "Fresh from the roaster: this week's new arrivals"),
    ("Brew Guide", "Brew it better: our guide to {topic}"),
    ("Origin Story", "Meet the farmers behind {topic}"),
    ("Weekend Offer", "10% off {topic} this weekend"),
    ("Tea Time", "Slow down with {topic}"),
    ("Gear Spotlight", "Upgrade your setup: {topic}"),
    ("Staff Picks", "What our baristas drink: {topic}"),
    ("Subscription Saver", "Never run out of {topic}"),
)
FLOWS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("Welcome Series", ("Welcome to the roastery", "How we roast", "A treat for your first order"),
     MAX_DAYS_AGO),
    ("Abandoned Cart", ("You left something in your cart", "Still thinking it over?"), 690),
    ("Win-back", ("We miss you", "Something new to try", "A last nudge, with 15% off"), 680),
)


@dataclass(frozen=True)
class AbTest:
    """One A/B test of a campaign: variant A is the control, B the challenger.

    The dbt project judges each test on the metric of seeds/reference/ab_test_metrics.csv.
    `b_open_boost` is added to the open probability of B's recipients (0 = no real difference);
    `b_hour` sends B at another hour of the same day (a send-time test).
    """

    target_day: int
    test_id: str
    subject_a: str
    subject_b: str
    b_open_boost: float = 0.0
    b_hour: int | None = None


# Three tests with a known outcome: about 75 deliveries per arm 520 days ago, 155 at
# 240 days and 185 at 110 days, against ab_min_sample_size = 100.
AB_TESTS: tuple[AbTest, ...] = (
    # Too small to call: 3 pm really opens better, but each arm is below the minimum sample.
    AbTest(520, "ab-send-time-3pm", "Your spring coffee edit", "Your spring coffee edit",
           b_open_boost=0.25, b_hour=15),
    # No significant difference: the button colour changes nothing (judged on clicks).
    AbTest(240, "ab-cta-button-colour", "New: washed Ethiopians", "New: washed Ethiopians"),
    # A clear winner: B's subject line makes many more people open.
    AbTest(110, "ab-summer-subject-line", "Summer cold brew is back",
           "Cold brew season starts now: 3 recipes inside", b_open_boost=0.25),
)
AB_OPEN_BOOST: dict[tuple[str, str], float] = {(t.test_id, "B"): t.b_open_boost for t in AB_TESTS}


@dataclass(frozen=True)
class TargetedCampaign:
    """A win-back campaign sent to every eligible customer of one archetype, `day` days ago.

    It exists so that deliverability_health has campaigns (and segments) below each floor of the
    win-back guidance: `unsubscribes` and `spam_complaints` recipients opt out (chosen among
    recipients with no later email), and `human_opens` False means nobody opens as a person.
    """

    day: int
    name: str
    subject: str
    archetype: str
    human_opens: bool = True
    unsubscribes: int = 0
    spam_complaints: int = 0


TARGETED_CAMPAIGNS: tuple[TargetedCampaign, ...] = (
    # Open rate floor: Dead Weight does not open (only Apple MPP prefetches "open" it).
    TargetedCampaign(4, "Win-back: list clean-up", "Do you still want to hear from us?",
                     DEAD_WEIGHT, human_opens=False),
    # Unsubscribe floor: a pushy discount to Lapsed Enthusiasts.
    TargetedCampaign(3, "Win-back: 15% off for Lapsed Enthusiasts", "LAST CHANCE: 15% off ends tonight",
                     LAPSED_ENTHUSIASTS, unsubscribes=12),
    # Spam complaint floor: One-Hit Wonders who forgot they signed up.
    TargetedCampaign(2, "Win-back: One-Hit Wonders", "It's been a while - here's 20% off",
                     ONE_HIT_WONDERS, spam_complaints=2),
)
TARGETED_SEED_OFFSET = 4  # the targeted campaigns draw from Random(SEED + this)

PURCHASE_ARCHETYPES: tuple[str, ...] = (
    HIGH_ROLLERS, BRAND_ENTHUSIASTS, POTENTIAL_HIGH_ROLLERS, POTENTIAL_BRAND_ENTHUSIASTS,
    LOST_HIGH_ROLLERS, LAPSED_ENTHUSIASTS, ONE_HIT_WONDERS, JUST_PASSING_THROUGH, ESPRESSO_SHOT,
)
# The eight purchase personas: dirt that may cost a row (a bad timestamp) goes to these, where
# email and site activity cannot change the persona.
PURCHASE_PERSONAS: tuple[str, ...] = PURCHASE_ARCHETYPES[:8]
# Archetypes whose persona does not depend on email at all: only these bounce or opt out.
FATE_ARCHETYPES: tuple[str, ...] = (
    HIGH_ROLLERS, BRAND_ENTHUSIASTS, POTENTIAL_HIGH_ROLLERS, POTENTIAL_BRAND_ENTHUSIASTS,
    LOST_HIGH_ROLLERS, LAPSED_ENTHUSIASTS, ONE_HIT_WONDERS, JUST_PASSING_THROUGH,
    WINDOW_SHOPPERS, DEAD_WEIGHT, UNCLASSIFIED,
)
NEEDS_EMAIL: tuple[str, ...] = (ALMOST_THERE, WAITING_FOR_WOWS, ESPRESSO_SHOT, FALSE_STARTS)
# No human engagement on or after this many days ago (keeps "none within 90 days" safe).
QUIET_DAYS = 100


@dataclass(frozen=True)
class PurchaseProfile:
    """Valid orders an archetype gets: price class, how many, and when the last one falls."""

    high: bool
    min_orders: int
    max_orders: int
    last_min_days: int
    last_max_days: int


PURCHASE_PROFILES: dict[str, PurchaseProfile] = {
    HIGH_ROLLERS: PurchaseProfile(True, 3, 16, 1, 115),
    BRAND_ENTHUSIASTS: PurchaseProfile(False, 3, 16, 1, 115),
    POTENTIAL_HIGH_ROLLERS: PurchaseProfile(True, 1, 2, 1, 115),
    POTENTIAL_BRAND_ENTHUSIASTS: PurchaseProfile(False, 1, 2, 1, 115),
    LOST_HIGH_ROLLERS: PurchaseProfile(True, 3, 14, 126, 390),
    LAPSED_ENTHUSIASTS: PurchaseProfile(False, 3, 14, 126, 390),
    ONE_HIT_WONDERS: PurchaseProfile(True, 1, 2, 126, 390),
    JUST_PASSING_THROUGH: PurchaseProfile(False, 1, 2, 186, 390),
    ESPRESSO_SHOT: PurchaseProfile(False, 1, 2, 126, 175),
}
# Dead Weight customers who bought once or twice, long before the lapsed window.
DEAD_WEIGHT_BUYER_SHARE = 0.35
DEAD_WEIGHT_BUYER_PROFILE = PurchaseProfile(False, 1, 2, 405, 680)
# Dead Weight customers in consent countries without tracking consent who browse recently:
# their site events must not count (docs/definitions.md §1).
UNTRACKED_BROWSERS = 25

CREATED_RANGES: dict[str, tuple[int, int]] = {
    ALMOST_THERE: (20, MAX_DAYS_AGO),
    WINDOW_SHOPPERS: (10, MAX_DAYS_AGO),
    WAITING_FOR_WOWS: (10, MAX_DAYS_AGO),
    FALSE_STARTS: (250, MAX_DAYS_AGO),
    DEAD_WEIGHT: (100, MAX_DAYS_AGO),
    UNCLASSIFIED: (3, 85),
}
