"""What classifying prompt text for sensitive data costs a reader, per 1,000 requests.

    .venv/bin/python -m benchmarks.sensitive_data --requests 1000 --seed 7

Times `connectors.sensitive_data.ContentClassifier` on requests shaped like a chat completion
(a system prompt, a user prompt with zero to three sensitive values, a reply; about 2,000
characters in all), every request's text distinct so the recent-results cache never answers, then
the same requests again (every text cached, as a log that repeats its bodies or a templated prompt
gets), and distinct requests of the same size whose text has no digit and no `@`. The analyzer is built once per process first:
that time is reported apart. Figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time

from connectors.sensitive_data import ContentClassifier, analyzer

SYSTEM = (
    "You are the support assistant of Example Corp. Answer in the customer's language, keep a "
    "friendly and precise tone, never promise refunds above the policy limit, and escalate to a "
    "person when the customer is upset or the order is older than ninety days. "
) * 2
REPLY = (
    "Thank you for getting in touch. I have looked at your order and the delivery partner confirms "
    "the parcel left the depot this morning; it should arrive within two working days. "
) * 3


def request(rng: random.Random, n: int) -> tuple[list[dict], str]:
    """A chat request with a distinct user prompt holding 0 to 3 sensitive values."""
    values = [
        f"customer{n}.{rng.randrange(10**6)}@example.net",
        f"+1 415-555-{rng.randrange(100, 200):04d}",
        "4111 1111 1111 1111",
        f"order {rng.randrange(10**7)}",
    ]
    held = rng.sample(values, rng.randrange(0, 4))
    user = (
        f"Ticket {n}-{rng.randrange(10**9)}: the customer writes that the parcel for "
        f"{', '.join(held) or 'their last order'} has not arrived after {rng.randrange(3, 30)} days "
        "and asks whether a replacement can be sent before the weekend. " * 3
    )
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]
    return messages, f"{REPLY} Reference {n}-{rng.randrange(10**9)}."


def timed(requests: list[tuple[list[dict], str]]) -> tuple[float, ContentClassifier]:
    classifier = ContentClassifier()
    started = time.perf_counter()
    for messages, reply in requests:
        classifier.counts_json(messages, reply)
    return time.perf_counter() - started, classifier


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    requests = [request(rng, n) for n in range(args.requests)]
    started = time.perf_counter()
    analyzer()
    build = time.perf_counter() - started
    distinct, classifier = timed(requests)
    cached, _ = timed(requests)
    plain = [
        (
            [{"role": "system", "content": SYSTEM}, {"role": "user", "content": SYSTEM}],
            f"{REPLY} Reference {''.join(rng.choice('abcdefghij') for _ in range(16))}.",
        )
        for _ in range(args.requests)
    ]
    plain_seconds, _ = timed(plain)
    per_1000 = distinct / args.requests * 1000
    result = {
        "requests": args.requests,
        "characters_per_request": round(
            sum(len(m[0]["content"]) + len(m[1]["content"]) + len(r) for m, r in requests)
            / args.requests
        ),
        "with_sensitive_data": classifier.with_entities,
        "analyzer_build_seconds": round(build, 2),
        "seconds_per_1000_distinct_requests": round(per_1000, 2),
        "seconds_per_1000_cached_requests": round(cached / args.requests * 1000, 3),
        "seconds_per_1000_distinct_requests_without_digits": round(
            plain_seconds / args.requests * 1000, 2
        ),
    }
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
