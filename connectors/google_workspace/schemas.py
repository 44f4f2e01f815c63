"""Landing schema for Google Workspace users: the Directory API's own names; the primary organization
as `organizations_<field>`, the manager relation as `relations_manager`, the `organization` external
id as `externalIds_organization`, aliases comma separated. Timestamps stay ISO-8601 text."""

from __future__ import annotations

import pyarrow as pa

SCHEMAS: dict[str, pa.Schema] = {
    "users": pa.schema(
        [
            ("id", pa.string()),
            ("primaryEmail", pa.string()),
            ("isAdmin", pa.bool_()),
            ("isDelegatedAdmin", pa.bool_()),
            ("suspended", pa.bool_()),
            ("suspensionReason", pa.string()),
            ("archived", pa.bool_()),
            ("orgUnitPath", pa.string()),
            ("creationTime", pa.string()),
            ("lastLoginTime", pa.string()),
            ("name_givenName", pa.string()),
            ("name_familyName", pa.string()),
            ("name_fullName", pa.string()),
            ("organizations_title", pa.string()),
            ("organizations_department", pa.string()),
            ("organizations_costCenter", pa.string()),
            ("organizations_description", pa.string()),
            ("relations_manager", pa.string()),
            ("externalIds_organization", pa.string()),
            ("aliases", pa.string()),
        ]
    ),
}
