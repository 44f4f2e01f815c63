"""Alert channels: a Slack-compatible webhook (httpx) and email (smtplib). One send is one attempt;
the delivery pass in alerting/delivery.py retries and records. Errors never carry a secret."""

from __future__ import annotations

import os
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

import httpx

from connectors.http import redact, retry_after_seconds
from governance.schema import EmailChannel, WebhookChannel

SLACK_SECTION_LIMIT = 2900
EVIDENCE_LIMIT = 600


@dataclass(frozen=True)
class Message:
    """What one alert says, whatever the channel."""

    alert_key: str
    kind: str  # opened, resolved, or missed (opened and resolved between two passes)
    condition_type: str
    category: str
    severity: str
    state: str
    subject: str
    first_seen_date: str
    last_seen_date: str
    summary: str
    evidence: str
    evaluated_date: str | None = None  # the day the release's alerts were evaluated through

    @property
    def title(self) -> str:
        what = self.condition_type.replace("_", " ")
        if self.kind == "resolved":
            return f"Resolved: {what} ({self.severity})"
        if self.kind == "missed":
            return f"{self.severity.capitalize()} alert: {what} (over by {self.last_seen_date})"
        return f"{self.severity.capitalize()} alert: {what}"


class DeliveryError(Exception):
    """One attempt failed; the message is safe to log (no secret in it)."""

    def __init__(self, message: str, *, retryable: bool = True, retry_after: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class ChannelNotReady(Exception):
    """A routed channel lacks its environment (URL or credentials): alerts wait for it."""


class Sender(Protocol):
    name: str
    max_attempts: int

    def send(self, message: Message) -> None: ...

    def close(self) -> None: ...


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_payload(message: Message) -> dict[str, Any]:
    """`text` (the notification fallback) plus Block Kit `blocks`."""
    days = f"{message.first_seen_date} to {message.last_seen_date}"
    fields = [
        ("Severity", message.severity),
        ("State", message.state),
        ("Subject", message.subject),
        ("Days", days),
    ]
    return {
        "text": _clip(f"{message.title}: {message.summary}", SLACK_SECTION_LIMIT),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": _clip(message.title, 150)}},
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": _clip(_escape(message.summary), SLACK_SECTION_LIMIT),
                },
            },
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*{name}*\n{_escape(value)}"}
                    for name, value in fields
                ],
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": _clip(
                            f"alert_key `{message.alert_key}` | evidence: {_escape(message.evidence)}",
                            EVIDENCE_LIMIT,
                        ),
                    }
                ],
            },
        ],
    }


def email_message(message: Message, sender: str, recipients: list[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = _clip(f"[AI warehouse] {message.title}: {message.summary}", 200)
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    # Stable per alert and message, so a mail system can drop a duplicate.
    mail["Message-ID"] = f"<{message.alert_key}.{message.kind}@aiuw.alerts>"
    mail["X-AIUW-Alert-Key"] = message.alert_key
    mail.set_content(
        "\n".join(
            [
                message.summary,
                "",
                f"Severity: {message.severity}",
                f"State: {message.state}",
                f"Condition: {message.condition_type} ({message.category})",
                f"Subject: {message.subject}",
                f"Days: {message.first_seen_date} to {message.last_seen_date}",
                f"Alert key: {message.alert_key}",
                "",
                "Evidence:",
                message.evidence,
            ]
        )
    )
    return mail


class WebhookSender:
    name = "webhook"

    def __init__(
        self,
        channel: WebhookChannel,
        env: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        env = os.environ if env is None else env
        url = env.get(channel.url_env)
        if not url:
            raise ChannelNotReady(f"webhook: {channel.url_env} is not set")
        self._url = url
        self.max_attempts = channel.max_attempts
        self._client = httpx.Client(
            timeout=httpx.Timeout(channel.timeout_seconds), transport=transport
        )

    def close(self) -> None:
        self._client.close()

    def send(self, message: Message) -> None:
        try:
            response = self._client.post(self._url, json=slack_payload(message))
        except httpx.HTTPError as error:
            detail = redact(str(error), [self._url])
            raise DeliveryError(f"webhook: {type(error).__name__}: {detail}") from None
        if response.is_success:
            return
        status = response.status_code
        body = redact(response.text[:200], [self._url]).strip()
        raise DeliveryError(
            f"webhook: HTTP {status}" + (f": {body}" if body else ""),
            retryable=status == 429 or status >= 500,
            retry_after=retry_after_seconds(response),
        )


class EmailSender:
    name = "email"

    def __init__(self, channel: EmailChannel, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self._channel = channel
        self._login: tuple[str, str] | None = None
        if channel.username_env and channel.password_env:
            username, password = env.get(channel.username_env), env.get(channel.password_env)
            if not (username and password):
                raise ChannelNotReady(
                    f"email: {channel.username_env} and {channel.password_env} must be set"
                )
            self._login = (username, password)
        self.max_attempts = channel.max_attempts

    def close(self) -> None:
        pass

    def send(self, message: Message) -> None:
        channel = self._channel
        mail = email_message(message, channel.from_address, channel.to)
        smtp_class = smtplib.SMTP_SSL if channel.security == "ssl" else smtplib.SMTP
        try:
            with smtp_class(channel.host, channel.port, timeout=channel.timeout_seconds) as smtp:
                if channel.security == "starttls":
                    smtp.starttls()
                if self._login:
                    smtp.login(*self._login)
                smtp.send_message(mail)
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryError(
                f"email: authentication refused by {channel.host}:{channel.port} ({error.smtp_code})",
                retryable=False,
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            secrets = list(self._login or ())
            detail = redact(str(error), secrets)
            raise DeliveryError(
                f"email: {type(error).__name__} from {channel.host}:{channel.port}: {detail}"
            ) from None
