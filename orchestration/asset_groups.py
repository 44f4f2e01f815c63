"""The asset groups of the lineage: where each layer and domain is found in the Dagster UI.

Ten groups, named as the people who look for them would: the sources landed, the reference data
(governance, prices, seeds), staging, four domains that each hold their intermediate models and
marts, the alerts, the published release and the reports. Asset keys keep the layer
(`raw/...`, `staging/...`, `intermediate/...`, `marts/...`).
"""

SOURCES = "sources"
REFERENCE_DATA = "reference_data"
STAGING = "staging"
USAGE = "usage"
COST_AND_CHARGEBACK = "cost_and_chargeback"
PEOPLE_AND_OWNERSHIP = "people_and_ownership"
COMPLIANCE = "compliance"
ALERTS = "alerts"
PUBLISHED = "published"
REPORTS = "reports"

# dbt folders (intermediate/<domain>, marts/<audience>) -> their group
DBT_FOLDER_GROUPS = {
    "usage": USAGE,
    "gateway": USAGE,
    "engineering": USAGE,
    "cost": COST_AND_CHARGEBACK,
    "finance": COST_AND_CHARGEBACK,
    "savings": COST_AND_CHARGEBACK,
    "seats": COST_AND_CHARGEBACK,
    "identity": PEOPLE_AND_OWNERSHIP,
    "ownership": PEOPLE_AND_OWNERSHIP,
    "compliance": COMPLIANCE,
    "alerts": ALERTS,
    "semantic": REFERENCE_DATA,
}


def dbt_group(folders: list[str]) -> str:
    """The group of a dbt model in models/<folders...>/: staging models together, intermediate
    models and marts by their domain folder; provider intermediates at the layer's root are usage.
    A folder not listed here shows under its own name rather than in a wrong domain."""
    if not folders:
        return USAGE
    layer, domain = folders[0], folders[1] if len(folders) > 1 else None
    if layer == STAGING:
        return STAGING
    if domain is None:
        return DBT_FOLDER_GROUPS.get(layer, USAGE if layer == "intermediate" else layer)
    return DBT_FOLDER_GROUPS.get(domain, "_".join(folders))
