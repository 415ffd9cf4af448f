"""Notifications about worksets: an event goes to every channel (SNS here; Linear is not part of
the stand-in). A channel that fails is logged and does not stop the others."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import boto3

LOG = logging.getLogger("daylib.notifications")


@dataclass
class NotificationEvent:
    workset_id: str
    event_type: str  # state_change, error, lock_timeout, …
    state: str
    message: str
    priority: str = "normal"
    metadata: dict[str, Any] = field(default_factory=dict)
    timestamp: float = field(default_factory=time.time)

    @property
    def subject(self) -> str:
        return f"[daylily] {self.workset_id}: {self.event_type} ({self.state})"[:100]


class NotificationChannel(Protocol):
    name: str

    def send(self, event: NotificationEvent) -> None: ...


class SNSNotificationChannel:
    """Publishes each event to an SNS topic as JSON."""

    name = "sns"

    def __init__(self, topic_arn: str, region: str, profile: str | None = None) -> None:
        self.topic_arn = topic_arn
        self.client = boto3.Session(region_name=region, profile_name=profile).client("sns")

    def send(self, event: NotificationEvent) -> None:
        response = self.client.publish(
            TopicArn=self.topic_arn,
            Subject=event.subject,
            Message=json.dumps(asdict(event), sort_keys=True),
            MessageAttributes={
                "event_type": {"DataType": "String", "StringValue": event.event_type},
                "priority": {"DataType": "String", "StringValue": event.priority},
            },
        )
        LOG.info("sns: published %s for %s", response["MessageId"], event.workset_id)


class NotificationManager:
    def __init__(self) -> None:
        self.channels: list[NotificationChannel] = []

    def add_channel(self, channel: NotificationChannel) -> None:
        self.channels.append(channel)

    def notify(self, event: NotificationEvent) -> dict[str, bool]:
        """Send `event` to every channel; which ones delivered it."""
        delivered: dict[str, bool] = {}
        for channel in self.channels:
            try:
                channel.send(event)
                delivered[channel.name] = True
            except Exception:  # one broken channel must not silence the others
                LOG.exception("notification channel %s failed for %s", channel.name, event.workset_id)
                delivered[channel.name] = False
        return delivered
