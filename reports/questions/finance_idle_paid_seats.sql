-- Finance: which seats are paid for and unused?
-- Seats held on the latest day with no use for `seat_idle_days` days (default 30) or never used,
-- with the plan's list price per month and the holder's team that day; leavers show as departed.
select tool, seat_holder_key, seat_holder_email, person_status, team_id, plan,
    list_price_per_seat_month, currency_code, last_activity_date
from fct_seat_assignments_daily
where is_idle
    and activity_date = (select max(activity_date) from fct_seat_assignments_daily)
order by tool, list_price_per_seat_month desc, seat_holder_key
