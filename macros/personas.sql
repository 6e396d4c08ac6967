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
