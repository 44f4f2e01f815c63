"""The sensitive-data classifier on hand-made text: each entity type found and counted, invalid
checksums not, overlaps counted once, no text versus nothing found, and no model, download or
network behind it."""

from __future__ import annotations

import json
import socket

import pytest

from connectors import sensitive_data
from connectors.sensitive_data import (
    ENTITY_TYPES,
    MAX_TEXT_CHARS,
    ClassifierError,
    ContentClassifier,
    content_text,
    entity_counts,
)

# one sample per entity type, each valid for its checksum or format
SAMPLES = {
    "EMAIL_ADDRESS": "Write to jane.doe@example.com about the refund.",
    "PHONE_NUMBER": "Call the customer back on +1 212-555-0143 today.",
    "CREDIT_CARD": "The card on file is 4111 1111 1111 1111.",
    "IBAN_CODE": "Pay into GB82 WEST 1234 5698 7654 32 by Friday.",
    "IP_ADDRESS": "The request came from 203.0.113.42 at noon.",
    "US_SSN": "Her social security number is 123-45-6780.",
    "ES_NIF": "El NIF del cliente es 12345678Z.",
    "API_KEY": "Use sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c for the test.",
    "AWS_ACCESS_KEY_ID": "The deploy job uses AKIAIOSFODNN7EXAMPLE.",
    "BEARER_TOKEN": "curl -H 'Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0'",
    "PRIVATE_KEY": "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
}


def test_every_entity_type_has_a_sample():
    assert set(SAMPLES) == set(ENTITY_TYPES)


@pytest.mark.parametrize("entity", ENTITY_TYPES)
def test_each_entity_type_is_found_once(entity):
    assert entity_counts(SAMPLES[entity]) == {entity: 1}


def test_counts_add_up_per_type():
    text = (
        "From ana@example.org to bo@example.net, cc ana@example.org. "
        "Phones +44 20 7946 0958 and (212) 555-0143. Card 5555 5555 5555 4444."
    )
    assert entity_counts(text) == {"CREDIT_CARD": 1, "EMAIL_ADDRESS": 3, "PHONE_NUMBER": 2}
    # a UK number in national format is not read: only the US's national format is
    assert entity_counts("Call 020 7946 0958 or +44 20 7946 0958.") == {"PHONE_NUMBER": 1}


def test_numbers_that_fail_their_checksum_are_not_found():
    assert entity_counts("The card on file is 4111 1111 1111 1112.") == {}  # Luhn fails
    assert entity_counts("Pay into GB82 WEST 1234 5698 7654 33.") == {}  # mod-97 fails
    assert entity_counts("El NIF del cliente es 12345678A.") == {}  # wrong control letter
    assert entity_counts("The address 999.10.10.10 is not one.") == {}
    assert entity_counts("SSN 000-12-3456 is never issued.") == {}
    assert entity_counts("Key sk-short and order AKIA123.") == {}


def test_overlapping_matches_count_once_as_the_longer_match():
    # the SSN pattern matches what the phone matcher reads too; a key after Bearer is the token
    assert entity_counts("SSN 123-45-6780, phone +1 415-555-0199") == {
        "PHONE_NUMBER": 1,
        "US_SSN": 1,
    }
    assert entity_counts("Authorization: Bearer sk-ant-api03-abcdefghijklmnopqrstuvwx") == {
        "BEARER_TOKEN": 1
    }


def test_no_text_is_null_and_text_without_entities_is_empty():
    classifier = ContentClassifier()
    # absent, empty, and LiteLLM's {} when it does not store prompts: not classified
    assert [classifier.counts_json(v) for v in (None, "", "  ", {}, [], {"messages": []})] == [
        None
    ] * 6
    assert classifier.records == 0 and classifier.summary() == ""
    assert classifier.counts_json([{"role": "user", "content": "Summarise the roadmap."}]) == "{}"
    found = classifier.counts_json(
        [{"role": "user", "content": SAMPLES["EMAIL_ADDRESS"]}],
        {"choices": [{"message": {"content": SAMPLES["PHONE_NUMBER"]}}]},
    )
    assert json.loads(found) == {"EMAIL_ADDRESS": 1, "PHONE_NUMBER": 1}
    assert (classifier.records, classifier.with_entities) == (2, 1)
    assert classifier.summary().startswith("; content of 2 request(s) classified in ")


def test_json_held_as_text_is_read_and_blobs_are_skipped():
    messages = json.dumps([{"role": "user", "parts": [SAMPLES["CREDIT_CARD"]]}])
    assert content_text([messages]) == SAMPLES["CREDIT_CARD"]
    # ids, roles and enums of a response are not text: the same reply twice is the same text
    reply = {
        "id": "chatcmpl-9f2c",
        "choices": [{"finish_reason": "stop", "message": {"content": "Hi"}}],
    }
    assert content_text([reply]) == content_text([{**reply, "id": "chatcmpl-7a1b"}]) == "Hi"
    blob = "A" * 300 + "4111111111111111"
    assert content_text([{"image": {"bytes": blob}, "text": "hello"}]) == "hello"
    assert content_text([{"image": {"bytes": blob}}]) is None


def test_text_beyond_the_limit_is_cut(monkeypatch):
    monkeypatch.setattr(sensitive_data, "MAX_TEXT_CHARS", 100)
    text = content_text(["a " * 40, "b " * 40, "c " * 40])
    assert len(text) <= 100 and "c" not in text
    assert MAX_TEXT_CHARS == 200_000


def test_the_analyzer_loads_no_model_and_uses_no_network(monkeypatch):
    import spacy

    def refuse(*args, **kwargs):
        raise AssertionError("the classifier must not load a model or open a connection")

    monkeypatch.setattr(spacy, "load", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    engine = sensitive_data._build_engine()
    assert type(engine.nlp_engine).__name__ == "NoOpNlpEngine"
    assert sorted(engine.get_supported_entities("en")) == sorted(ENTITY_TYPES)
    results = engine.analyze(SAMPLES["EMAIL_ADDRESS"], language="en", score_threshold=0.4)
    assert [r.entity_type for r in results] == ["EMAIL_ADDRESS"]


def test_an_analyzer_failure_never_quotes_the_text(monkeypatch):
    class Broken:
        def analyze(self, text, **kwargs):
            raise ValueError(f"cannot read {text}")

    monkeypatch.setattr(sensitive_data, "analyzer", Broken)
    monkeypatch.setattr(sensitive_data, "_recent", sensitive_data.OrderedDict())
    with pytest.raises(ClassifierError) as raised:
        ContentClassifier().counts_json(SAMPLES["US_SSN"])
    assert "123-45-6780" not in str(raised.value) and "ValueError" in str(raised.value)


def test_a_repeated_text_is_classified_once(monkeypatch):
    calls = []
    real = sensitive_data.entity_counts

    def counting(text):
        calls.append(len(text))
        return real(text)

    monkeypatch.setattr(sensitive_data, "entity_counts", counting)
    monkeypatch.setattr(sensitive_data, "_recent", sensitive_data.OrderedDict())
    classifier = ContentClassifier()
    texts = [SAMPLES["EMAIL_ADDRESS"], SAMPLES["PHONE_NUMBER"], SAMPLES["EMAIL_ADDRESS"]]
    assert [classifier.counts_json(t) for t in texts] == [
        '{"EMAIL_ADDRESS": 1}',
        '{"PHONE_NUMBER": 1}',
        '{"EMAIL_ADDRESS": 1}',
    ]
    assert len(calls) == 2 and classifier.records == 3
    # the cache holds digests, never the text
    assert all(isinstance(key, bytes) and len(key) == 32 for key in sensitive_data._recent)
