"""Prompt and completion text the sandbox's logs and gateways carry, with sensitive data planted in it.

Three sources keep text: Bedrock invocation logs (text delivery is on for every account that logs),
the LiteLLM proxy (its teams that opted in store prompts in the spend logs) and the code-review
bot's GenAI spans (the few that capture content). Each application that sends text draws it from
its own pool below, request n taking entry n modulo the pool's size, so the first request of every
day carries the pool's first entry. Each entry says which entity types the warehouse's classifier
must find in it and how many (`tests/sandbox/test_prompt_content.py` holds the classifier to it).

What is planted, and what governance (sandbox/governance_example.py) says about it:
- support assistant (LiteLLM, gpt-4.1-mini): customers' emails and phone numbers; it declares
  customer personal data, so this is observed and declared.
- analytics SQL helper (LiteLLM): customers' emails pasted into queries on gpt-4.1, card numbers on
  the self-hosted Llama. It declares internal and confidential data only: a finding, and Llama's
  review does not allow payment data either.
- contract reviewer (Bedrock, Claude Sonnet): IBANs from contracts' payment clauses; it declares
  confidential data only: a finding.
- code-review bot (Bedrock and its spans): AWS key ids, `sk-` keys and bearer tokens in diffs, which
  are confidential, as it declares.
- search ranker (Bedrock) and the ML eval harness (LiteLLM): text without any sensitive data.
- mobile chat, the shadow notebooks (LiteLLM, spans) and the shadow Bedrock account: no text kept.

Nothing here may reach the warehouse but the counts: `planted_values()` and `PLANTED_PHRASE` (in
every planted completion) are what the e2e test looks for in every file, table and log the runs wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PLANTED_PHRASE = "marigold escalation playbook"


@dataclass(frozen=True)
class Content:
    prompt: str
    completion: str
    entities: dict[str, int] = field(default_factory=dict)  # what the classifier must find
    values: tuple[str, ...] = ()  # the planted values themselves


def _reply(text: str) -> str:
    return f"{text} (drafted with the {PLANTED_PHRASE})."


EMAIL_DANA = "dana.whitfield@example.net"
EMAIL_OMAR = "omar.haddad@example.org"
EMAIL_OMAR_2 = "o.haddad@example.net"
EMAIL_LI = "li.wei@example.net"
EMAIL_MARTA = "marta.ruiz@example.org"
PHONE_US = "+1 415-555-0199"
PHONE_UK = "+44 20 7946 0958"
CARD_VISA = "4111 1111 1111 1111"
CARD_MASTERCARD = "5555 5555 5555 4444"
IBAN_GB = "GB82 WEST 1234 5698 7654 32"
IBAN_DE = "DE89 3704 0044 0532 0130 00"
AWS_KEY_ID = "AKIASANDBOX7PLANTED2"
OPENAI_KEY = "sk-proj-Q7mX2vL9pR4tZ8wK3nB6yH1cPlanted"
BEARER = "Bearer 5c1f9e7a3b2d4f6e8a0c1e3f5a7b9d1cPlanted"

POOLS: dict[str, tuple[Content, ...]] = {
    "support": (
        Content(
            f"Customer Dana Whitfield ({EMAIL_DANA}) writes that the refund for order 88213 has "
            "not arrived. Draft a reply.",
            _reply("Dear Dana, we have escalated your refund and will answer within two days"),
            {"EMAIL_ADDRESS": 1},
            (EMAIL_DANA,),
        ),
        Content(
            "Summarise the customer's complaint about a late delivery and suggest a gesture.",
            _reply("The parcel was late twice; offer free delivery on the next order"),
        ),
        Content(
            f"A caller on {PHONE_US} asks to move the delivery of order 90417 to Friday. "
            "Summarise it for the courier.",
            _reply("Move the delivery of order 90417 to Friday morning"),
            {"PHONE_NUMBER": 1},
            (PHONE_US,),
        ),
        Content(
            f"Merge the duplicate accounts of {EMAIL_OMAR} and {EMAIL_OMAR_2}; he asked for a "
            f"call back on {PHONE_UK}.",
            _reply("Merged both accounts into the older one and scheduled the call back"),
            {"EMAIL_ADDRESS": 2, "PHONE_NUMBER": 1},
            (EMAIL_OMAR, EMAIL_OMAR_2, PHONE_UK),
        ),
        Content(
            "Classify this ticket: the app closes when a profile photo is uploaded.",
            _reply("Category: bug, mobile app, photo upload"),
        ),
        Content(
            "Translate the customer's message into English and keep its tone.",
            _reply("Thank you for the quick help with my order"),
        ),
    ),
    "analytics_sql": (
        Content(
            "Explain why this query returns duplicates. Sample rows: id 118, email "
            f"{EMAIL_LI}, plan pro; id 119, email {EMAIL_LI}, plan pro.",
            _reply("The join on subscriptions repeats every customer with two plans"),
            {"EMAIL_ADDRESS": 2},
            (EMAIL_LI,),
        ),
        Content(
            "Write a SQL query that counts active subscriptions per plan for last month.",
            _reply("select plan, count(*) from subscriptions group by plan"),
        ),
        Content(
            f"Fix the join: customer 5521 ({EMAIL_MARTA}) appears twice in churn_report.",
            _reply("Deduplicate churn_report on customer_id before the join"),
            {"EMAIL_ADDRESS": 1},
            (EMAIL_MARTA,),
        ),
    ),
    "analytics_payments": (
        Content(
            f"Why does the payments view reject this row? card_number {CARD_VISA}, amount 42.10",
            _reply("The view expects the card number without spaces"),
            {"CREDIT_CARD": 1},
            (CARD_VISA,),
        ),
        Content(
            "Suggest an index for the events table filtered by tenant and day.",
            _reply("An index on tenant_id and event_day"),
        ),
        Content(
            f"Find the refunds where card {CARD_MASTERCARD} was charged twice in August.",
            _reply("Group refunds by card and charge day and keep the groups of two"),
            {"CREDIT_CARD": 1},
            (CARD_MASTERCARD,),
        ),
    ),
    "eval": (
        Content(
            "Rate the answer below for factual accuracy on a scale of one to five.",
            _reply("Four: one date is wrong"),
        ),
        Content(
            "Compare the two summaries and pick the more faithful one.",
            _reply("The second summary keeps every claim of the source"),
        ),
    ),
    "contracts": (
        Content(
            "Review the payment clause: the supplier shall be paid into IBAN "
            f"{IBAN_GB} within thirty days of the invoice.",
            _reply("The clause is standard; thirty days matches the policy"),
            {"IBAN_CODE": 1},
            (IBAN_GB,),
        ),
        Content(
            "List the termination rights in section 14 of the master services agreement.",
            _reply("Either party may terminate for material breach after notice"),
        ),
        Content(
            f"Check the remittance details: {IBAN_DE} in schedule 2 and {IBAN_GB} in schedule 3.",
            _reply("The schedules name two different accounts; ask the supplier which is right"),
            {"IBAN_CODE": 2},
            (IBAN_DE, IBAN_GB),
        ),
        Content(
            "Summarise the limitation of liability clause.",
            _reply("Liability is capped at the fees of the last twelve months"),
        ),
    ),
    "code_review": (
        Content(
            f'Review this diff: + AWS_ACCESS_KEY_ID = "{AWS_KEY_ID}" in deploy/config.py',
            _reply("Do not commit credentials; read them from the environment"),
            {"AWS_ACCESS_KEY_ID": 1},
            (AWS_KEY_ID,),
        ),
        Content(
            "Review this diff: renamed fetch_rows to read_rows and added a retry.",
            _reply("Looks good; cap the retries"),
        ),
        Content(
            f'Review this diff: + client = OpenAI(api_key="{OPENAI_KEY}")',
            _reply("Never put a key in code; use the secret store"),
            {"API_KEY": 1},
            (OPENAI_KEY,),
        ),
        Content(
            "Suggest a clearer name for the helper in utils/paths.py.",
            _reply("resolve_data_dir says what it does"),
        ),
    ),
    "code_review_traces": (
        Content(
            f"Review this script: curl -H 'Authorization: {BEARER}' https://ci.internal/builds",
            _reply("The token must come from the CI secret, not the script"),
            {"BEARER_TOKEN": 1},
            (BEARER,),
        ),
        Content(
            "Review this diff: moved the retry settings into one module.",
            _reply("Fine"),
        ),
    ),
}
# application -> pool, per source; an application absent here keeps no text at that source
LITELLM_POOLS = {
    ("app-support-assistant", "openai"): "support",
    ("app-analytics-sql-helper", "openai"): "analytics_sql",
    ("app-analytics-sql-helper", "hosted_vllm"): "analytics_payments",
    ("app-ml-eval-harness", "hosted_vllm"): "eval",
}
BEDROCK_POOLS = {
    "app-contract-reviewer": "contracts",
    "app-code-review-bot": "code_review",
}
SPAN_POOLS = {"app-code-review-bot": "code_review_traces"}


def content(pool: str, n: int) -> Content:
    """The content of request n (0-based, per application and day) of a pool."""
    entries = POOLS[pool]
    return entries[n % len(entries)]


def planted_values() -> set[str]:
    """Every sensitive value planted in any pool."""
    return {value for entries in POOLS.values() for entry in entries for value in entry.values}
