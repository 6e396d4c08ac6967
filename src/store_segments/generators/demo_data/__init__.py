"""The demo data generator; ``store_segments/generators/generate_demo_data.py`` is its entry point and documents
what it writes. One module per step, each importing only the ones before it:

- ``constants``: seed, time window, persona names, seed table layouts
- ``knobs``: archetype mix, rates, catalogue, campaigns, purchase profiles
- ``helpers``: days relative to END, seeded draws, money and timestamp text
- ``records``: the records built before they become rows
- ``planted``: hand-set customers with exact expectations
- ``products``, ``customers``, ``orders``, ``sessions``: the catalogue and each customer's history
- ``email_sends``, ``email_events``: messages, sends and email events
- ``dirt``: rows of the raw tables and the dirt in them
- ``output``: every table from one seeded Random, written as CSV seeds

Determinism: one ``random.Random(SEED)`` is passed through the steps in a fixed order, so moving
code between modules changes nothing as long as the draws keep their order.
"""
