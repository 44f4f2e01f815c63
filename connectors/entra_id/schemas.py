"""Landing schema for Entra ID users: Graph's own property names, `employeeOrgData` and the expanded
`manager` flattened with underscores, `assignedPlans` kept as JSON text; timestamps stay ISO-8601
text."""

from __future__ import annotations

import pyarrow as pa

_TEXT = (
    "id",
    "userPrincipalName",
    "mail",
    "displayName",
    "givenName",
    "surname",
    "department",
    "jobTitle",
)
_MORE_TEXT = (
    "employeeId",
    "employeeType",
    "employeeHireDate",
    "companyName",
    "officeLocation",
    "usageLocation",
    "onPremisesSamAccountName",
    "createdDateTime",
    "employeeOrgData_costCenter",
    "employeeOrgData_division",
    "manager_id",
    "manager_userPrincipalName",
    "assignedPlans_json",
)

SCHEMAS: dict[str, pa.Schema] = {
    "users": pa.schema(
        [
            *[(name, pa.string()) for name in _TEXT],
            ("accountEnabled", pa.bool_()),
            *[(name, pa.string()) for name in _MORE_TEXT],
        ]
    ),
}
