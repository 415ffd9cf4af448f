"""Workset state in DynamoDB: registration, state changes with their history, locks, the queue.

Every write is a conditional DynamoDB operation, so two monitors racing for the same workset
cannot both win: a lock is taken only where no live lock is held, a registration only where the
workset does not exist yet.
"""

from __future__ import annotations

import logging
import time
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

LOG = logging.getLogger("daylib.state")

STATE_INDEX = "state-priority-index"
STATES = ("ready", "in_progress", "complete", "error", "ignored")
PRIORITIES = ("urgent", "normal", "low")  # the order the queue serves them in


class WorksetStateDB:
    """The workset table `table_name` in `region`."""

    def __init__(self, table_name: str, region: str, profile: str | None = None, lock_timeout_s: int = 3600) -> None:
        session = boto3.Session(region_name=region, profile_name=profile)
        self.table_name = table_name
        self.region = region
        self.lock_timeout_s = lock_timeout_s
        self.client = session.client("dynamodb")
        self.table = session.resource("dynamodb").Table(table_name)

    # --- the table ---------------------------------------------------------------------------------

    def create_table_if_not_exists(self) -> bool:
        """Create the table and its state/priority index; False when it already existed."""
        if self.table_exists():
            LOG.info("table %s exists", self.table_name)
            return False
        self.client.create_table(
            TableName=self.table_name,
            KeySchema=[{"AttributeName": "workset_id", "KeyType": "HASH"}],
            AttributeDefinitions=[
                {"AttributeName": "workset_id", "AttributeType": "S"},
                {"AttributeName": "state", "AttributeType": "S"},
                {"AttributeName": "priority", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": STATE_INDEX,
                    "KeySchema": [
                        {"AttributeName": "state", "KeyType": "HASH"},
                        {"AttributeName": "priority", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        self.client.get_waiter("table_exists").wait(TableName=self.table_name)
        LOG.info("table %s created in %s", self.table_name, self.region)
        return True

    def table_exists(self) -> bool:
        try:
            self.client.describe_table(TableName=self.table_name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ResourceNotFoundException":
                return False
            raise
        return True

    # --- worksets ----------------------------------------------------------------------------------

    def register_workset(
        self,
        workset_id: str,
        bucket: str,
        prefix: str,
        priority: str = "normal",
        metadata: dict[str, Any] | None = None,
    ) -> bool:
        """Register a new workset as ready; False when one with this id exists."""
        if priority not in PRIORITIES:
            raise ValueError(f"priority must be one of {', '.join(PRIORITIES)}, not {priority!r}")
        now = _now()
        item = {
            "workset_id": workset_id,
            "bucket": bucket,
            "prefix": prefix,
            "priority": priority,
            "state": "ready",
            "created_at": now,
            "updated_at": now,
            "metadata": metadata or {},
            "state_history": [{"state": "ready", "at": now, "reason": "registered"}],
        }
        try:
            self.table.put_item(Item=item, ConditionExpression=Attr("workset_id").not_exists())
        except ClientError as exc:
            if _conditional_failed(exc):
                return False
            raise
        LOG.info("registered workset %s (%s)", workset_id, priority)
        return True

    def get_workset(self, workset_id: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key={"workset_id": workset_id}, ConsistentRead=True).get("Item")
        return _plain(item) if item else None

    def delete_workset(self, workset_id: str) -> None:
        self.table.delete_item(Key={"workset_id": workset_id})

    def update_state(self, workset_id: str, state: str, reason: str, error_details: str | None = None) -> None:
        """Move a workset to `state`, appending the change to its history (the audit trail)."""
        if state not in STATES:
            raise ValueError(f"state must be one of {', '.join(STATES)}, not {state!r}")
        now = _now()
        entry: dict[str, Any] = {"state": state, "at": now, "reason": reason}
        if error_details:
            entry["error"] = error_details
        try:
            self.table.update_item(
                Key={"workset_id": workset_id},
                UpdateExpression="SET #s = :s, updated_at = :now, state_history = list_append(state_history, :h)",
                ConditionExpression=Attr("workset_id").exists(),
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues={":s": state, ":now": now, ":h": [entry]},
            )
        except ClientError as exc:
            if _conditional_failed(exc):
                raise KeyError(workset_id) from None
            raise
        LOG.info("workset %s -> %s (%s)", workset_id, state, reason)

    # --- locks -------------------------------------------------------------------------------------

    def acquire_lock(self, workset_id: str, owner_id: str) -> bool:
        """Take the workset's lock: free, already ours, or stale (older than the lock timeout)."""
        now = _now()
        free = Attr("lock_owner").not_exists() | Attr("lock_owner").eq(owner_id)
        stale = Attr("lock_acquired_at").lt(now - self.lock_timeout_s)
        try:
            self.table.update_item(
                Key={"workset_id": workset_id},
                UpdateExpression="SET lock_owner = :o, lock_acquired_at = :now",
                ConditionExpression=Attr("workset_id").exists() & (free | stale),
                ExpressionAttributeValues={":o": owner_id, ":now": now},
            )
        except ClientError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def release_lock(self, workset_id: str, owner_id: str) -> bool:
        """Give the lock back; only its owner can."""
        try:
            self.table.update_item(
                Key={"workset_id": workset_id},
                UpdateExpression="REMOVE lock_owner, lock_acquired_at",
                ConditionExpression=Attr("lock_owner").eq(owner_id),
            )
        except ClientError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    # --- the queue ---------------------------------------------------------------------------------

    def list_worksets_by_state(
        self, state: str, priority: str | None = None, index: str = STATE_INDEX
    ) -> list[dict[str, Any]]:
        condition = Key("state").eq(state)
        if priority is not None:
            condition = condition & Key("priority").eq(priority)
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"IndexName": index, "KeyConditionExpression": condition}
        while True:
            page = self.table.query(**kwargs)
            items.extend(_plain(i) for i in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def get_ready_worksets_prioritized(self, limit: int = 10) -> list[dict[str, Any]]:
        ready: list[dict[str, Any]] = []
        for priority in PRIORITIES:
            ready.extend(sorted(self.list_worksets_by_state("ready", priority), key=lambda w: w["created_at"]))
        return ready[:limit]

    def get_queue_depth(self, index: str = STATE_INDEX) -> dict[str, int]:
        return {state: len(self.list_worksets_by_state(state, index=index)) for state in STATES}


def _now() -> int:
    return int(time.time())


def _conditional_failed(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] == "ConditionalCheckFailedException"


def _plain(value: Any) -> Any:
    """DynamoDB's Decimals as ints, so items serialise as JSON."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
