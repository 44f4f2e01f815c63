{{ config(materialized='table') }}

{#-
    How each application uses AI through the gateways, per ISO week (Monday to Sunday, UTC days),
    against its trailing baseline: the previous baseline_weeks complete weeks it had traffic in
    (governance/thresholds.yml drift). One row per application, week and measure, with the
    statistic the measure's rule tests, its value, and whether the week drifted.

    - Only complete weeks are judged: all seven days inside the gateway data. The application's first
      week is judged, and counts as a baseline, only when its traffic had started by the Monday.
    - Fewer than min_baseline_weeks baseline weeks: no verdict. A week below its measure's volume:
      no verdict.
    - requests, tokens_per_request, output_input_ratio: robust z-score against the baseline weeks'
      values, z = (week - median) / (1.4826 x MAD); when the MAD is 0, 1.2533 x the mean absolute
      deviation; when that is 0 too there is no z and any change from the median meets it. Drift when
      |z| >= min_abs_z and the week is at least min_fold_change times the median or at most the
      median divided by it, and the volume holds.
    - error_rate, fallback_rate, off_hours_share: two-proportion z-test of the week against the
      baseline weeks pooled; drift when |z| >= min_abs_z and the share moved by min_abs_change or
      more.
    - model_mix: total variation distance between the week's shares of tokens per model and the
      baseline weeks' pooled shares; value and baseline_value are the shares of the model whose share
      moved most.
    - new_model, new_provider: the share of the week's tokens on models (providers) no baseline week
      used.
    Gateways see each request with its model, outcome and time; an application's traffic is the
    application keys (LiteLLM team or key, OpenTelemetry service) governance declares for it.
-#}

with rules as (

    select * from {{ ref('stg_governance__usage_drift_thresholds') }}
    where is_enabled

),

settings as (

    {#- Settings every measure shares (each row of the rules carries them). -#}
    select
        max(baseline_weeks) as baseline_weeks,
        max(min_baseline_weeks) as min_baseline_weeks,
        max(work_start_hour) as work_start_hour,
        max(work_end_hour) as work_end_hour,
        max(utc_offset_hours) as utc_offset_hours
    from {{ ref('stg_governance__usage_drift_thresholds') }}

),

hourly as (

    select * from {{ ref('int_gateway_requests_hourly') }}

),

data_span as (

    select min(usage_date) as first_date, max(usage_date) as last_date from hourly

),

classified as (

    select * from {{ ref('int_gateway_application_hours') }}

),

first_days as (

    select application_id, min(usage_date) as first_date from classified group by application_id

),

weekly as (

    select
        application_id,
        week_start,
        max(team_id) as team_id,
        sum(request_count) as requests,
        sum(success_count) as successes,
        sum(failure_count) as failures,
        sum(fallback_count) as fallbacks,
        sum(off_hours_count) as off_hours_requests,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens
    from classified
    group by application_id, week_start

),

weeks as (

    {#- Weeks that are judged and serve as baselines: complete, and not before the application's first day. -#}
    select weekly.*
    from weekly
    cross join data_span
    inner join first_days on first_days.application_id = weekly.application_id
    where weekly.week_start >= data_span.first_date
        and weekly.week_start >= first_days.first_date
        and cast({{ dbt.dateadd('day', 6, 'weekly.week_start') }} as date) <= data_span.last_date

),

baseline_pairs as (

    select
        judged.application_id,
        judged.week_start,
        earlier.week_start as baseline_week_start
    from weeks as judged
    cross join settings
    inner join weeks as earlier
        on earlier.application_id = judged.application_id
        and earlier.week_start < judged.week_start
        and earlier.week_start >= cast({{ dbt.dateadd('day', '-7 * settings.baseline_weeks', 'judged.week_start') }} as date)

),

baseline_sizes as (

    select
        weeks.application_id,
        weeks.week_start,
        count(baseline_pairs.baseline_week_start) as baseline_weeks
    from weeks
    left join baseline_pairs
        on baseline_pairs.application_id = weeks.application_id
        and baseline_pairs.week_start = weeks.week_start
    group by weeks.application_id, weeks.week_start

),

{#- Counts and ratios: robust z-score against the baseline weeks' values. -#}

ratio_values as (

    select application_id, week_start, 'requests' as measure, cast(requests as double) as value, requests as volume
    from weeks
    union all
    select
        application_id, week_start, 'tokens_per_request',
        cast(input_tokens + output_tokens as double) / nullif(successes, 0), successes
    from weeks
    union all
    select
        application_id, week_start, 'output_input_ratio',
        cast(output_tokens as double) / nullif(input_tokens, 0), successes
    from weeks

),

ratio_baselines as (

    select
        judged.application_id,
        judged.week_start,
        judged.measure,
        earlier.value as baseline_week_value
    from ratio_values as judged
    inner join baseline_pairs
        on baseline_pairs.application_id = judged.application_id
        and baseline_pairs.week_start = judged.week_start
    inner join ratio_values as earlier
        on earlier.application_id = judged.application_id
        and earlier.week_start = baseline_pairs.baseline_week_start
        and earlier.measure = judged.measure

),

ratio_medians as (

    select
        application_id,
        week_start,
        measure,
        {{ median_of('baseline_week_value') }} as baseline_median
    from ratio_baselines
    group by application_id, week_start, measure

),

ratio_spreads as (

    select
        ratio_baselines.application_id,
        ratio_baselines.week_start,
        ratio_baselines.measure,
        ratio_medians.baseline_median,
        {{ median_of('abs(ratio_baselines.baseline_week_value - ratio_medians.baseline_median)') }} as baseline_mad,
        avg(abs(ratio_baselines.baseline_week_value - ratio_medians.baseline_median)) as baseline_mean_deviation
    from ratio_baselines
    inner join ratio_medians
        on ratio_medians.application_id = ratio_baselines.application_id
        and ratio_medians.week_start = ratio_baselines.week_start
        and ratio_medians.measure = ratio_baselines.measure
    group by
        ratio_baselines.application_id, ratio_baselines.week_start, ratio_baselines.measure,
        ratio_medians.baseline_median

),

ratio_scales as (

    select
        ratio_values.*,
        ratio_spreads.baseline_median as baseline_value,
        case
            when ratio_spreads.baseline_mad > 0 then 1.4826 * ratio_spreads.baseline_mad
            when ratio_spreads.baseline_mean_deviation > 0 then 1.2533 * ratio_spreads.baseline_mean_deviation
        end as scale
    from ratio_values
    left join ratio_spreads
        on ratio_spreads.application_id = ratio_values.application_id
        and ratio_spreads.week_start = ratio_values.week_start
        and ratio_spreads.measure = ratio_values.measure

),

ratio_tests as (

    select
        ratio_scales.application_id,
        ratio_scales.week_start,
        ratio_scales.measure,
        rules.statistic,
        ratio_scales.value,
        ratio_scales.baseline_value,
        (ratio_scales.value - ratio_scales.baseline_value) / ratio_scales.scale as statistic_value,
        case
            when ratio_scales.measure = 'requests' and ratio_scales.baseline_value > ratio_scales.value
                then cast(ratio_scales.baseline_value as bigint)
            else ratio_scales.volume
        end as volume,
        rules.volume_unit,
        rules.min_volume,
        case
            when ratio_scales.scale is null then ratio_scales.value <> ratio_scales.baseline_value
            else abs(ratio_scales.value - ratio_scales.baseline_value) >= cast(rules.min_abs_z as double) * ratio_scales.scale
        end
        and (
            ratio_scales.value >= cast(rules.min_fold_change as double) * ratio_scales.baseline_value
            or ratio_scales.value * cast(rules.min_fold_change as double) <= ratio_scales.baseline_value
        ) as meets_rule,
        'robust z ' || coalesce(
            cast(cast((ratio_scales.value - ratio_scales.baseline_value) / ratio_scales.scale as decimal(38, 2)) as {{ dbt.type_string() }}),
            'n/a (the baseline weeks are all equal)'
        ) || ' (|z| >= ' || cast(cast(rules.min_abs_z as decimal(38, 2)) as {{ dbt.type_string() }}) || ' needed), x'
            || coalesce(
                cast(cast(ratio_scales.value / nullif(ratio_scales.baseline_value, 0) as decimal(38, 2)) as {{ dbt.type_string() }}),
                'n/a'
            )
            || ' the median (x' || cast(cast(rules.min_fold_change as decimal(38, 2)) as {{ dbt.type_string() }})
            || ' or 1/' || cast(cast(rules.min_fold_change as decimal(38, 2)) as {{ dbt.type_string() }}) || ' needed)'
        as test_text,
        case ratio_scales.measure
            when 'requests' then
                cast(cast(ratio_scales.value as decimal(38, 0)) as {{ dbt.type_string() }}) || ' requests against a median of '
                || cast(cast(ratio_scales.baseline_value as decimal(38, 0)) as {{ dbt.type_string() }})
            when 'tokens_per_request' then
                cast(cast(ratio_scales.value as decimal(38, 1)) as {{ dbt.type_string() }}) || ' tokens per request against a median of '
                || cast(cast(ratio_scales.baseline_value as decimal(38, 1)) as {{ dbt.type_string() }})
            else
                cast(cast(ratio_scales.value as decimal(38, 4)) as {{ dbt.type_string() }}) || ' output tokens per input token against a median of '
                || cast(cast(ratio_scales.baseline_value as decimal(38, 4)) as {{ dbt.type_string() }})
        end as figures_text
    from ratio_scales
    inner join rules on rules.measure = ratio_scales.measure

),

{#- Shares of requests: two-proportion z-test against the baseline weeks pooled. -#}

proportion_counts as (

    select application_id, week_start, 'error_rate' as measure, failures as hits, requests as trials
    from weeks
    union all
    select application_id, week_start, 'fallback_rate', fallbacks, requests
    from weeks
    union all
    select application_id, week_start, 'off_hours_share', off_hours_requests, requests
    from weeks

),

proportion_baselines as (

    select
        judged.application_id,
        judged.week_start,
        judged.measure,
        sum(earlier.hits) as baseline_hits,
        sum(earlier.trials) as baseline_trials
    from proportion_counts as judged
    inner join baseline_pairs
        on baseline_pairs.application_id = judged.application_id
        and baseline_pairs.week_start = judged.week_start
    inner join proportion_counts as earlier
        on earlier.application_id = judged.application_id
        and earlier.week_start = baseline_pairs.baseline_week_start
        and earlier.measure = judged.measure
    group by judged.application_id, judged.week_start, judged.measure

),

proportion_shares as (

    select
        proportion_counts.application_id,
        proportion_counts.week_start,
        proportion_counts.measure,
        proportion_counts.trials,
        cast(proportion_counts.hits as double) / nullif(proportion_counts.trials, 0) as value,
        cast(proportion_baselines.baseline_hits as double) / nullif(proportion_baselines.baseline_trials, 0) as baseline_value,
        cast(proportion_counts.hits + proportion_baselines.baseline_hits as double)
            / nullif(proportion_counts.trials + proportion_baselines.baseline_trials, 0) as pooled,
        cast(1 as double) / nullif(proportion_counts.trials, 0)
            + cast(1 as double) / nullif(proportion_baselines.baseline_trials, 0) as inverse_sizes
    from proportion_counts
    left join proportion_baselines
        on proportion_baselines.application_id = proportion_counts.application_id
        and proportion_baselines.week_start = proportion_counts.week_start
        and proportion_baselines.measure = proportion_counts.measure

),

proportion_errors as (

    select
        proportion_shares.*,
        case
            when pooled > 0 and pooled < 1 then sqrt(pooled * (1 - pooled) * inverse_sizes)
        end as standard_error
    from proportion_shares

),

proportion_tests as (

    select
        proportion_errors.application_id,
        proportion_errors.week_start,
        proportion_errors.measure,
        rules.statistic,
        proportion_errors.value,
        proportion_errors.baseline_value,
        (proportion_errors.value - proportion_errors.baseline_value) / proportion_errors.standard_error as statistic_value,
        proportion_errors.trials as volume,
        rules.volume_unit,
        rules.min_volume,
        coalesce(
            abs(proportion_errors.value - proportion_errors.baseline_value)
                >= cast(rules.min_abs_z as double) * proportion_errors.standard_error
            and abs(proportion_errors.value - proportion_errors.baseline_value) >= cast(rules.min_abs_change as double),
            false
        ) as meets_rule,
        'two-proportion z ' || coalesce(
            cast(cast((proportion_errors.value - proportion_errors.baseline_value) / proportion_errors.standard_error as decimal(38, 2)) as {{ dbt.type_string() }}),
            'n/a (none in the week or its baseline)'
        ) || ' (|z| >= ' || cast(cast(rules.min_abs_z as decimal(38, 2)) as {{ dbt.type_string() }}) || ' needed), '
            || cast(cast(100 * (proportion_errors.value - proportion_errors.baseline_value) as decimal(38, 1)) as {{ dbt.type_string() }})
            || ' points (' || cast(cast(100 * rules.min_abs_change as decimal(38, 1)) as {{ dbt.type_string() }}) || ' needed)'
        as test_text,
        cast(cast(100 * proportion_errors.value as decimal(38, 1)) as {{ dbt.type_string() }}) || '% '
            || case proportion_errors.measure
                when 'error_rate' then 'of requests failed'
                when 'fallback_rate' then 'of requests needed a fallback'
                else 'of requests outside working hours'
            end
            || ' against ' || cast(cast(100 * proportion_errors.baseline_value as decimal(38, 1)) as {{ dbt.type_string() }})
            || '% in the baseline'
        as figures_text
    from proportion_errors
    inner join rules on rules.measure = proportion_errors.measure

),

{#- Model mix and new models or providers, from the tokens per model and per provider. -#}

item_tokens as (

    select
        classified.application_id,
        classified.week_start,
        'model' as item_kind,
        classified.model_id as item,
        sum(classified.input_tokens + classified.output_tokens) as tokens
    from classified
    group by classified.application_id, classified.week_start, classified.model_id
    union all
    select
        classified.application_id,
        classified.week_start,
        'provider',
        classified.provider,
        sum(classified.input_tokens + classified.output_tokens)
    from classified
    group by classified.application_id, classified.week_start, classified.provider

),

judged_items as (

    select item_tokens.*
    from item_tokens
    inner join weeks
        on weeks.application_id = item_tokens.application_id
        and weeks.week_start = item_tokens.week_start

),

baseline_items as (

    select
        baseline_pairs.application_id,
        baseline_pairs.week_start,
        judged_items.item_kind,
        judged_items.item,
        sum(judged_items.tokens) as tokens
    from baseline_pairs
    inner join judged_items
        on judged_items.application_id = baseline_pairs.application_id
        and judged_items.week_start = baseline_pairs.baseline_week_start
    group by baseline_pairs.application_id, baseline_pairs.week_start, judged_items.item_kind, judged_items.item

),

item_pairs as (

    select
        coalesce(judged_items.application_id, baseline_items.application_id) as application_id,
        coalesce(judged_items.week_start, baseline_items.week_start) as week_start,
        coalesce(judged_items.item_kind, baseline_items.item_kind) as item_kind,
        coalesce(judged_items.item, baseline_items.item) as item,
        coalesce(judged_items.tokens, 0) as tokens,
        coalesce(baseline_items.tokens, 0) as baseline_tokens,
        baseline_items.item is null as is_new
    from judged_items
    full outer join baseline_items
        on baseline_items.application_id = judged_items.application_id
        and baseline_items.week_start = judged_items.week_start
        and baseline_items.item_kind = judged_items.item_kind
        and baseline_items.item = judged_items.item

),

item_shares as (

    select
        item_pairs.*,
        cast(tokens as double) / nullif(sum(tokens) over (partition by application_id, week_start, item_kind), 0) as share,
        cast(baseline_tokens as double)
            / nullif(sum(baseline_tokens) over (partition by application_id, week_start, item_kind), 0) as baseline_share
    from item_pairs

),

ranked_items as (

    select
        item_shares.*,
        row_number() over (
            partition by application_id, week_start, item_kind
            order by round(abs(coalesce(share, 0) - coalesce(baseline_share, 0)), 9) desc, share desc, item
        ) as mover_rank
    from item_shares

),

mix_distances as (

    select
        application_id,
        week_start,
        0.5 * sum(abs(coalesce(share, 0) - coalesce(baseline_share, 0))) as distance,
        max(case when mover_rank = 1 then share end) as mover_share,
        max(case when mover_rank = 1 then baseline_share end) as mover_baseline_share,
        {{ dbt.listagg(
            "case when abs(coalesce(share, 0) - coalesce(baseline_share, 0)) >= 0.01 then item || ' '
                || cast(cast(100 * coalesce(baseline_share, 0) as decimal(38, 1)) as " ~ dbt.type_string() ~ ") || '% -> '
                || cast(cast(100 * coalesce(share, 0) as decimal(38, 1)) as " ~ dbt.type_string() ~ ") || '%' end",
            "', '",
            "order by item"
        ) }} as moves
    from ranked_items
    where item_kind = 'model'
    group by application_id, week_start

),

new_items as (

    select
        application_id,
        week_start,
        item_kind,
        coalesce(sum(case when is_new then share end), 0) as new_share,
        {{ dbt.listagg(
            "case when is_new and tokens > 0 then item || ' ' || cast(cast(100 * share as decimal(38, 1)) as "
                ~ dbt.type_string() ~ ") || '%' end",
            "', '",
            "order by item"
        ) }} as new_list
    from item_shares
    group by application_id, week_start, item_kind

),

item_tests as (

    select
        weeks.application_id,
        weeks.week_start,
        rules.measure,
        rules.statistic,
        case
            when rules.measure = 'model_mix' then mix_distances.mover_share
            else coalesce(new_items.new_share, 0)
        end as value,
        case
            when rules.measure = 'model_mix' then mix_distances.mover_baseline_share
            else 0.0
        end as baseline_value,
        case
            when rules.measure = 'model_mix' then mix_distances.distance
            else coalesce(new_items.new_share, 0)
        end as statistic_value,
        weeks.input_tokens + weeks.output_tokens as volume,
        rules.volume_unit,
        rules.min_volume,
        case
            when rules.measure = 'model_mix' then mix_distances.distance >= cast(rules.min_distance as double)
            else coalesce(new_items.new_share, 0) >= cast(rules.min_token_share as double)
        end as meets_rule,
        case
            when rules.measure = 'model_mix' then
                'total variation distance ' || cast(cast(mix_distances.distance as decimal(38, 3)) as {{ dbt.type_string() }})
                || ' (' || cast(cast(rules.min_distance as decimal(38, 3)) as {{ dbt.type_string() }}) || ' needed)'
            else
                'new share ' || cast(cast(100 * coalesce(new_items.new_share, 0) as decimal(38, 1)) as {{ dbt.type_string() }})
                || '% (' || cast(cast(100 * rules.min_token_share as decimal(38, 1)) as {{ dbt.type_string() }}) || '% needed)'
        end as test_text,
        case
            when rules.measure = 'model_mix' then
                'model shares of tokens, baseline -> week: ' || coalesce(nullif(mix_distances.moves, ''), 'unchanged')
            when new_items.new_list is null or new_items.new_list = '' then
                'no ' || case when rules.measure = 'new_model' then 'model' else 'provider' end || ' new to the baseline weeks'
            else
                case when rules.measure = 'new_model' then 'models' else 'providers' end
                || ' no baseline week used, with their share of the tokens of the week: ' || new_items.new_list
        end as figures_text
    from weeks
    inner join rules on rules.measure in ('model_mix', 'new_model', 'new_provider')
    left join mix_distances
        on mix_distances.application_id = weeks.application_id
        and mix_distances.week_start = weeks.week_start
    left join new_items
        on new_items.application_id = weeks.application_id
        and new_items.week_start = weeks.week_start
        and new_items.item_kind = case when rules.measure = 'new_provider' then 'provider' else 'model' end

),

tests as (

    select * from ratio_tests
    union all
    select * from proportion_tests
    union all
    select * from item_tests

),

judged as (

    select
        tests.*,
        weeks.team_id,
        baseline_sizes.baseline_weeks,
        settings.min_baseline_weeks,
        case
            when baseline_sizes.baseline_weeks < settings.min_baseline_weeks then 'no_verdict'
            when tests.value is null or tests.baseline_value is null then 'no_verdict'
            when tests.volume < tests.min_volume then 'no_verdict'
            when tests.meets_rule then 'drift'
            else 'steady'
        end as verdict
    from tests
    inner join weeks
        on weeks.application_id = tests.application_id
        and weeks.week_start = tests.week_start
    inner join baseline_sizes
        on baseline_sizes.application_id = tests.application_id
        and baseline_sizes.week_start = tests.week_start
    cross join settings

)

select
    cast({{ surrogate_key(['application_id', 'week_start', 'measure']) }} as {{ dbt.type_string() }}) as usage_drift_key,
    cast(application_id as {{ dbt.type_string() }}) as application_id,
    cast(team_id as {{ dbt.type_string() }}) as team_id,
    cast(week_start as date) as iso_week_start,
    cast({{ dbt.dateadd('day', 6, 'week_start') }} as date) as iso_week_end,
    cast(measure as {{ dbt.type_string() }}) as measure,
    cast(value as double) as value,
    cast(baseline_value as double) as baseline_value,
    cast(value - baseline_value as double) as change,
    cast(value / nullif(baseline_value, 0) - 1 as double) as relative_change,
    cast(statistic as {{ dbt.type_string() }}) as statistic,
    cast(statistic_value as double) as statistic_value,
    cast(volume as bigint) as volume,
    cast(volume_unit as {{ dbt.type_string() }}) as volume_unit,
    cast(baseline_weeks as bigint) as baseline_weeks,
    cast(verdict as {{ dbt.type_string() }}) as verdict,
    cast(verdict = 'drift' as boolean) as is_significant,
    cast(
        case
            when baseline_weeks < min_baseline_weeks then
                'no verdict: ' || cast(baseline_weeks as {{ dbt.type_string() }}) || ' baseline week(s) with traffic, '
                || cast(min_baseline_weeks as {{ dbt.type_string() }}) || ' needed'
            when value is null or baseline_value is null then 'no verdict: nothing to measure in the week or its baseline'
            when volume < min_volume then
                'no verdict: ' || cast(volume as {{ dbt.type_string() }}) || ' ' || volume_unit || ', '
                || cast(min_volume as {{ dbt.type_string() }}) || ' needed'
            else
                verdict || ' (' || cast(baseline_weeks as {{ dbt.type_string() }}) || ' baseline weeks): '
                || figures_text || '; ' || test_text
        end
    as {{ dbt.type_string() }}) as reason
from judged
