from __future__ import annotations

import json

from daylib.workset_notifications import NotificationEvent, NotificationManager, SNSNotificationChannel

from tests.conftest import REGION


class Recorder:
    name = "recorder"

    def __init__(self) -> None:
        self.events: list[NotificationEvent] = []

    def send(self, event: NotificationEvent) -> None:
        self.events.append(event)


class Broken:
    name = "broken"

    def send(self, event: NotificationEvent) -> None:
        raise ConnectionError("channel down")


def event() -> NotificationEvent:
    return NotificationEvent(workset_id="itest", event_type="state_change", state="ready", message="hello")


def test_sns_channel_publishes_the_event_as_json(topic_arn: str) -> None:
    channel = SNSNotificationChannel(topic_arn=topic_arn, region=REGION)
    manager = NotificationManager()
    manager.add_channel(channel)
    assert manager.notify(event()) == {"sns": True}
    assert json.loads(json.dumps({"subject": event().subject}))["subject"].startswith("[daylily] itest")


def test_every_channel_gets_the_event() -> None:
    first, second = Recorder(), Recorder()
    manager = NotificationManager()
    manager.add_channel(first)
    manager.add_channel(second)
    manager.notify(event())
    assert len(first.events) == len(second.events) == 1


def test_a_broken_channel_does_not_silence_the_others(topic_arn: str) -> None:
    recorder = Recorder()
    manager = NotificationManager()
    manager.add_channel(Broken())
    manager.add_channel(recorder)
    manager.add_channel(SNSNotificationChannel(topic_arn=topic_arn, region=REGION))
    assert manager.notify(event()) == {"broken": False, "recorder": True, "sns": True}
