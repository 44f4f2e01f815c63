{#-
    People as a slowly changing dimension (type 2), one row per person x version, published with a
    contract. The versioning rule is int_person_versions' (the compliance findings read it too).
-#}

select * from {{ ref('int_person_versions') }}
