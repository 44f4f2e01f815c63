"""Landing schema for SCIM users: RFC 7643 attribute names; `name`, the primary email, the enterprise
extension (`enterprise_<attribute>`, manager as `enterprise_manager_value`) and `meta` flattened with
underscores. Timestamps stay ISO-8601 text."""

from __future__ import annotations

import pyarrow as pa

_TEXT = ("id", "externalId", "userName", "displayName", "title", "userType")

SCHEMAS: dict[str, pa.Schema] = {
    "users": pa.schema(
        [
            *[(name, pa.string()) for name in _TEXT],
            ("active", pa.bool_()),
            ("name_formatted", pa.string()),
            ("name_givenName", pa.string()),
            ("name_familyName", pa.string()),
            ("emails_primary", pa.string()),
            ("enterprise_employeeNumber", pa.string()),
            ("enterprise_costCenter", pa.string()),
            ("enterprise_organization", pa.string()),
            ("enterprise_division", pa.string()),
            ("enterprise_department", pa.string()),
            ("enterprise_manager_value", pa.string()),
            ("enterprise_manager_displayName", pa.string()),
            ("meta_resourceType", pa.string()),
            ("meta_created", pa.string()),
            ("meta_lastModified", pa.string()),
            ("meta_location", pa.string()),
            ("meta_version", pa.string()),
        ]
    ),
}
