"""The integration tests run against the deployed system: the DynamoDB table, SNS and the API.

Where they are comes from the environment (DAYLILY_TABLE, DAYLILY_REGION, DAYLILY_API_URL; the AWS
credentials, profile and endpoint as for the AWS CLI). Every workset a test registers has a unique
`itest-` id and is deleted afterwards; topics a test creates are deleted too.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import boto3
import httpx
import pytest
from daylib.workset_state_db import WorksetStateDB

TABLE = os.environ.get("DAYLILY_TABLE", "daylily-worksets")
REGION = os.environ.get("DAYLILY_REGION", "us-west-2")
API_URL = os.environ.get("DAYLILY_API_URL", "http://localhost:8001")


@pytest.fixture(scope="session")
def db() -> WorksetStateDB:
    return WorksetStateDB(TABLE, REGION)


@pytest.fixture
def workset_ids(db: WorksetStateDB) -> Iterator[list[str]]:
    """Ids for this test's worksets; whatever it registered under them is deleted afterwards."""
    ids = [f"itest-{uuid.uuid4().hex[:10]}-{n}" for n in range(4)]
    yield ids
    for workset_id in ids:
        db.delete_workset(workset_id)


@pytest.fixture
def topic_arn() -> Iterator[str]:
    sns = boto3.client("sns", region_name=REGION)
    arn = sns.create_topic(Name=f"daylily-itest-{uuid.uuid4().hex[:10]}")["TopicArn"]
    yield arn
    sns.delete_topic(TopicArn=arn)


@pytest.fixture(scope="session")
def api() -> Iterator[httpx.Client]:
    with httpx.Client(base_url=API_URL, timeout=30) as client:
        yield client
