{#
    The journey state machine every journey_* model shares, so that "due", "waiting",
    "exited" and "suppressed" mean the same thing in every journey.

    A journey model defines its CTEs and ends with journey_rows, naming the three it reads:
      - as_of_cte: one row, column as_of (int_as_of).
      - send_eligibility_cte: int_customer_send_eligibility rows (who may be emailed, smart
        sending).
      - holdouts_cte: int_journey_holdouts rows (who is held out of which journey).
      - steps_cte: one row per trigger instance and step, columns
            customer_id, trigger_key (unique per customer within the journey), trigger_at,
            branch (nullable), step (1, 2, ...), due_at,
            exited_at, exit_reason (the first exit event at or after trigger_at; null when none).
    The macro adds the CTEs step_windows, open_or_upcoming_steps, current_steps,
    steps_with_eligibility, ranked_steps and journey_statuses, so a model does not use those names.

    Rules (README "Lifecycle and journeys"):
      - A step is open (due) from due_at until due_at + journey_due_window_hours; before that it
        is upcoming. Per trigger instance one row is kept: the open step (the latest one if
        windows overlap), else the next upcoming step. An instance whose steps have all passed
        has no row: the journey is over for it.
      - Status, first match: exited (an exit event at or after trigger_at and at or before
        as_of) > holdout (the customer is held out of this journey: global_holdout or
        journey_holdout) > suppressed for a permanent reason (unsubscribed, marked_as_spam,
        hard_bounced, no_email_consent) > waiting (not open yet) > suppressed
        smart_sending_window (an email delivered less than smart_sending_hours before as_of) >
        suppressed another_step_of_journey_due (the customer already has a due step of this
        journey in this build; the most recent trigger wins) > due.
      - Why holdout there: an exit is an outcome (an order), recorded alike in both groups, so
        the lift compares like with like; after it, a held-out customer's row says holdout
        whatever else holds (never due, never waiting for an email that will not come), so the
        holdout group's rows are all visible under one status. holdout_group is on every row.
#}

{# The steps of a journey from a list var of offsets: (step, step_offset) rows, step from 1. #}
{% macro journey_step_offsets(offsets) -%}
    {%- for step_offset in offsets %}
    select
        {{ loop.index }} as step,
        {{ step_offset }} as step_offset
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#
    A date's recurrence `years` years later, as a timestamp at 00:00 UTC: the one date rule of
    the yearly journeys (birthday, anniversary), whether a journey model looks for the next one or
    journey_entries lists the past ones. 29 February falls on 28 February in other years (dateadd
    by years keeps the month). `years` is a SQL expression.
#}
{% macro yearly_date_at(date_column, years) -%}
    {#- In parentheses: dbt-spark's dateadd multiplies the interval by 12 months as written. -#}
    cast({{ dbt.dateadd('year', '(' ~ years ~ ')', date_column) }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#
    The next yearly recurrence of a date that a journey emails on (a birthday, an anniversary),
    as a timestamp at 00:00 UTC: this year's while it is still due or to come at as_of (as_of
    before it + journey_due_window_hours), else next year's. first_year = the first recurrence
    that counts (0: the date's own year; 1: a year later, for an anniversary). Macro
    yearly_date_at gives the date.
#}
{% macro next_yearly_date_at(date_column, as_of_column, first_year=0) -%}
    {%- set years -%}
        greatest({{ dbt.datediff(date_column, as_of_column, 'year') }}, {{ first_year }})
    {%- endset -%}
    case
        when {{ as_of_column }}
            < {{ dbt.dateadd('hour', var('segments__journey_due_window_hours'), yearly_date_at(date_column, years)) }}
            then {{ yearly_date_at(date_column, years) }}
        else {{ yearly_date_at(date_column, years ~ ' + 1') }}
    end
{%- endmacro %}

{#
    The dates a customer's anniversaries recur on, the one definition journey_anniversary emails
    on and journey_entries counts: the first valid order's UTC date, and the sign-up's when
    anniversary_include_sign_up is on. A select returning customer_id, anniversary_of
    (first_order / sign_up) and anniversary_date; `customer_facts_cte` holds customer_facts rows.
#}
{% macro anniversary_dates(customer_facts_cte) -%}
    select
        customer_id,
        'first_order' as anniversary_of,
        cast(first_order_at as date) as anniversary_date
    from {{ customer_facts_cte }}
    where first_order_at is not null
    {%- if var('segments__anniversary_include_sign_up') %}
    union all
    select
        customer_id,
        'sign_up' as anniversary_of,
        cast(created_at as date) as anniversary_date
    from {{ customer_facts_cte }}
    where created_at is not null
    {%- endif %}
{%- endmacro %}

{#
    The first instant of each year or month (`datepart`) of the plausible window
    (plausible_timestamp_min to _max, docs/definitions.md §1.4), which holds every counted
    timestamp: the candidate instants of the yearly and monthly journeys. A select returning
    period_start (a timestamp); the caller keeps those at or before as_of.
#}
{% macro plausible_period_starts(datepart) -%}
    {#- From the January of the window's first year. Years are the January month starts:
        dbt-spark's dateadd would read date_spine's "row_number() - 1" years as row_number() - 12
        months. -#}
    select cast(plausible_spine.date_month as {{ dbt.type_timestamp() }}) as period_start
    from (
        {{ dbt.date_spine(
            'month',
            "cast('" ~ (var('segments__plausible_timestamp_min') | string)[:4] ~ "-01-01' as date)",
            "cast('" ~ var('segments__plausible_timestamp_max') ~ "' as date)"
        ) }}
    ) as plausible_spine
    {%- if datepart == 'year' %}
    where extract(month from plausible_spine.date_month) = 1
    {%- elif datepart != 'month' %}
    {{ exceptions.raise_compiler_error("plausible_period_starts: datepart is year or month, not " ~ datepart) }}
    {%- endif %}
{%- endmacro %}

{#
    The instant the monthly VIP offer of a month is due: vip_offer_day_of_month of the month
    starting at `month_start`, 00:00 UTC. journey_vip emails on it, journey_entries counts each
    one on which the customer was VIP.
#}
{% macro vip_offer_at(month_start) -%}
    {{ dbt.dateadd('day', var('segments__vip_offer_day_of_month') - 1, month_start) }}
{%- endmacro %}

{# The remaining CTEs and the final select of a journey model (see above). #}
{% macro journey_rows(journey_name, steps_cte, as_of_cte, send_eligibility_cte, holdouts_cte) -%}
step_windows as (
    select
        {{ steps_cte }}.customer_id,
        {{ steps_cte }}.trigger_key,
        {{ steps_cte }}.trigger_at,
        {{ steps_cte }}.branch,
        {{ steps_cte }}.step,
        {{ steps_cte }}.due_at,
        {{ dbt.dateadd('hour', var('segments__journey_due_window_hours'), steps_cte ~ '.due_at') }} as due_until,
        -- Only an exit at or after the trigger and at or before as_of ends the instance.
        case
            when {{ steps_cte }}.exited_at >= {{ steps_cte }}.trigger_at
                and {{ steps_cte }}.exited_at <= {{ as_of_cte }}.as_of
                then {{ steps_cte }}.exited_at
        end as exited_at,
        {{ steps_cte }}.exit_reason,
        {{ as_of_cte }}.as_of
    from {{ steps_cte }}
    cross join {{ as_of_cte }}
),

open_or_upcoming_steps as (
    select
        *,
        due_at <= as_of as is_open
    from step_windows
    -- A step whose window has passed is done (sent or skipped by an earlier build).
    where as_of < due_until
),

current_steps as (
    select
        *,
        row_number() over (
            partition by customer_id, trigger_key
            order by
                case when is_open then 0 else 1 end,
                case when is_open then -step else step end
        ) as step_order
    from open_or_upcoming_steps
),

steps_with_eligibility as (
    select
        current_steps.*,
        {{ send_eligibility_cte }}.suppression_reason,
        {{ send_eligibility_cte }}.last_email_delivered_at,
        {{ send_eligibility_cte }}.is_in_smart_sending_window,
        -- A journey missing from journey_priorities has no holdout rows (and fails the build
        -- through journey_queue's relationships test), so no row means treated.
        coalesce({{ holdouts_cte }}.is_held_out, false) as is_held_out,
        coalesce({{ holdouts_cte }}.is_in_global_holdout, false) as is_in_global_holdout,
        current_steps.exited_at is null
        and not coalesce({{ holdouts_cte }}.is_held_out, false)
        and {{ send_eligibility_cte }}.suppression_reason is null
        and current_steps.is_open
        and not {{ send_eligibility_cte }}.is_in_smart_sending_window as is_sendable
    -- Customers without a row in send_eligibility do not exist at as_of (created later).
    from current_steps
    inner join {{ send_eligibility_cte }}
        on current_steps.customer_id = {{ send_eligibility_cte }}.customer_id
    left join {{ holdouts_cte }}
        on
            current_steps.customer_id = {{ holdouts_cte }}.customer_id
            and {{ holdouts_cte }}.journey = {{ string_literal(journey_name) }}
    where current_steps.step_order = 1
),

ranked_steps as (
    select
        *,
        -- Nobody gets two steps of one journey in one build: the most recent trigger wins.
        case
            when is_sendable
                then row_number() over (
                    partition by customer_id, is_sendable
                    order by trigger_at desc, step desc, trigger_key
                )
        end as send_rank
    from steps_with_eligibility
),

journey_statuses as (
    select
        *,
        case
            when exited_at is not null then 'exited'
            when is_held_out then 'holdout'
            when suppression_reason is not null then 'suppressed'
            when not is_open then 'waiting'
            when is_in_smart_sending_window then 'suppressed'
            when send_rank > 1 then 'suppressed'
            else 'due'
        end as status,
        case
            when exited_at is not null then exit_reason
            when is_in_global_holdout then 'global_holdout'
            when is_held_out then 'journey_holdout'
            when suppression_reason is not null then suppression_reason
            when not is_open then 'not_yet_due'
            when is_in_smart_sending_window then 'smart_sending_window'
            when send_rank > 1 then 'another_step_of_journey_due'
            else 'due_now'
        end as reason,
        case when is_held_out then 'holdout' else 'treated' end as holdout_group
    from ranked_steps
)

select
    {{ journey_step_columns(journey=string_literal(journey_name)) }}
from journey_statuses
{%- endmacro %}

{#
    The typed columns of a journey row, in the contract's order: each journey_* model selects
    them (with its name as `journey`), and journey_queue, which unions those models, again.
#}
{% macro journey_step_columns(journey='journey') -%}
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast({{ journey }} as {{ dbt.type_string() }}) as journey,
    cast(step as {{ dbt.type_int() }}) as step,
    cast(trigger_at as {{ dbt.type_timestamp() }}) as trigger_at,
    cast(due_at as {{ dbt.type_timestamp() }}) as due_at,
    cast(status as {{ dbt.type_string() }}) as status,
    cast(reason as {{ dbt.type_string() }}) as reason,
    cast(trigger_key as {{ dbt.type_string() }}) as trigger_key,
    cast(branch as {{ dbt.type_string() }}) as branch,
    cast(due_until as {{ dbt.type_timestamp() }}) as due_until,
    cast(exited_at as {{ dbt.type_timestamp() }}) as exited_at,
    cast(last_email_delivered_at as {{ dbt.type_timestamp() }}) as last_email_delivered_at,
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of,
    cast(holdout_group as {{ dbt.type_string() }}) as holdout_group
{%- endmacro %}

{#
    Stints of membership from recorded builds (gaps and islands): a stint is a run of
    consecutive builds in which a key (customer, segment, ...) is a member. Continues a `with`
    list; needs two CTEs:
      - `builds_cte`: one row per recorded build, column as_of (every build, members or not).
      - `memberships_cte`: one row per key and build the key is a member in: key columns, as_of.
    Emits `numbered_builds`, `numbered_memberships`, `membership_islands` and `membership_stints`
    (key columns, entered_at, entered_after, last_member_at, exited_at, builds_in_stint,
    is_entry_observed). entered_at is the first build that saw the membership, entered_after the
    build before it (null for the first build: the entry itself was not observed), exited_at
    the first build without it (null while it lasts).
#}
{% macro membership_stints(builds_cte, memberships_cte, key_columns) -%}
numbered_builds as (
    select
        as_of,
        row_number() over (order by as_of) as build_number
    from {{ builds_cte }}
),

numbered_memberships as (
    select
        {% for column in key_columns -%}
        memberships.{{ column }},
        {% endfor -%}
        numbered_builds.as_of,
        numbered_builds.build_number
    from {{ memberships_cte }} as memberships
    inner join numbered_builds
        on memberships.as_of = numbered_builds.as_of
),

membership_islands as (
    select
        *,
        -- Consecutive builds share one value: build number minus the member's own row number.
        build_number - row_number() over (
            partition by {{ key_columns | join(', ') }}
            order by build_number
        ) as island
    from numbered_memberships
),

grouped_stints as (
    select
        {% for column in key_columns -%}
        {{ column }},
        {% endfor -%}
        min(as_of) as entered_at,
        max(as_of) as last_member_at,
        min(build_number) as first_build_number,
        max(build_number) as last_build_number,
        count(*) as builds_in_stint
    from membership_islands
    group by {{ key_columns | join(', ') }}, island
),

membership_stints as (
    select
        {% for column in key_columns -%}
        grouped_stints.{{ column }},
        {% endfor -%}
        grouped_stints.entered_at,
        previous_build.as_of as entered_after,
        grouped_stints.last_member_at,
        next_build.as_of as exited_at,
        grouped_stints.builds_in_stint,
        grouped_stints.first_build_number > 1 as is_entry_observed
    from grouped_stints
    left join numbered_builds as previous_build
        on grouped_stints.first_build_number - 1 = previous_build.build_number
    left join numbered_builds as next_build
        on grouped_stints.last_build_number + 1 = next_build.build_number
)
{%- endmacro %}

{#
    The bought-together partners of each order's products (product_associations, kind
    bought_together): one row per order and partner product, with the partner's best lift and
    pair_baskets over the order's products (a partner of two of them counts once, at its
    strongest). `order_products` needs order_id, customer_id, product_id; `associations` is
    product_associations. Partners already bought are not removed here: journey_cross_sell
    removes those bought by the order, journey_step_products those bought by as_of.
#}
{% macro order_partner_products(order_products, associations) -%}
    select
        {{ order_products }}.customer_id,
        {{ order_products }}.order_id,
        {{ associations }}.partner_product_id as product_id,
        max({{ associations }}.lift) as lift,
        max({{ associations }}.pair_baskets) as pair_baskets
    from {{ order_products }}
    inner join {{ associations }}
        on {{ order_products }}.product_id = {{ associations }}.product_id
    where {{ associations }}.kind = 'bought_together'
    group by
        {{ order_products }}.customer_id,
        {{ order_products }}.order_id,
        {{ associations }}.partner_product_id
{%- endmacro %}

{#
    Entries into the RFM retention groups (var segments__rfm_retention_groups) from the recorded history, the
    one definition that journey_rfm_retention triggers on and journey_entries counts: a
    recorded build at or before as_of in which the customer's rfm_group is one of the groups
    while at the build before it was none of them. Memberships already there at the first
    recorded build are no entries (nothing saw them begin). Continues a `with` list;
    `segment_history_cte` holds segment_history rows, `as_of_cte` the one as_of row. Emits the
    CTEs history_until_as_of, builds, retention_group_rows, retention_memberships, those of
    membership_stints, and rfm_group_entries (customer_id, entered_at, left_groups_at, rfm_group).
#}
{% macro rfm_retention_group_entries(segment_history_cte, as_of_cte) -%}
history_until_as_of as (
    select {{ segment_history_cte }}.*
    from {{ segment_history_cte }}
    cross join {{ as_of_cte }}
    where {{ segment_history_cte }}.as_of <= {{ as_of_cte }}.as_of
),

builds as (
    select distinct as_of from history_until_as_of
),

retention_group_rows as (
    select
        customer_id,
        segment_name as rfm_group,
        as_of
    from history_until_as_of
    where
        segment_family = 'rfm_group'
        and segment_name in {{ sql_list(var('segments__rfm_retention_groups')) }}
),

retention_memberships as (
    select distinct
        customer_id,
        as_of
    from retention_group_rows
),

{{ membership_stints('builds', 'retention_memberships', ['customer_id']) }},

rfm_group_entries as (
    select
        membership_stints.customer_id,
        membership_stints.entered_at,
        membership_stints.exited_at as left_groups_at,
        retention_group_rows.rfm_group
    from membership_stints
    inner join retention_group_rows
        on membership_stints.customer_id = retention_group_rows.customer_id
        and membership_stints.entered_at = retention_group_rows.as_of
    where membership_stints.is_entry_observed
)
{%- endmacro %}

{#
    The purchases a replenishment reminder is about, the one definition that journey_replenishment
    triggers on and journey_entries counts: one row per valid order and product with
    replenishment_days (an order may hold a product on several lines). `valid_orders` holds
    int_orders' valid orders, `order_items` stg_shop__order_items rows, `products`
    stg_shop__products rows with replenishment_days. Returns customer_id, order_id, ordered_at,
    product_id, replenishment_days.
#}
{% macro replenishable_purchases(valid_orders, order_items, products) -%}
    select
        {{ valid_orders }}.customer_id,
        {{ valid_orders }}.order_id,
        {{ valid_orders }}.ordered_at,
        {{ order_items }}.product_id,
        max({{ products }}.replenishment_days) as replenishment_days
    from {{ valid_orders }}
    inner join {{ order_items }}
        on {{ valid_orders }}.order_id = {{ order_items }}.order_id
    inner join {{ products }}
        on {{ order_items }}.product_id = {{ products }}.product_id
    where {{ products }}.replenishment_days is not null
    group by
        {{ valid_orders }}.customer_id,
        {{ valid_orders }}.order_id,
        {{ valid_orders }}.ordered_at,
        {{ order_items }}.product_id
{%- endmacro %}

{#
    The cross-sell instances of a set of trigger orders, the one definition journey_cross_sell
    emails on and journey_entries counts: each order whose products have bought-together partners
    (macro order_partner_products) that the customer had not bought by the order, due
    cross_sell_delay_days after it, exited by the first later purchase of one of those partners.
    Continues a `with` list; `trigger_orders_cte` has customer_id, order_id, ordered_at;
    `order_products_cte` is int_order_products, `associations_cte` product_associations. Emits
    the CTEs cross_sell_order_products, cross_sell_order_partners, cross_sell_partner_purchases
    and cross_sell_instances (customer_id, order_id, ordered_at, due_at, exited_at; one row per
    trigger order with a partner left).
#}
{% macro cross_sell_instances(trigger_orders_cte, order_products_cte, associations_cte) -%}
cross_sell_order_products as (
    select {{ order_products_cte }}.*
    from {{ order_products_cte }}
    inner join {{ trigger_orders_cte }}
        on {{ order_products_cte }}.order_id = {{ trigger_orders_cte }}.order_id
),

cross_sell_order_partners as (
    {{ order_partner_products('cross_sell_order_products', associations_cte) }}
),

cross_sell_partner_purchases as (
    -- The trigger order itself counts as bought by it: its own products are no cross-sell.
    select
        {{ trigger_orders_cte }}.customer_id,
        {{ trigger_orders_cte }}.order_id,
        {{ trigger_orders_cte }}.ordered_at,
        cross_sell_order_partners.product_id,
        max(case when purchases.ordered_at <= {{ trigger_orders_cte }}.ordered_at then 1 else 0 end)
            as was_bought_by_trigger,
        min(case when purchases.ordered_at > {{ trigger_orders_cte }}.ordered_at then purchases.ordered_at end)
            as bought_after_at
    from {{ trigger_orders_cte }}
    inner join cross_sell_order_partners
        on {{ trigger_orders_cte }}.order_id = cross_sell_order_partners.order_id
    left join {{ order_products_cte }} as purchases
        on {{ trigger_orders_cte }}.customer_id = purchases.customer_id
        and cross_sell_order_partners.product_id = purchases.product_id
    group by
        {{ trigger_orders_cte }}.customer_id,
        {{ trigger_orders_cte }}.order_id,
        {{ trigger_orders_cte }}.ordered_at,
        cross_sell_order_partners.product_id
),

cross_sell_instances as (
    select
        customer_id,
        order_id,
        ordered_at,
        {{ dbt.dateadd('day', var('segments__cross_sell_delay_days'), 'ordered_at') }} as due_at,
        min(bought_after_at) as exited_at
    from cross_sell_partner_purchases
    where was_bought_by_trigger = 0
    group by customer_id, order_id, ordered_at
)
{%- endmacro %}
