"""Sensitive-data signals in prompt and completion text: which entity types, how many, never the text.

Where a source carries prompt or completion text (Bedrock invocation logs with bodies, GenAI spans
with content attributes or events, LiteLLM spend logs that store messages), its reader passes the
text to a `ContentClassifier` in memory and lands only what it returns: JSON text such as
`{"EMAIL_ADDRESS": 2, "PHONE_NUMBER": 1}`, `{}` when the text was classified and nothing was found,
or null when the record carried no text (not classified). Neither the text nor a matched value is
landed, logged or put in an error message.

The analyzer is Presidio's, with only pattern and checksum recognizers and Presidio's no-op NLP
engine: no spaCy language model is loaded or downloaded, and nothing goes to the network (the email
recognizer checks the domain against the public suffix list bundled with `tldextract`, not a fresh
copy from the internet). Context words are not used, so a weak pattern (a bare nine-digit number
as a US SSN) is not reported; every type below needs a format, a checksum or both:

| entity type | what | checked by |
|---|---|---|
| `EMAIL_ADDRESS` | email address | format and a known public suffix |
| `PHONE_NUMBER` | phone number: US national format, or any country's written with `+` | `phonenumbers` validity |
| `CREDIT_CARD` | payment card number | Luhn checksum |
| `IBAN_CODE` | international bank account number | country format and mod-97 checksum |
| `IP_ADDRESS` | IPv4 or IPv6 address | `ipaddress` parse |
| `US_SSN` | US social security number, written `123-45-6789` | number ranges the SSA never issues are rejected |
| `ES_NIF` | Spanish NIF / DNI | control letter |
| `API_KEY` | secret keys shaped `sk-...` (OpenAI, Anthropic), GitHub, Slack and Google API tokens | format |
| `AWS_ACCESS_KEY_ID` | AWS access key id (`AKIA...`, `ASIA...`) | format |
| `BEARER_TOKEN` | `Bearer <token>` and JSON web tokens | format |
| `PRIVATE_KEY` | a PEM private key block | format |

Matches of different types that overlap count once: the longer match wins, then the higher score
(`+1 415-555-0199` is a phone number, not the national id its last ten digits could pass for; a
`Bearer sk-...` header is one bearer token). Presidio's UK NHS recognizer is left out for that
reason: one ten-digit phone number in eleven passes its mod-11 checksum. Presidio's Italian fiscal
code recognizer is left out for its cost (its case-blind pattern took as long as the email, IP
and SSN recognizers together on long text). A record's text is classified up to `MAX_TEXT_CHARS`; string values that are one long run
without whitespace (base64 images, embeddings) are skipped as not text, and so are the values of
structural keys of request and response bodies (`id`, `role`, `model`, `finish_reason`, ...:
`STRUCTURAL_KEYS`). The counts of the last
`CACHE_SIZE` texts are kept by their SHA-256 digest (not the text): a templated prompt or a log
that repeats its bodies is classified once.

Which governance data category each entity type belongs to is declared once, in
`dbt_project/seeds/sensitive_entity_categories.csv`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from connectors.errors import ConnectorError

ENTITY_TYPES = (
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "US_SSN",
    "ES_NIF",
    "API_KEY",
    "AWS_ACCESS_KEY_ID",
    "BEARER_TOKEN",
    "PRIVATE_KEY",
)
SCORE_THRESHOLD = 0.4  # Presidio's phone matches score 0.4; weak patterns (0.05, 0.1) stay out
# National formats read. A number written with +country is found for any country; each region added
# is a whole pass of the phone matcher (GB made it three times slower on text with many numbers).
PHONE_REGIONS = ("US",)
MAX_TEXT_CHARS = 200_000
BLOB_CHARS = 256  # a longer string without whitespace is data (base64, vectors), not text
LANGUAGE = "en"
CACHE_SIZE = 4096
# Keys of request and response bodies whose values are ids, names of things or enums, never text
# someone wrote: left out, so a response's id neither makes every text distinct for the cache nor
# passes for an entity.
STRUCTURAL_KEYS = frozenset(
    {
        "id",
        "object",
        "model",
        "role",
        "type",
        "finish_reason",
        "stop_reason",
        "stopReason",
        "created",
        "system_fingerprint",
        "index",
        "tool_call_id",
        "toolUseId",
        "media_type",
        "format",
    }
)

# Credentials: case-sensitive patterns (Presidio's default flags ignore case).
CREDENTIAL_PATTERNS: dict[str, list[tuple[str, str, float]]] = {
    "API_KEY": [
        ("sk- secret key", r"\bsk-(?:[a-z]+\d*-)*[A-Za-z0-9_-]{20,}", 0.9),
        ("GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})", 0.9),
        ("Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}", 0.9),
        ("Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b", 0.9),
    ],
    "AWS_ACCESS_KEY_ID": [("AWS key id", r"\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{16}\b", 0.9)],
    "BEARER_TOKEN": [
        ("bearer", r"\b[Bb]earer[ \t]+[A-Za-z0-9._~+/-]{20,}=*", 0.8),
        ("JWT", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", 0.8),
    ],
    "PRIVATE_KEY": [
        ("PEM", r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----", 1.0),
    ],
}


_recent: OrderedDict[bytes, dict[str, int]] = OrderedDict()
_recent_lock = threading.Lock()


class ClassifierError(ConnectorError):
    """The analyzer failed on a record's text; the message names the error type, never the text."""


def _build_engine() -> Any:
    """Presidio's analyzer with this module's recognizers, the no-op NLP engine and no download."""
    import tldextract
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        EsNifRecognizer,
        IbanRecognizer,
        IpRecognizer,
        PhoneRecognizer,
        UsSsnRecognizer,
    )

    # the bundled suffix list only: tldextract's default fetches one from the internet and caches it
    suffixes = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())

    class OfflineEmailRecognizer(EmailRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            return suffixes(pattern_text).fqdn != ""

    class NoContext(ContextAwareEnhancer):
        """Scores as the recognizers gave them: the no-op engine has no words to look around."""

        def __init__(self) -> None:
            super().__init__(0, 0, 0, 0)

        def enhance_using_context(
            self, text, raw_results, nlp_artifacts, recognizers, context=None
        ):
            return raw_results

    logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    for recognizer in (
        OfflineEmailRecognizer(),
        PhoneRecognizer(supported_regions=PHONE_REGIONS),
        CreditCardRecognizer(),
        IbanRecognizer(),
        IpRecognizer(),
        UsSsnRecognizer(),
        EsNifRecognizer(supported_language=LANGUAGE),
    ):
        registry.add_recognizer(recognizer)
    for entity, patterns in CREDENTIAL_PATTERNS.items():
        registry.add_recognizer(
            PatternRecognizer(
                supported_entity=entity,
                name=f"{entity.title().replace('_', '')}Recognizer",
                patterns=[Pattern(name, regex, score) for name, regex, score in patterns],
                supported_language=LANGUAGE,
                global_regex_flags=re.DOTALL | re.MULTILINE,
            )
        )
    nlp_engine = NoOpNlpEngine(models=[{"lang_code": LANGUAGE, "model_name": "none"}])
    engine = AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=[LANGUAGE],
        context_aware_enhancer=NoContext(),
    )
    found = set(engine.get_supported_entities(LANGUAGE))
    if found != set(ENTITY_TYPES):
        raise ClassifierError(f"the analyzer finds {sorted(found)}, not {sorted(ENTITY_TYPES)}")
    return engine


@lru_cache(maxsize=1)
def analyzer() -> Any:
    """The process's analyzer, built on first use (importing Presidio takes a few seconds, so a
    process that never sees content never pays it)."""
    return _build_engine()


def _strings(value: Any) -> Iterator[str]:
    """The text in a content value: strings of JSON objects and arrays, JSON held as text included."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]"):
            try:
                parsed = json.loads(stripped)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict | list):
                yield from _strings(parsed)
                return
        if stripped and not (len(stripped) > BLOB_CHARS and not any(c.isspace() for c in stripped)):
            yield stripped
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in STRUCTURAL_KEYS:
                yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def content_text(values: Iterable[Any]) -> str | None:
    """The text of a record's content values joined by new lines, cut at MAX_TEXT_CHARS; None when
    they hold no text (absent, empty, `{}` as LiteLLM stores when prompts are not kept)."""
    parts, size = [], 0
    for value in values:
        for text in _strings(value):
            parts.append(text[: MAX_TEXT_CHARS - size])
            size += len(parts[-1]) + 1
            if size >= MAX_TEXT_CHARS:
                return "\n".join(parts)
    return "\n".join(parts) if parts else None


def entity_counts(text: str) -> dict[str, int]:
    """Entity type -> number of matches in `text`; overlapping matches count once."""
    try:
        results = analyzer().analyze(text=text, language=LANGUAGE, score_threshold=SCORE_THRESHOLD)
    except ClassifierError:
        raise
    except Exception as error:  # the message could quote the text
        raise ClassifierError(
            f"the sensitive-data analyzer failed ({type(error).__name__})"
        ) from None
    kept: list[tuple[int, int]] = []
    counts: Counter[str] = Counter()
    for result in sorted(
        results, key=lambda r: (r.start - r.end, -r.score, r.entity_type, r.start)
    ):
        if any(result.start < end and start < result.end for start, end in kept):
            continue
        kept.append((result.start, result.end))
        counts[result.entity_type] += 1
    return dict(sorted(counts.items()))


def cached_entity_counts(text: str) -> dict[str, int]:
    """`entity_counts(text)`, from the recent results when the same text was classified lately."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    with _recent_lock:
        found = _recent.get(digest)
        if found is not None:
            _recent.move_to_end(digest)
            return found
    counts = entity_counts(text)
    with _recent_lock:
        _recent[digest] = counts
        while len(_recent) > CACHE_SIZE:
            _recent.popitem(last=False)
    return counts


class ContentClassifier:
    """Classifies the content of one pull's records and counts what it did, for the pull's log line."""

    def __init__(self) -> None:
        self.records = 0
        self.with_entities = 0
        self.seconds = 0.0

    def counts_json(self, *values: Any) -> str | None:
        """`{"TYPE": n, ...}` for the content values of one record (`{}`: nothing found), or None
        when they hold no text."""
        text = content_text(values)
        if text is None:
            return None
        started = time.perf_counter()
        counts = cached_entity_counts(text)
        self.seconds += time.perf_counter() - started
        self.records += 1
        self.with_entities += bool(counts)
        return json.dumps(counts, sort_keys=True, separators=(", ", ": "))

    def summary(self) -> str:
        """`; content of N request(s) classified in X s (M with sensitive data)`, or nothing."""
        if not self.records:
            return ""
        return (
            f"; content of {self.records} request(s) classified in {self.seconds:.1f} s "
            f"({self.with_entities} with sensitive data)"
        )
