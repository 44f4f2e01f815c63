{#-
    Every paid SaaS AI tool seat per holder per day, priced, with the holder's team that day and
    whether it sits idle, published with a contract. The rules are int_seat_assignments_daily's.
-#}

select * from {{ ref('int_seat_assignments_daily') }}
