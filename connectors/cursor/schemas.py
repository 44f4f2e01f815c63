"""Landing schemas for Cursor records: Cursor's own field names, token usage flattened.

Epoch milliseconds stay integers (event timestamps stay the string Cursor sends); cents stay exact
decimal text; dbt turns them into timestamps and dollars.
"""

from __future__ import annotations

import pyarrow as pa

SCHEMAS: dict[str, pa.Schema] = {
    "members": pa.schema([("name", pa.string()), ("email", pa.string()), ("role", pa.string())]),
    "daily_usage": pa.schema(
        [
            ("date", pa.int64()),
            ("email", pa.string()),
            ("isActive", pa.bool_()),
            *[
                (name, pa.int64())
                for name in (
                    "totalLinesAdded",
                    "totalLinesDeleted",
                    "acceptedLinesAdded",
                    "acceptedLinesDeleted",
                    "totalApplies",
                    "totalAccepts",
                    "totalRejects",
                    "totalTabsShown",
                    "totalTabsAccepted",
                    "composerRequests",
                    "chatRequests",
                    "agentRequests",
                    "cmdkUsages",
                    "subscriptionIncludedReqs",
                    "apiKeyReqs",
                    "usageBasedReqs",
                    "bugbotUsages",
                )
            ],
            ("mostUsedModel", pa.string()),
            ("applyMostUsedExtension", pa.string()),
            ("tabMostUsedExtension", pa.string()),
            ("clientVersion", pa.string()),
        ]
    ),
    "usage_events": pa.schema(
        [
            ("timestamp", pa.string()),
            ("userEmail", pa.string()),
            ("model", pa.string()),
            ("kind", pa.string()),
            ("maxMode", pa.bool_()),
            ("requestsCosts", pa.string()),
            ("isTokenBasedCall", pa.bool_()),
            ("inputTokens", pa.int64()),
            ("outputTokens", pa.int64()),
            ("cacheWriteTokens", pa.int64()),
            ("cacheReadTokens", pa.int64()),
            ("totalCents", pa.string()),
            ("cursorTokenFee", pa.string()),
            ("isFreeBugbot", pa.bool_()),
        ]
    ),
    "spend": pa.schema(
        [
            ("email", pa.string()),
            ("name", pa.string()),
            ("role", pa.string()),
            ("spendCents", pa.string()),
            ("fastPremiumRequests", pa.int64()),
            ("hardLimitOverrideDollars", pa.string()),
            ("subscriptionCycleStart", pa.int64()),
        ]
    ),
}
