"""Landing schemas for Okta records: the API's own field names, nested objects flattened with
underscores (`profile.costCenter` -> `profile_costCenter`); timestamps stay ISO-8601 text."""

from __future__ import annotations

import pyarrow as pa

PROFILE = (
    "login",
    "email",
    "firstName",
    "lastName",
    "displayName",
    "title",
    "employeeNumber",
    "costCenter",
    "organization",
    "division",
    "department",
    "managerId",
    "manager",
)

SCHEMAS: dict[str, pa.Schema] = {
    "users": pa.schema(
        [
            ("id", pa.string()),
            ("status", pa.string()),
            ("created", pa.string()),
            ("activated", pa.string()),
            ("statusChanged", pa.string()),
            ("lastLogin", pa.string()),
            ("lastUpdated", pa.string()),
            ("passwordChanged", pa.string()),
            ("type_id", pa.string()),
            *[(f"profile_{name}", pa.string()) for name in PROFILE],
        ]
    ),
    "groups": pa.schema(
        [
            ("id", pa.string()),
            ("created", pa.string()),
            ("lastUpdated", pa.string()),
            ("lastMembershipUpdated", pa.string()),
            ("type", pa.string()),
            ("profile_name", pa.string()),
            ("profile_description", pa.string()),
        ]
    ),
    "group_membership_events": pa.schema(
        [
            ("uuid", pa.string()),
            ("published", pa.string()),
            ("eventType", pa.string()),
            ("outcome_result", pa.string()),
            ("transaction_id", pa.string()),
            ("user_id", pa.string()),
            ("user_alternateId", pa.string()),
            ("group_id", pa.string()),
            ("group_displayName", pa.string()),
        ]
    ),
}
