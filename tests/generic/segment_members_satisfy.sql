{#
    Re-checks a segment against customer_facts, independently of the model that assigned it:
    every customer the model puts in `segment_name` must satisfy `condition`, a SQL boolean
    over customer_facts columns (vars allowed). Returns the members that do not.
    The model needs customer_id and a segment column (`segment_column`).
#}
{% test segment_members_satisfy(model, segment_name, condition, segment_column='segment_name') %}
    with

    members as (
        select customer_id
        from {{ model }}
        where {{ segment_column }} = {{ string_literal(segment_name) }}
    ),

    customer_facts as (
        select * from {{ ref('customer_facts') }}
    )

    select customer_facts.*
    from members
    inner join customer_facts
        on members.customer_id = customer_facts.customer_id
    where not coalesce(({{ condition }}), false)
{% endtest %}
