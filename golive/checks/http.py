"""`http`: one request (httpx); status, JSON subset, body, headers, latency, TLS days left; captures.

- http: POST http://localhost:8000/api/auth/login
  form: {username: admin, password: "{{ ADMIN_PASSWORD }}"}
  expect: {status: 200, json: {token_type: bearer}, ms: "<500"}
  capture: {TOKEN: json.access_token}
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from typing import Any

from pydantic import Field, field_validator, model_validator

from golive.checks.base import Comparison, Context, Fact, Observation, Options
from golive.checks.base import Spec as BaseSpec
from golive.checks.compare import listed, lookup, number_fact, short, value_fact

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
BODY_LIMIT = 1 << 20  # judged up to 1 MiB of body; the record keeps none of it
_CAPTURE = re.compile(r"^(json(\.[^.]+)*|header\.[A-Za-z0-9-]+|status|body)$")


class Auth(Options):
    user: str | None = Field(default=None, description="basic auth user")
    password: str | None = Field(default=None, description="basic auth password")
    bearer: str | None = Field(default=None, description="a bearer token")

    @model_validator(mode="after")
    def _one_kind(self) -> Auth:
        if (self.bearer is None) == (self.user is None):
            raise ValueError("give `bearer`, or `user` and `password`")
        return self


class HttpExpect(Options):
    status: int | list[int] | str | None = Field(
        default=None, description='200, [200, 204], "2xx" or "<400" (default <400)'
    )
    json_subset: Any = Field(default=None, alias="json", description="a JSON subset the body must contain")
    contains: str | list[str] | None = Field(default=None, description="text the body must contain")
    absent: str | list[str] | None = Field(default=None, description="text the body must not contain")
    regex: str | None = Field(default=None, description="a regular expression the body must match")
    header: dict[str, Any] | None = Field(default=None, description="response headers and their values")
    ms: Comparison | None = Field(default=None, description='response time in milliseconds, e.g. "<200"')
    tls_days: Comparison | None = Field(default=None, description='days before the TLS certificate expires, e.g. ">14"')

    @field_validator("status")
    @classmethod
    def _status(cls, value: int | list[int] | str | None) -> int | list[int] | str | None:
        from golive.checks.compare import comparison

        if isinstance(value, str) and not re.fullmatch(r"[1-5]xx", value.strip()) and comparison(value) is None:
            raise ValueError(f'{value!r} is not a status: 200, [200, 204], "2xx" or "<400"')
        return value

    @field_validator("regex")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return value


class HttpSpec(BaseSpec):
    TYPE = "http"
    http: str = Field(description='"METHOD URL" or a URL (GET)')
    headers: dict[str, str] = Field(default_factory=dict, description="request headers")
    form: dict[str, Any] | None = Field(default=None, description="a form body (application/x-www-form-urlencoded)")
    json_body: Any = Field(default=None, alias="json", description="a JSON body")
    body: str | None = Field(default=None, description="a raw body")
    auth: Auth | None = Field(default=None, description="{user, password} (basic) or {bearer}")
    verify: bool = Field(default=True, description="verify the TLS certificate")
    follow_redirects: bool = Field(default=False, description="follow redirects")
    expect: HttpExpect = Field(default=HttpExpect(), description="what the response must show")
    capture: dict[str, str] = Field(
        default_factory=dict, description="variables from the response: json.a.b, header.location, status, body"
    )

    @field_validator("http")
    @classmethod
    def _request(cls, value: str) -> str:
        method_and_url(value)
        return value

    @field_validator("capture")
    @classmethod
    def _captures(cls, value: dict[str, str]) -> dict[str, str]:
        for name, source in value.items():
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise ValueError(f"{name!r} is not a variable name")
            if not _CAPTURE.match(source):
                raise ValueError(f"{name}: {source!r} is not json.PATH, header.NAME, status or body")
        return value


Spec = HttpSpec


def method_and_url(value: str) -> tuple[str, str]:
    parts = value.split(None, 1)
    method, url = (parts[0].upper(), parts[1].strip()) if len(parts) == 2 else ("GET", value.strip())
    if method not in METHODS:
        raise ValueError(f"{parts[0]!r} is not an HTTP method ({', '.join(METHODS)})")
    if not re.match(r"^https?://[^/\s]+", url):
        raise ValueError(f"{url!r} is not an http:// or https:// URL")
    return method, url


async def probe(spec: HttpSpec, ctx: Context) -> Observation:
    method, url = method_and_url(spec.http)
    client = await ctx.http_client(spec.verify, tls=url.startswith("https") or spec.follow_redirects)
    started = time.perf_counter()
    request = client.build_request(
        method,
        url,
        headers=_headers(spec),
        data=spec.form,
        json=spec.json_body,
        content=spec.body,
        timeout=spec.timeout,
    )
    response = await client.send(request, stream=True, follow_redirects=spec.follow_redirects)
    try:
        days = _tls_days(response) if url.startswith("https") else None
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) >= BODY_LIMIT:
                break
    finally:
        await response.aclose()
    ms = (time.perf_counter() - started) * 1000
    return {
        "status": response.status_code,
        "ms": round(ms, 1),
        "bytes": len(body),
        **({"tls_days": days} if days is not None else {}),
        "_headers": {k.lower(): v for k, v in response.headers.items()},
        "_body": body.decode(response.encoding or "utf-8", "replace"),
    }


def _headers(spec: HttpSpec) -> dict[str, str]:
    headers = dict(spec.headers)
    if spec.auth is not None and spec.auth.bearer is not None:
        headers["Authorization"] = f"Bearer {spec.auth.bearer}"
    elif spec.auth is not None:
        import base64

        pair = f"{spec.auth.user}:{spec.auth.password or ''}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    return headers


def _tls_days(response: Any) -> float | None:
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    if not der:
        return None
    from cryptography import x509

    expires = x509.load_der_x509_certificate(der).not_valid_after_utc
    return round((expires - datetime.now(UTC)).total_seconds() / 86400, 1)


def judge(spec: HttpSpec, obs: Observation) -> list[Fact]:
    e = spec.expect
    facts = [_status(obs["status"], e.status)]
    body: str = obs.get("_body", "")
    if e.json_subset is not None:
        facts.append(_json(body, e.json_subset))
    for text in listed(e.contains):
        facts.append(Fact(text in body, f"body {'contains' if text in body else 'lacks'} {text!r}"))
    for text in listed(e.absent):
        facts.append(Fact(text not in body, f"body {'has' if text in body else 'has no'} {text!r}"))
    if e.regex is not None:
        found = re.search(e.regex, body) is not None
        facts.append(Fact(found, f"body {'matches' if found else 'does not match'} /{e.regex}/"))
    headers = obs.get("_headers", {})
    for name, wanted in (e.header or {}).items():
        facts.append(value_fact(f"header {name}", headers.get(name.lower()), wanted))
    if e.ms is not None:
        facts.append(number_fact("time", obs.get("ms"), e.ms, "ms"))
    if e.tls_days is not None:
        facts.append(number_fact("TLS certificate expires in", obs.get("tls_days"), e.tls_days, "days"))
    return facts


def _status(status: int, wanted: int | list[int] | str | None) -> Fact:
    if wanted is None:
        return Fact(status < 400, f"status {status}" + ("" if status < 400 else ", want < 400"))
    if isinstance(wanted, list):
        ok = status in wanted
        return Fact(ok, f"status {status}" + ("" if ok else f", want one of {wanted}"))
    if isinstance(wanted, str) and re.fullmatch(r"[1-5]xx", wanted.strip().lower()):
        ok = str(status)[0] == wanted.strip()[0]
        return Fact(ok, f"status {status}" + ("" if ok else f", want {wanted}"))
    return number_fact("status", status, wanted)


def _json(body: str, example: Any) -> Fact:
    from golive.run.judge import subset_problem

    try:
        actual = json.loads(body)
    except ValueError:
        return Fact(False, f"body is not JSON: {short(body.strip(), 60)!r}")
    problem = subset_problem(example, actual, "json")
    return Fact(not problem, problem or f"json contains {short(example)}")



def capture(spec: HttpSpec, obs: Observation) -> tuple[dict[str, str], list[str]]:
    """(values, problems): each `capture` variable from the response."""
    values: dict[str, str] = {}
    problems: list[str] = []
    for name, source in spec.capture.items():
        value = _source(source, obs)
        if value is None:
            problems.append(f"capture {name}: the response has no {source}")
        else:
            values[name] = value if isinstance(value, str) else json.dumps(value)
    return values, problems


def _source(source: str, obs: Observation) -> Any:
    if source == "status":
        return str(obs["status"])
    if source == "body":
        return obs.get("_body", "")
    if source.startswith("header."):
        return obs.get("_headers", {}).get(source.removeprefix("header.").lower())
    try:
        document: Any = json.loads(obs.get("_body", ""))
    except ValueError:
        return None
    value, found = lookup(document, source.split(".")[1:])
    return value if found else None
