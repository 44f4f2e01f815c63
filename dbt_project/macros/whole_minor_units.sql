{#- Minor units of a currency per major unit (ISO 4217): 1 for currencies without decimals (JPY,
    KRW, ...), 100 otherwise. Currencies with three decimals (BHD, KWD, ...) are charged to two. -#}
{% macro minor_units_per_major(currency) -%}
    case
        when upper({{ currency }}) in (
            'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI',
            'VND', 'VUV', 'XAF', 'XOF', 'XPF'
        ) then 1
        else 100
    end
{%- endmacro %}


{#- The value of one minor unit in major units, as an exact decimal (multiplying by it keeps money
    DECIMAL where dividing by `minor_units_per_major` would not on every engine). -#}
{% macro minor_unit(currency) -%}
    case
        when {{ minor_units_per_major(currency) }} = 1 then cast(1 as decimal(38, 10))
        else cast('0.01' as decimal(38, 10))
    end
{%- endmacro %}


{#- Rows of `relation` with `rounded_units`: `amount` in whole minor units (`units_per_major` per
    major unit), such that within each `partition_by` group they add up to exactly `target_units`
    (an expression per row, the same within a group). Largest remainder: every amount is rounded
    down, then the units left go one each to the rows with the largest remainders, ties broken by
    `order_by`. A null amount stays null and gets no unit. -#}
{% macro largest_remainder(relation, amount, units_per_major, partition_by, order_by, target_units) -%}
    {%- set partition = partition_by | join(', ') %}
    select
        floored.*,
        floored.floor_units + case
            when row_number() over (
                partition by {{ partition }}
                order by floored.remainder_units desc nulls last
                {%- for column in order_by %}, floored.{{ column }} nulls last{% endfor %}
            ) <= floored.target_units - sum(floored.floor_units) over (partition by {{ partition }})
                then 1
            else 0
        end as rounded_units
    from (
        select
            unrounded.*,
            floor({{ amount }} * {{ units_per_major }}) as floor_units,
            {{ amount }} * {{ units_per_major }} - floor({{ amount }} * {{ units_per_major }})
                as remainder_units,
            {{ target_units }} as target_units
        from {{ relation }} as unrounded
    ) as floored
{%- endmacro %}
