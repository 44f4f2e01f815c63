-- Engineering: which applications drive volume, failures, fallbacks and latency at the gateways?
-- Per gateway and application key (LiteLLM team or key, OpenTelemetry service) from $period_start.
select gateway, application_key,
    sum(request_count) as requests,
    sum(failure_count) as failures,
    sum(fallback_count) as fallbacks,
    round(100.0 * sum(failure_count) / sum(request_count), 2) as failure_pct,
    max(latency_p95_ms) as worst_daily_p95_ms
from fct_gateway_requests_daily
where usage_date >= $period_start
group by gateway, application_key
order by requests desc
