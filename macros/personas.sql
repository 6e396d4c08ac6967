{#
    Persona names (as in seeds/reference/persona_catalog.csv) and the boolean column of
    int_customer_persona_flags that holds each definition. The relationships test on
    int_persona_memberships keeps the two in step.
#}
{% macro persona_flag_columns() %}
    {{ return([
        ('High Rollers', 'is_high_roller'),
        ('Brand Enthusiasts', 'is_brand_enthusiast'),
        ('Potential High Rollers', 'is_potential_high_roller'),
        ('Potential Brand Enthusiasts', 'is_potential_brand_enthusiast'),
        ('Lost High Rollers', 'is_lost_high_roller'),
        ('Lapsed Enthusiasts', 'is_lapsed_enthusiast'),
        ('One-Hit Wonders', 'is_one_hit_wonder'),
        ('Just Passing Through', 'is_just_passing_through'),
        ('Almost There', 'is_almost_there'),
        ('Window Shoppers', 'is_window_shopper'),
        ('Waiting for Wows', 'is_waiting_for_wows'),
        ('Espresso Shot', 'is_espresso_shot'),
        ('False Starts', 'is_false_start'),
        ('Dead Weight', 'is_dead_weight'),
    ]) }}
{% endmacro %}

{#
    Each persona flag of int_customer_persona_flags as the AND of its named conditions (threshold
    flags of the same model; `not x` = the condition must be false). The persona flags are built
    from this list, and segment_change_reasons reads it to name the condition that flipped, so
    the definition of a persona is written once.
#}
{% macro persona_conditions() %}
    {{ return({
        'is_high_roller': ['is_purchase_recent', 'is_frequent_purchaser', 'is_high_monetary'],
        'is_brand_enthusiast': ['is_purchase_recent', 'is_frequent_purchaser', 'not is_high_monetary'],
        'is_potential_high_roller': ['is_purchase_recent', 'not is_frequent_purchaser', 'is_high_monetary'],
        'is_potential_brand_enthusiast': ['is_purchase_recent', 'not is_frequent_purchaser', 'not is_high_monetary'],
        'is_lost_high_roller': ['is_purchase_lapsed', 'is_frequent_purchaser', 'is_high_monetary'],
        'is_lapsed_enthusiast': ['is_purchase_lapsed', 'is_frequent_purchaser', 'not is_high_monetary'],
        'is_one_hit_wonder': ['is_purchase_lapsed', 'not is_frequent_purchaser', 'is_high_monetary'],
        'is_just_passing_through': ['has_purchased', 'not is_frequent_purchaser', 'is_in_passing_through_window',
                                    'not is_high_monetary'],
        'is_almost_there': ['not has_purchased', 'is_frequent_email_engager'],
        'is_window_shopper': ['not has_purchased', 'has_recent_shopping_event'],
        'is_waiting_for_wows': ['not has_purchased', 'has_recent_email_engagement'],
        'is_espresso_shot': ['has_espresso_email_engagement', 'not has_espresso_order'],
        'is_false_start': ['not has_recent_email_engagement', 'was_frequent_email_engager_before',
                           'is_established_profile'],
        'is_dead_weight': ['not has_order_within_lapsed_window', 'not has_recent_engagement',
                           'is_established_profile'],
    }) }}
{% endmacro %}

{#
    What each persona condition reads: the fact it compares (as named in int_customer_persona_flags),
    the column recorded for it in segment_input_history (a date where the fact is days since it,
    so that a row is stored only when the date or the flag changes, not every day) and the
    thresholds (vars, or high_aov_threshold as resolved) it compares the fact with.
#}
{% macro persona_condition_facts() %}
    {{ return({
        'has_purchased': {'fact': 'valid_orders', 'recorded': 'valid_orders', 'thresholds': []},
        'is_purchase_recent': {'fact': 'days_since_last_order', 'recorded': 'last_order_at',
                               'thresholds': ['purchase_recent_days']},
        'is_purchase_lapsed': {'fact': 'days_since_last_order', 'recorded': 'last_order_at',
                               'thresholds': ['purchase_recent_days', 'purchase_lapsed_max_days']},
        'is_in_passing_through_window': {'fact': 'days_since_last_order', 'recorded': 'last_order_at',
                                         'thresholds': ['passing_through_min_days', 'purchase_lapsed_max_days']},
        'has_order_within_lapsed_window': {'fact': 'days_since_last_order', 'recorded': 'last_order_at',
                                           'thresholds': ['purchase_lapsed_max_days']},
        'is_frequent_purchaser': {'fact': 'valid_orders', 'recorded': 'valid_orders',
                                  'thresholds': ['purchase_frequent_min']},
        'is_high_monetary': {'fact': 'aov', 'recorded': 'aov', 'thresholds': ['high_aov_threshold']},
        'has_recent_email_engagement': {'fact': 'email_engagements_recent', 'recorded': 'email_engagements_recent',
                                        'thresholds': ['engaged_recent_days']},
        'is_frequent_email_engager': {'fact': 'email_engagements_recent', 'recorded': 'email_engagements_recent',
                                      'thresholds': ['engaged_frequent_min', 'engaged_recent_days']},
        'was_frequent_email_engager_before': {'fact': 'email_engagements_before_recent',
                                              'recorded': 'email_engagements_before_recent',
                                              'thresholds': ['engaged_frequent_min', 'engaged_recent_days']},
        'has_recent_shopping_event': {'fact': 'days_since_last_shopping_event', 'recorded': 'last_shopping_event_at',
                                      'thresholds': ['engaged_recent_days']},
        'has_recent_engagement': {'fact': 'days_since_last_engagement', 'recorded': 'last_engaged_at',
                                  'thresholds': ['engaged_recent_days']},
        'has_espresso_email_engagement': {'fact': 'days_since_last_email_engagement',
                                          'recorded': 'last_email_engaged_at', 'thresholds': ['espresso_recent_days']},
        'has_espresso_order': {'fact': 'days_since_last_order', 'recorded': 'last_order_at',
                               'thresholds': ['espresso_recent_days']},
        'is_established_profile': {'fact': 'days_since_created', 'recorded': 'created_at',
                                   'thresholds': ['profile_min_age_days']},
    }) }}
{% endmacro %}
