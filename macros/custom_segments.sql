{#
    Custom segments: a store's segment definitions (var segments__custom_segments, docs/custom_segments.md)
    validated and compiled to SQL. custom_segment_definitions() is the one entry point the models
    call: it fails the parse with one line per problem before anything runs, so a definition
    never half-compiles. The condition tree becomes a boolean expression in which every leaf is
    wrapped in coalesce(..., false) (two-valued logic: a comparison with a missing value is
    false, and `not` of it true). Event leaves read columns of int_custom_segment_activity, one
    per distinct (event, measure, filters, window), so segments asking the same thing share it.
#}

{#- What a condition may name: attributes of custom_segment_profiles with their type, events
    with their source, measures and filters, membership kinds and anniversaries. #}
{% macro custom_segment_catalog() %}
    {%- set site_filters = ['product', 'category'] -%}
    {%- set email_filters = ['message_type', 'name_like'] -%}
    {{ return({
        'attributes': {
            'country_code': 'text', 'days_since_sign_up': 'number', 'acquisition_source': 'text',
            'email_consent': 'text', 'tracking_consent': 'boolean', 'is_emailable': 'boolean',
            'valid_orders': 'number', 'lifetime_net_revenue': 'number', 'aov': 'number',
            'days_since_last_order': 'number', 'lifecycle_stage': 'text', 'is_vip': 'boolean',
            'cadence_status': 'text', 'primary_persona': 'text', 'rfm_segment': 'text',
            'rfm_group': 'text', 'predicted_clv': 'number', 'probability_alive': 'number',
            'churn_risk_band': 'text',
        },
        'events': {
            'orders': {'source': 'order', 'measures': ['count', 'revenue'], 'filters': []},
            'products_bought': {'source': 'order_line', 'measures': ['count', 'units', 'revenue'],
                                'filters': site_filters},
            'product_views': {'source': 'site', 'event_type': 'product_view', 'measures': ['count'],
                              'filters': site_filters},
            'adds_to_cart': {'source': 'site', 'event_type': 'add_to_cart', 'measures': ['count'],
                             'filters': site_filters},
            'checkouts_started': {'source': 'site', 'event_type': 'checkout_started', 'measures': ['count'],
                                  'filters': []},
            'email_deliveries': {'source': 'email', 'flag': "event_type = 'delivered'", 'measures': ['count'],
                                 'filters': email_filters},
            'email_opens': {'source': 'email', 'flag': 'is_human_open', 'measures': ['count'],
                            'filters': email_filters},
            'email_clicks': {'source': 'email', 'flag': 'is_click', 'measures': ['count'],
                             'filters': email_filters},
        },
        'memberships': ['persona', 'primary_persona', 'rfm_segment', 'rfm_group', 'lifecycle_stage',
                        'custom_segment'],
        'anniversaries': {
            'sign_up': 'days_until_sign_up_anniversary',
            'first_order': 'days_until_first_order_anniversary',
            'birthday': 'days_until_birthday',
        },
        'operators': {
            'text': ['=', '!=', 'in', 'not in', 'is null', 'is not null'],
            'number': ['=', '!=', '<', '<=', '>', '>=', 'between', 'in', 'not in', 'is null', 'is not null'],
            'boolean': ['=', '!=', 'is null', 'is not null'],
            'count': ['=', '!=', '<', '<=', '>', '>=', 'between'],
        },
        'message_types': ['campaign', 'flow'],
        'lifecycle_stages': ['acquisition', 'retention', 'loyalty'],
        'builtin_segments': [
            'High Rollers', 'Brand Enthusiasts', 'Potential High Rollers', 'Potential Brand Enthusiasts',
            'Lost High Rollers', 'Lapsed Enthusiasts', 'One-Hit Wonders', 'Just Passing Through',
            'Almost There', 'Window Shoppers', 'Waiting for Wows', 'Espresso Shot', 'False Starts',
            'Dead Weight', 'Unclassified', 'About To Sleep', 'At Risk', "Can't Lose Them", 'Champions',
            'Hibernating', 'Lost', 'Loyal Customers', 'Need Attention', 'New Customers', 'Others',
            'Potential Loyalist', 'Promising', 'Loyal', 'Recent', 'Needs Attention', 'Inactive',
            'acquisition', 'retention', 'loyalty',
        ],
    }) }}
{% endmacro %}


{#- The store's definitions, validated: a list of mappings, or a compiler error listing every
    problem (one line each: segment, path inside it, what is wrong and what is allowed). #}
{% macro custom_segment_definitions(report_left_out=false) %}
    {%- set segments = var('segments__custom_segments', []) or [] -%}
    {%- set problems = [] -%}
    {%- if segments is string or segments is mapping or segments is not iterable -%}
        {{ exceptions.raise_compiler_error(
            "var segments__custom_segments: expected a list of segment definitions (docs/custom_segments.md)") }}
    {%- endif -%}
    {#- Where the definitions came from, for the messages: the command line or a project file. #}
    {%- set given_on_command_line = 'segments__custom_segments' in (invocation_args_dict.get('vars') or {}) -%}
    {%- set source = ('--vars' if given_on_command_line else 'dbt_project.yml') ~ ' var segments__custom_segments' -%}
    {%- set catalog = custom_segment_catalog() -%}
    {%- set builtin = {} -%}
    {%- for name in catalog.builtin_segments -%}
        {%- do builtin.update({custom_segment_slug(name): name}) -%}
    {%- endfor -%}
    {%- set by_name = {} -%}
    {%- set references = {} -%}
    {%- for segment in segments -%}
        {%- set where = source ~ ', item ' ~ loop.index0 -%}
        {%- if segment is not mapping -%}
            {%- do problems.append(where ~ ': expected a mapping with name, description, owner and condition') -%}
        {%- else -%}
            {%- set name = segment.get('name') -%}
            {%- set label = where ~ ", segment '" ~ name ~ "'" -%}
            {%- for key in segment if key not in ['name', 'description', 'owner', 'condition'] -%}
                {%- do problems.append(label ~ ", at " ~ key ~ ": unknown key; allowed: name, description, owner, condition") -%}
            {%- endfor -%}
            {%- if name is not string or not modules.re.match('^[a-z][a-z0-9_]{0,59}$', name) -%}
                {%- do problems.append(label ~ ", at name: a name is lower snake case (a-z, 0-9, _), starts with a letter, at most 60 characters") -%}
            {%- elif name in by_name -%}
                {%- do problems.append(label ~ ", at name: duplicate name (also item " ~ by_name[name] ~ ")") -%}
            {%- elif name in builtin -%}
                {%- do problems.append(label ~ ", at name: clashes with the built-in segment '" ~ builtin[name] ~ "'; choose another name") -%}
            {%- else -%}
                {%- do by_name.update({name: loop.index0}) -%}
            {%- endif -%}
            {%- for key in ['description', 'owner'] -%}
                {%- if segment.get(key) is not string or not segment.get(key) | trim -%}
                    {%- do problems.append(label ~ ", at " ~ key ~ ": required, a non-empty text") -%}
                {%- endif -%}
            {%- endfor -%}
            {%- set refs = [] -%}
            {%- if 'condition' not in segment -%}
                {%- do problems.append(label ~ ", at condition: required") -%}
            {%- else -%}
                {%- do custom_segment_check_node(segment.condition, 'condition', label, catalog, problems, refs) -%}
            {%- endif -%}
            {%- if name is string -%}
                {%- do references.update({name: refs}) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name, refs in references.items() -%}
        {%- for ref in refs if ref.name not in references -%}
            {%- do problems.append(source ~ ", item " ~ by_name.get(name, '?') ~ ", segment '" ~ name ~ "', at " ~ ref.path
                ~ ": unknown custom segment '" ~ ref.name ~ "'; defined: " ~ (references.keys() | sort | join(', '))) -%}
        {%- endfor -%}
        {%- set cycle = custom_segment_cycle(name, references, [name]) -%}
        {%- if cycle -%}
            {%- do problems.append(source ~ ", item " ~ by_name.get(name, '?') ~ ", segment '" ~ name
                ~ "', at condition: a cycle of custom_segment memberships (" ~ cycle | join(' -> ') ~ "); a segment cannot contain itself") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "custom segments: " ~ problems | length ~ " problem(s) in the definitions (docs/custom_segments.md):\n  - "
            ~ problems | join("\n  - ")) }}
    {%- endif -%}
    {{ return(custom_segment_without_predictions(segments, report_left_out)) }}
{% endmacro %}


{#- Whether customer_predictions is built: on DuckDB only (its Python models), unless var
    predictions turns them off (a project without the Python package, or to see on DuckDB what
    Spark leaves out). The models' YAML spells the same rule in their `enabled` config, where
    dbt renders vars but not macros. #}
{% macro predictions_are_built() %}
    {{ return(target.type == 'duckdb' and var('segments__predictions')) }}
{% endmacro %}


{#- The segments that can be built here: all of them where the predictions are built; elsewhere
    those without a prediction attribute and without a membership of a segment left out, with a
    warning naming each one left out and why (once per run, from custom_segment_members). #}
{% macro custom_segment_without_predictions(segments, report_left_out=false) %}
    {%- if predictions_are_built() -%}
        {{ return(segments) }}
    {%- endif -%}
    {%- set reasons = {} -%}
    {%- for segment in segments -%}
        {%- set used = [] -%}
        {%- for leaf in custom_segment_leaves(segment.condition)
              if leaf.get('attribute') in ['predicted_clv', 'probability_alive', 'churn_risk_band']
              and leaf.attribute not in used -%}
            {%- do used.append(leaf.attribute) -%}
        {%- endfor -%}
        {%- if used -%}
            {%- do reasons.update({segment.name: 'uses ' ~ used | join(', ')}) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- Memberships chain at most as deep as there are segments (cycles are rejected). #}
    {%- for _ in segments -%}
        {%- for segment in segments if segment.name not in reasons -%}
            {%- for leaf in custom_segment_leaves(segment.condition)
                  if 'member_of' in leaf and leaf.member_of.get('custom_segment') in reasons
                  and segment.name not in reasons -%}
                {%- do reasons.update({segment.name: 'member of left-out ' ~ leaf.member_of.custom_segment}) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if reasons and report_left_out and execute -%}
        {%- set named = [] -%}
        {%- for segment in segments if segment.name in reasons -%}
            {%- do named.append(segment.name ~ ' (' ~ reasons[segment.name] ~ ')') -%}
        {%- endfor -%}
        {%- do exceptions.warn("custom segments: " ~ named | length ~ " left out on target '" ~ target.name
            ~ "', where customer_predictions is not built: " ~ named | join('; ')) -%}
    {%- endif -%}
    {{ return(segments | rejectattr('name', 'in', reasons.keys() | list) | list) }}
{% endmacro %}


{#- A name as a lower snake case identifier, to compare with the built-in segments and to name
    columns. #}
{% macro custom_segment_slug(value) %}
    {{ return(modules.re.sub('[^a-z0-9]+', '_', (value | string | lower)).strip('_')) }}
{% endmacro %}


{#- The first cycle of custom_segment references from `name` back to path[0], as a list of names,
    or none. #}
{% macro custom_segment_cycle(name, references, path) %}
    {%- for ref in references.get(name, []) -%}
        {%- if ref.name == path[0] -%}
            {{ return(path + [ref.name]) }}
        {%- elif ref.name not in path -%}
            {%- set found = custom_segment_cycle(ref.name, references, path + [ref.name]) -%}
            {%- if found -%}
                {{ return(found) }}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}


{#- Appends a line to `problems` for everything wrong with one condition node and below it, and
    each custom_segment it refers to (with its path) to `refs`. #}
{% macro custom_segment_check_node(node, path, label, catalog, problems, refs) %}
    {%- set kinds = ['all', 'any', 'not', 'attribute', 'event', 'member_of', 'anniversary'] -%}
    {%- set at = label ~ ", at " ~ path -%}
    {%- if node is not mapping -%}
        {%- do problems.append(at ~ ": expected a mapping with one of: " ~ kinds | join(', ')) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set present = kinds | select('in', node.keys() | list) | list -%}
    {%- if present | length != 1 -%}
        {%- do problems.append(at ~ ": a condition has exactly one of: " ~ kinds | join(', ')
            ~ " (found " ~ (present | join(', ') or 'none') ~ ")") -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set kind = present[0] -%}
    {%- if kind in ['all', 'any'] -%}
        {%- do custom_segment_check_keys(node, [kind], at, problems) -%}
        {%- if node[kind] is string or node[kind] is mapping or node[kind] is not iterable or not node[kind] -%}
            {%- do problems.append(at ~ "." ~ kind ~ ": expected a non-empty list of conditions") -%}
        {%- else -%}
            {%- for child in node[kind] -%}
                {%- do custom_segment_check_node(child, path ~ "." ~ kind ~ "[" ~ loop.index0 ~ "]", label, catalog, problems, refs) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- elif kind == 'not' -%}
        {%- do custom_segment_check_keys(node, ['not'], at, problems) -%}
        {%- do custom_segment_check_node(node['not'], path ~ ".not", label, catalog, problems, refs) -%}
    {%- elif kind == 'attribute' -%}
        {%- do custom_segment_check_keys(node, ['attribute', 'op', 'value'], at, problems) -%}
        {%- set attribute_type = catalog.attributes.get(node.attribute) -%}
        {%- if attribute_type is none -%}
            {%- do problems.append(at ~ ".attribute: unknown attribute '" ~ node.attribute ~ "'; allowed: "
                ~ catalog.attributes.keys() | sort | join(', ')) -%}
        {%- else -%}
            {%- do custom_segment_check_comparison(node, attribute_type, "attribute '" ~ node.attribute ~ "'", at, catalog, problems) -%}
        {%- endif -%}
    {%- elif kind == 'event' -%}
        {%- set event = catalog.events.get(node.event) -%}
        {%- if event is none -%}
            {%- do problems.append(at ~ ".event: unknown event '" ~ node.event ~ "'; allowed: "
                ~ catalog.events.keys() | sort | join(', ')) -%}
            {{ return(none) }}
        {%- endif -%}
        {%- do custom_segment_check_keys(node, ['event', 'measure', 'window', 'op', 'value'] + event.filters, at, problems,
            ' (filters of ' ~ node.event ~ ': ' ~ (event.filters | join(', ') or 'none') ~ ')') -%}
        {%- set measure = node.get('measure', 'count') -%}
        {%- if measure not in event.measures -%}
            {%- do problems.append(at ~ ".measure: '" ~ measure ~ "' is not a measure of " ~ node.event
                ~ "; allowed: " ~ event.measures | join(', ')) -%}
        {%- endif -%}
        {%- for filter in event.filters if filter in node -%}
            {%- set values = [node[filter]] if node[filter] is string else node[filter] -%}
            {%- if values is mapping or values is not iterable or not values or values | reject('string') | list -%}
                {%- do problems.append(at ~ "." ~ filter ~ ": expected a text or a non-empty list of texts") -%}
            {%- elif filter == 'message_type' and values | reject('in', catalog.message_types) | list -%}
                {%- do problems.append(at ~ ".message_type: allowed: " ~ catalog.message_types | join(', ')) -%}
            {%- elif filter == 'name_like' and values | length != 1 -%}
                {%- do problems.append(at ~ ".name_like: one LIKE pattern, e.g. '%black friday%'") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do custom_segment_check_window(node.get('window'), at ~ ".window", problems) -%}
        {%- do custom_segment_check_comparison(node, 'count', "event '" ~ node.event ~ "'", at, catalog, problems) -%}
    {%- elif kind == 'member_of' -%}
        {%- do custom_segment_check_keys(node, ['member_of'], at, problems) -%}
        {%- set membership = node.member_of -%}
        {%- if membership is not mapping or membership | length != 1 -%}
            {%- do problems.append(at ~ ".member_of: expected one of " ~ catalog.memberships | join(', ') ~ " with a name, e.g. {persona: High Rollers}") -%}
        {%- else -%}
            {%- set membership_kind, value = (membership.items() | list)[0] -%}
            {%- if membership_kind not in catalog.memberships -%}
                {%- do problems.append(at ~ ".member_of." ~ membership_kind ~ ": unknown membership; allowed: " ~ catalog.memberships | join(', ')) -%}
            {%- elif value is not string or not value -%}
                {%- do problems.append(at ~ ".member_of." ~ membership_kind ~ ": expected the segment's name as a text") -%}
            {%- elif membership_kind == 'lifecycle_stage' and value not in catalog.lifecycle_stages -%}
                {%- do problems.append(at ~ ".member_of.lifecycle_stage: unknown stage '" ~ value ~ "'; allowed: " ~ catalog.lifecycle_stages | join(', ')) -%}
            {%- elif membership_kind == 'custom_segment' -%}
                {%- do refs.append({'name': value, 'path': path ~ '.member_of.custom_segment'}) -%}
            {%- endif -%}
        {%- endif -%}
    {%- elif kind == 'anniversary' -%}
        {%- do custom_segment_check_keys(node, ['anniversary', 'within_next_days'], at, problems) -%}
        {%- if node.anniversary not in catalog.anniversaries -%}
            {%- do problems.append(at ~ ".anniversary: unknown anniversary '" ~ node.anniversary ~ "'; allowed: " ~ catalog.anniversaries.keys() | sort | join(', ')) -%}
        {%- endif -%}
        {%- if not custom_segment_is_whole(node.get('within_next_days')) -%}
            {%- do problems.append(at ~ ".within_next_days: required, a whole number of days >= 0") -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}


{#- A problem per key of `node` not in `allowed`. #}
{% macro custom_segment_check_keys(node, allowed, at, problems, hint='') %}
    {%- for key in node if key not in allowed -%}
        {%- do problems.append(at ~ "." ~ key ~ ": unknown key; allowed: " ~ allowed | join(', ') ~ hint) -%}
    {%- endfor -%}
{% endmacro %}


{#- True for an integer >= 0 (not a boolean). #}
{% macro custom_segment_is_whole(value) %}
    {{ return(value is number and value is not sameas true and value is not sameas false
              and value | int == value and value >= 0) }}
{% endmacro %}


{#- A problem when op does not fit value_type (text, number, boolean or count) or value does not
    fit op. #}
{% macro custom_segment_check_comparison(node, value_type, subject, at, catalog, problems) %}
    {%- set allowed = catalog.operators[value_type] -%}
    {%- set op = node.get('op') -%}
    {%- set value = node.get('value') -%}
    {%- if op not in allowed -%}
        {%- do problems.append(at ~ ".op: operator '" ~ op ~ "' does not fit " ~ value_type ~ " " ~ subject
            ~ "; allowed: " ~ allowed | join(', ')) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set scalar_type = 'number' if value_type == 'count' else value_type -%}
    {%- if op in ['is null', 'is not null'] -%}
        {%- if 'value' in node -%}
            {%- do problems.append(at ~ ".value: '" ~ op ~ "' takes no value") -%}
        {%- endif -%}
    {%- elif op == 'between' -%}
        {%- if value is string or value is mapping or value is not iterable or value | length != 2
              or not custom_segment_fits(value[0], scalar_type) or not custom_segment_fits(value[1], scalar_type) -%}
            {%- do problems.append(at ~ ".value: 'between' takes a list of two numbers [low, high]") -%}
        {%- elif value[0] > value[1] -%}
            {%- do problems.append(at ~ ".value: 'between' low " ~ value[0] ~ " is above high " ~ value[1]) -%}
        {%- endif -%}
    {%- elif op in ['in', 'not in'] -%}
        {%- if value is string or value is mapping or value is not iterable or not value -%}
            {%- do problems.append(at ~ ".value: '" ~ op ~ "' takes a non-empty list of " ~ scalar_type ~ " values") -%}
        {%- else -%}
            {%- for item in value -%}
                {%- if not custom_segment_fits(item, scalar_type) -%}
                {%- do problems.append(at ~ ".value[" ~ loop.index0 ~ "]: expected a " ~ scalar_type ~ " value for " ~ subject) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- elif not custom_segment_fits(value, scalar_type) -%}
        {%- do problems.append(at ~ ".value: expected a " ~ scalar_type ~ " value for " ~ subject ~ " (got " ~ (value if value is not none else 'nothing') ~ ")") -%}
    {%- endif -%}
{% endmacro %}


{#- Whether a YAML value has the type: text, number (not a boolean) or boolean. #}
{% macro custom_segment_fits(value, value_type) %}
    {%- set is_boolean = value is sameas true or value is sameas false -%}
    {%- if value_type == 'boolean' -%}
        {{ return(is_boolean) }}
    {%- elif value_type == 'number' -%}
        {{ return(value is number and not is_boolean) }}
    {%- else -%}
        {{ return(value is string) }}
    {%- endif -%}
{% endmacro %}


{#- A problem unless the window is all_time, {last_days: N}, {from_days_ago: M, to_days_ago: N}
    with M >= N, or {since: YYYY-MM-DD}. #}
{% macro custom_segment_check_window(window, at, problems) %}
    {%- set allowed = "allowed: all_time, {last_days: N}, {from_days_ago: M, to_days_ago: N} (M >= N), {since: YYYY-MM-DD}" -%}
    {%- if window == 'all_time' -%}
        {{ return(none) }}
    {%- elif window is not mapping -%}
        {%- do problems.append(at ~ ": required; " ~ allowed) -%}
    {%- elif window.keys() | list == ['last_days'] -%}
        {%- if not custom_segment_is_whole(window.last_days) -%}
            {%- do problems.append(at ~ ".last_days: a whole number of days >= 0") -%}
        {%- endif -%}
    {%- elif window.keys() | sort | list == ['from_days_ago', 'to_days_ago'] -%}
        {%- if not custom_segment_is_whole(window.from_days_ago) or not custom_segment_is_whole(window.to_days_ago) -%}
            {%- do problems.append(at ~ ": from_days_ago and to_days_ago are whole numbers of days >= 0") -%}
        {%- elif window.from_days_ago < window.to_days_ago -%}
            {%- do problems.append(at ~ ": the window starts (" ~ window.from_days_ago ~ " days ago) after it ends ("
                ~ window.to_days_ago ~ " days ago); from_days_ago must be >= to_days_ago") -%}
        {%- endif -%}
    {%- elif window.keys() | list == ['since'] -%}
        {%- if not modules.re.match('^\d{4}-\d{2}-\d{2}$', window.since | string) -%}
            {%- do problems.append(at ~ ".since: a date written YYYY-MM-DD (quoted)") -%}
        {%- endif -%}
    {%- else -%}
        {%- do problems.append(at ~ ": " ~ allowed) -%}
    {%- endif -%}
{% endmacro %}


{#- Every leaf of a condition tree (attribute, event, member_of, anniversary nodes), in order. #}
{% macro custom_segment_leaves(node, found=none) %}
    {%- set found = [] if found is none else found -%}
    {%- for kind in ['all', 'any'] if kind in node -%}
        {%- for child in node[kind] -%}
            {%- do custom_segment_leaves(child, found) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if 'not' in node -%}
        {%- do custom_segment_leaves(node['not'], found) -%}
    {%- elif 'all' not in node and 'any' not in node -%}
        {%- do found.append(node) -%}
    {%- endif -%}
    {{ return(found) }}
{% endmacro %}


{#- The aggregate an event leaf reads: its column of int_custom_segment_activity (named by event,
    measure, window and filters, so equal leaves share it), its source and its SQL aggregate over
    that source's rows (columns days_since, occurred_at and the filter columns). #}
{% macro custom_segment_aggregate(node) %}
    {%- set event = custom_segment_catalog().events[node.event] -%}
    {%- set measure = node.get('measure', 'count') -%}
    {%- set window = node.window -%}
    {%- set conditions = [] -%}
    {%- if event.event_type is defined -%}
        {%- do conditions.append('event_type = ' ~ string_literal(event.event_type)) -%}
    {%- endif -%}
    {%- if event.flag is defined -%}
        {%- do conditions.append(event.flag) -%}
    {%- endif -%}
    {%- if window == 'all_time' -%}
        {%- set window_key = 'all_time' -%}
    {%- elif 'last_days' in window -%}
        {%- set window_key = 'last_' ~ window.last_days ~ 'd' -%}
        {%- do conditions.append('days_since <= ' ~ window.last_days) -%}
    {%- elif 'since' in window -%}
        {%- set window_key = 'since_' ~ (window.since | string | replace('-', '')) -%}
        {%- do conditions.append('occurred_at >= cast(' ~ string_literal(window.since | string) ~ ' as ' ~ dbt.type_timestamp() ~ ')') -%}
    {%- else -%}
        {%- set window_key = window.from_days_ago ~ '_to_' ~ window.to_days_ago ~ '_days_ago' -%}
        {%- do conditions.append('days_since between ' ~ window.to_days_ago ~ ' and ' ~ window.from_days_ago) -%}
    {%- endif -%}
    {%- set parts = [node.event, measure, window_key] -%}
    {%- set columns = {'product': 'product_id', 'category': 'category', 'message_type': 'message_type'} -%}
    {%- for filter in event.filters if filter in node -%}
        {%- set values = ([node[filter]] if node[filter] is string else node[filter]) | sort | unique | list -%}
        {%- do parts.append(filter ~ '_' ~ custom_segment_slug(values | join('_'))) -%}
        {%- if filter == 'name_like' -%}
            {%- do conditions.append('lower(campaign_or_flow_name) like ' ~ string_literal(values[0] | lower)) -%}
        {%- else -%}
            {%- set literals = [] -%}
            {%- for value in values -%}
                {%- do literals.append(string_literal(value)) -%}
            {%- endfor -%}
            {%- do conditions.append(columns[filter] ~ ' in (' ~ literals | join(', ') ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set slugs = [] -%}
    {%- for part in parts -%}
        {%- do slugs.append(custom_segment_slug(part)) -%}
    {%- endfor -%}
    {%- set column = slugs | join('__') -%}
    {%- if column | length > 63 -%}
        {%- set column = column[:50] ~ '_' ~ local_md5(column)[:8] -%}
    {%- endif -%}
    {%- set condition = conditions | join(' and ') or 'true' -%}
    {%- if event.source == 'order_line' and measure == 'count' -%}
        {%- set sql = 'count(distinct case when ' ~ condition ~ ' then order_id end)' -%}
    {%- else -%}
        {%- set amount = {'count': '1', 'revenue': 'net_revenue', 'units': 'units'}[measure] -%}
        {%- set sql = 'sum(case when ' ~ condition ~ ' then ' ~ amount ~ ' else 0 end)' -%}
    {%- endif -%}
    {{ return({'column': column, 'source': event.source, 'sql': sql}) }}
{% endmacro %}


{#- The distinct aggregates the segments need, by source: {source: [aggregate, ...]}. #}
{% macro custom_segment_aggregates(segments) %}
    {%- set by_source = {'order': [], 'order_line': [], 'site': [], 'email': []} -%}
    {%- set seen = {} -%}
    {%- for segment in segments -%}
        {%- for leaf in custom_segment_leaves(segment.condition) if 'event' in leaf -%}
            {%- set aggregate = custom_segment_aggregate(leaf) -%}
            {%- if aggregate.column not in seen -%}
                {%- do seen.update({aggregate.column: aggregate.sql}) -%}
                {%- do by_source[aggregate.source].append(aggregate) -%}
            {%- elif seen[aggregate.column] != aggregate.sql -%}
                {#- Filter values that differ only in case or punctuation name the same column. #}
                {{ exceptions.raise_compiler_error("custom segments: segment '" ~ segment.name
                    ~ "' counts " ~ aggregate.sql ~ ", which another segment's filter values name the same column ("
                    ~ aggregate.column ~ ") with other values; write the values alike") }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(by_source) }}
{% endmacro %}


{#- The personas that member_of: {persona: ...} leaves name, each with its flag column. #}
{% macro custom_segment_personas(segments) %}
    {%- set personas = {} -%}
    {%- for segment in segments -%}
        {%- for leaf in custom_segment_leaves(segment.condition)
              if 'member_of' in leaf and 'persona' in leaf.member_of -%}
            {%- do personas.update({leaf.member_of.persona: 'is_persona_' ~ custom_segment_slug(leaf.member_of.persona)}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(personas) }}
{% endmacro %}


{#- The CTEs a condition is evaluated over, ending in customer_inputs: one row per customer of
    custom_segment_profiles with every activity aggregate the segments use (0 without such
    events) and every persona flag their member_of persona leaves name. custom_segment_members
    and the preview (custom_segment_preview) both read it, so a preview counts what the build
    built. The caller writes `with` before it and its own CTEs after it. #}
{% macro custom_segment_inputs(segments) -%}
    {%- set aggregates = custom_segment_aggregates(segments) -%}
    {%- set personas = custom_segment_personas(segments) -%}
profiles as (
    select * from {{ ref('custom_segment_profiles') }}
),

activity as (
    select * from {{ ref('int_custom_segment_activity') }}
),
{%- if personas %}

persona_memberships as (
    select * from {{ ref('int_persona_memberships') }}
),

-- Every persona a customer meets, not only the primary one.
persona_flags as (
    select
        customer_id,
        {%- for persona, column in personas.items() %}
        max(case when persona_name = {{ string_literal(persona) }} then 1 else 0 end) = 1 as {{ column }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from persona_memberships
    group by customer_id
),
{%- endif %}

customer_inputs as (
    select
        profiles.*
        {%- for source_aggregates in aggregates.values() %}
        {%- for aggregate in source_aggregates %},
        coalesce(activity.{{ aggregate.column }}, 0) as {{ aggregate.column }}
        {%- endfor %}
        {%- endfor %}
        {%- for column in personas.values() %},
        coalesce(persona_flags.{{ column }}, false) as {{ column }}
        {%- endfor %}
    from profiles
    left join activity on profiles.customer_id = activity.customer_id
    {%- if personas %}
    left join persona_flags on profiles.customer_id = persona_flags.customer_id
    {%- endif %}
)
{%- endmacro %}

{#- A Jinja value as a SQL literal of its type. #}
{% macro custom_segment_literal(value) %}
    {%- if value is sameas true or value is sameas false -%}
        {{ return('true' if value else 'false') }}
    {%- elif value is number -%}
        {{ return(value | string) }}
    {%- else -%}
        {{ return(string_literal(value)) }}
    {%- endif -%}
{% endmacro %}


{#- `column op value` as SQL (may be null when the column is). #}
{% macro custom_segment_comparison(column, op, value) %}
    {%- if op in ['is null', 'is not null'] -%}
        {{ return(column ~ ' ' ~ op) }}
    {%- elif op == 'between' -%}
        {{ return(column ~ ' between ' ~ custom_segment_literal(value[0]) ~ ' and ' ~ custom_segment_literal(value[1])) }}
    {%- elif op in ['in', 'not in'] -%}
        {%- set literals = [] -%}
        {%- for item in value -%}
            {%- do literals.append(custom_segment_literal(item)) -%}
        {%- endfor -%}
        {{ return(column ~ ' ' ~ op ~ ' (' ~ literals | join(', ') ~ ')') }}
    {%- else -%}
        {{ return(column ~ ' ' ~ ('<>' if op == '!=' else op) ~ ' ' ~ custom_segment_literal(value)) }}
    {%- endif -%}
{% endmacro %}


{#- A validated condition as a boolean SQL expression over a row of custom_segment_profiles joined
    to int_custom_segment_activity and the persona flags. Never null: every leaf is wrapped in
    coalesce(..., false), so `not` of a comparison with a missing value is true. #}
{% macro custom_segment_condition_sql(node, segments) %}
    {%- if 'all' in node or 'any' in node -%}
        {%- set kind = 'all' if 'all' in node else 'any' -%}
        {%- set parts = [] -%}
        {%- for child in node[kind] -%}
            {%- do parts.append(custom_segment_condition_sql(child, segments)) -%}
        {%- endfor -%}
        {{ return('(' ~ parts | join(' and ' if kind == 'all' else ' or ') ~ ')') }}
    {%- elif 'not' in node -%}
        {{ return('not ' ~ custom_segment_condition_sql(node['not'], segments)) }}
    {%- endif -%}
    {{ return('coalesce(' ~ custom_segment_leaf_sql(node, segments) ~ ', false)') }}
{% endmacro %}


{#- One leaf's test as SQL, null when a value it compares is missing. A custom_segment leaf is the
    other segment's whole expression inlined (custom_segment_definitions rejects cycles). #}
{% macro custom_segment_leaf_sql(node, segments) %}
    {%- if 'attribute' in node -%}
        {{ return(custom_segment_comparison(node.attribute, node.op, node.get('value'))) }}
    {%- elif 'event' in node -%}
        {{ return(custom_segment_comparison(custom_segment_aggregate(node).column, node.op, node.get('value'))) }}
    {%- elif 'anniversary' in node -%}
        {{ return(custom_segment_catalog().anniversaries[node.anniversary] ~ ' <= ' ~ node.within_next_days) }}
    {%- endif -%}
    {%- set membership_kind, value = (node.member_of.items() | list)[0] -%}
    {%- if membership_kind == 'custom_segment' -%}
        {%- for segment in segments if segment.name == value -%}
            {{ return(custom_segment_condition_sql(segment.condition, segments)) }}
        {%- endfor -%}
    {%- elif membership_kind == 'persona' -%}
        {{ return('is_persona_' ~ custom_segment_slug(value)) }}
    {%- endif -%}
    {{ return(custom_segment_comparison(membership_kind, '=', value)) }}
{% endmacro %}


{#- What a leaf is about, as people read it: the one wording of both the members' evidence
    (entered_because) and the readable definitions (custom_segment_definitions). An attribute
    is its name, an event `event[measure, filters, window]`, a membership `kind[name]`, an
    anniversary the days-until column it compares. #}
{% macro custom_segment_leaf_label(node) %}
    {%- if 'attribute' in node -%}
        {{ return(node.attribute) }}
    {%- elif 'anniversary' in node -%}
        {{ return(custom_segment_catalog().anniversaries[node.anniversary]) }}
    {%- elif 'member_of' in node -%}
        {%- set membership_kind, value = (node.member_of.items() | list)[0] -%}
        {{ return(membership_kind ~ '[' ~ value ~ ']') }}
    {%- endif -%}
    {%- set details = [] -%}
    {%- if node.get('measure', 'count') != 'count' -%}
        {%- do details.append(node.measure) -%}
    {%- endif -%}
    {%- for filter in custom_segment_catalog().events[node.event].filters if filter in node -%}
        {%- set values = ([node[filter]] if node[filter] is string else node[filter]) | join(' or ') -%}
        {%- do details.append({'product': '', 'message_type': '', 'category': 'category ', 'name_like': 'name like '}[filter] ~ values) -%}
    {%- endfor -%}
    {%- set window = node.window -%}
    {%- if window == 'all_time' -%}
        {%- do details.append('all time') -%}
    {%- elif 'last_days' in window -%}
        {%- do details.append('last ' ~ window.last_days ~ ' d') -%}
    {%- elif 'since' in window -%}
        {%- do details.append('since ' ~ window.since) -%}
    {%- else -%}
        {%- do details.append(window.to_days_ago ~ '-' ~ window.from_days_ago ~ ' d ago') -%}
    {%- endif -%}
    {{ return(node.event ~ '[' ~ details | join(', ') ~ ']') }}
{% endmacro %}


{#- The value that decides a leaf for one customer, as SQL: the attribute, the event's aggregate,
    the days to the anniversary, or whether the customer is in the membership (true/false). #}
{% macro custom_segment_leaf_value_sql(node, segments) %}
    {%- if 'attribute' in node -%}
        {{ return(node.attribute) }}
    {%- elif 'event' in node -%}
        {{ return(custom_segment_aggregate(node).column) }}
    {%- elif 'anniversary' in node -%}
        {{ return(custom_segment_catalog().anniversaries[node.anniversary]) }}
    {%- endif -%}
    {{ return('coalesce(' ~ custom_segment_leaf_sql(node, segments) ~ ', false)') }}
{% endmacro %}


{#- A member's entered_because as SQL text: `label=value` for each leaf of the condition, in the
    order written, `; ` between them, a missing value as `null`. A label that recurs is shown once
    (its value is the same). #}
{% macro custom_segment_evidence_sql(condition, segments) %}
    {%- set parts = [] -%}
    {%- set seen = [] -%}
    {%- for leaf in custom_segment_leaves(condition) -%}
        {%- set label = custom_segment_leaf_label(leaf) -%}
        {%- if label not in seen -%}
            {%- do parts.append(string_literal(('; ' if seen else '') ~ label ~ '=')) -%}
            {%- do parts.append(as_text(custom_segment_leaf_value_sql(leaf, segments), 'null')) -%}
            {%- do seen.append(label) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(dbt.concat(parts)) }}
{% endmacro %}


{#- A condition as nested readable text, e.g. `all of (country_code = US; product_views[SKU-0001,
    last 30 d] >= 1; not (member of persona[Window Shoppers]))`, with the leaf labels of
    entered_because. #}
{% macro custom_segment_readable(node) %}
    {%- if 'all' in node or 'any' in node -%}
        {%- set kind = 'all' if 'all' in node else 'any' -%}
        {%- set parts = [] -%}
        {%- for child in node[kind] -%}
            {%- do parts.append(custom_segment_readable(child)) -%}
        {%- endfor -%}
        {{ return(kind ~ ' of (' ~ parts | join('; ') ~ ')') }}
    {%- elif 'not' in node -%}
        {{ return('not (' ~ custom_segment_readable(node['not']) ~ ')') }}
    {%- elif 'member_of' in node -%}
        {{ return('member of ' ~ custom_segment_leaf_label(node)) }}
    {%- elif 'anniversary' in node -%}
        {{ return(custom_segment_leaf_label(node) ~ ' <= ' ~ node.within_next_days) }}
    {%- endif -%}
    {%- set value = node.get('value') -%}
    {%- set texts = [] -%}
    {%- for item in (value if value is iterable and value is not string and value is not mapping else [value]) -%}
        {%- do texts.append(('true' if item else 'false') if (item is sameas true or item is sameas false) else item | string) -%}
    {%- endfor -%}
    {%- if node.op in ['is null', 'is not null'] -%}
        {%- set compared = node.op -%}
    {%- elif node.op == 'between' -%}
        {%- set compared = 'between ' ~ texts[0] ~ ' and ' ~ texts[1] -%}
    {%- elif node.op in ['in', 'not in'] -%}
        {%- set compared = node.op ~ ' (' ~ texts | join(', ') ~ ')' -%}
    {%- else -%}
        {%- set compared = node.op ~ ' ' ~ texts[0] -%}
    {%- endif -%}
    {{ return(custom_segment_leaf_label(node) ~ ' ' ~ compared) }}
{% endmacro %}


{#- The definitions as readable text, one entry per segment with its owner, description and
    readable condition: the opening comment of custom_segment_definitions' compiled SQL, which
    the docs site shows. #}
{% macro custom_segment_docs(segments) %}
    {%- set lines = [] -%}
    {%- for segment in segments -%}
        {%- do lines.append('- ' ~ segment.name ~ ' (owner: ' ~ segment.owner | trim ~ '): '
            ~ segment.description | trim ~ '\n  ' ~ custom_segment_readable(segment.condition)) -%}
    {%- endfor -%}
    {{ return((lines | join('\n') or 'No custom segment is defined.') | replace('*/', '* /')) }}
{% endmacro %}


{#- Every product and category value the segments filter on, once per segment, filter and value:
    a list of {segment, filter, value}, for the test that warns about values not in the data. #}
{% macro custom_segment_named_values(segments) %}
    {%- set found = [] -%}
    {%- for segment in segments -%}
        {%- for leaf in custom_segment_leaves(segment.condition) if 'event' in leaf -%}
            {%- for filter in ['product', 'category'] if filter in leaf -%}
                {%- for value in ([leaf[filter]] if leaf[filter] is string else leaf[filter]) -%}
                    {%- set item = {'segment': segment.name, 'filter': filter, 'value': value} -%}
                    {%- if item not in found -%}
                        {%- do found.append(item) -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(found) }}
{% endmacro %}


{#- Whole days from the UTC date of as_of to the next yearly recurrence of a date (0 = today),
    counting from the recurrence first_year years after the date (1 for an anniversary of a
    sign-up or a first order, whose own day is not one). 29 February falls on 28 February in
    other years (dateadd by years keeps the month). Null when the date is. #}
{% macro days_until_next_yearly(date_column, as_of_column, first_year=0) -%}
    {%- set from_date = 'cast(' ~ date_column ~ ' as date)' -%}
    {%- set as_of_date = 'cast(' ~ as_of_column ~ ' as date)' -%}
    {%- set years -%}
        greatest({{ dbt.datediff(from_date, as_of_date, 'year') }}, {{ first_year }})
    {%- endset -%}
    {%- set this_year = 'cast(' ~ dbt.dateadd('year', '(' ~ years ~ ')', from_date) ~ ' as date)' -%}
    {#- In parentheses: dbt-spark's dateadd multiplies the interval by 12 months as written. #}
    {%- set next_year = 'cast(' ~ dbt.dateadd('year', '(' ~ years ~ ' + 1)', from_date) ~ ' as date)' -%}
    cast(case
        when {{ this_year }} >= {{ as_of_date }} then {{ dbt.datediff(as_of_date, this_year, 'day') }}
        else {{ dbt.datediff(as_of_date, next_year, 'day') }}
    end as integer)
{%- endmacro %}


{#- Every leaf of every segment's condition as a named condition (segment_change_reasons): name
    (<segment>.leaf_<n>, n in custom_segment_leaves order), segment, rule (the leaf as readable
    SQL), sql (the leaf's boolean, as custom_segment_condition_sql compiles it), subject (what the
    leaf reads), value_sql (its value; for days since a date, the date, with value_kind
    'days_since', so it changes only when the date does) and value_kind. A member_of
    custom_segment leaf is the other segment's whole condition. An anniversary leaf's value is
    the date it recurs from (the days until it change every day). #}
{% macro custom_segment_leaf_conditions(segments) %}
    {%- set catalog = custom_segment_catalog() -%}
    {%- set dated = {'days_since_last_order': 'last_order_at', 'days_since_sign_up': 'created_at'} -%}
    {%- set conditions = [] -%}
    {%- for segment in segments -%}
        {%- for leaf in custom_segment_leaves(segment.condition) -%}
            {%- set value_kind = 'value' -%}
            {%- if 'attribute' in leaf -%}
                {%- set subject = leaf.attribute -%}
                {%- set rule = custom_segment_comparison(leaf.attribute, leaf.op, leaf.get('value')) -%}
                {%- if leaf.attribute in dated -%}
                    {%- set value_sql = dated[leaf.attribute] -%}
                    {%- set value_kind = 'days_since' -%}
                {%- else -%}
                    {%- set value_sql = leaf.attribute -%}
                {%- endif -%}
            {%- elif 'event' in leaf -%}
                {%- set subject = custom_segment_aggregate(leaf).column -%}
                {%- set rule = custom_segment_comparison(subject, leaf.op, leaf.get('value')) -%}
                {%- set value_sql = subject -%}
            {%- elif 'anniversary' in leaf -%}
                {%- set rule = catalog.anniversaries[leaf.anniversary] ~ ' <= ' ~ leaf.within_next_days -%}
                {%- set subject = {'sign_up': 'created_at', 'first_order': 'first_order_at', 'birthday': 'birth_date'}[leaf.anniversary] -%}
                {%- set value_sql = subject -%}
            {%- else -%}
                {%- set membership_kind, member_name = (leaf.member_of.items() | list)[0] -%}
                {%- set subject = membership_kind -%}
                {%- set rule = 'member of ' ~ membership_kind ~ ' ' ~ member_name -%}
                {%- if membership_kind in ['custom_segment', 'persona'] -%}
                    {%- set value_sql = custom_segment_condition_sql(leaf, segments) -%}
                {%- else -%}
                    {%- set value_sql = membership_kind -%}
                {%- endif -%}
            {%- endif -%}
            {%- do conditions.append({
                'name': segment.name ~ '.leaf_' ~ loop.index,
                'segment': segment.name,
                'rule': rule,
                'sql': custom_segment_condition_sql(leaf, segments),
                'subject': subject,
                'value_sql': value_sql,
                'value_kind': value_kind,
            }) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(conditions) }}
{% endmacro %}

