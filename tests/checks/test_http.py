"""`http` and `tcp` against a real app on loopback."""

from __future__ import annotations

import socket

from tests.checks.conftest import PASSWORD, TOKEN, App, errors_of, run_check


def test_a_healthy_service_passes_status_json_and_latency(app: App) -> None:
    result = run_check(f"""
http: GET {app.url}/health
expect: {{status: 200, json: {{status: healthy}}, ms: "<2000"}}
""")
    assert result.passed, result.reason
    assert result.measured["status"] == 200 and result.measured["ms"] < 2000
    assert "_body" not in result.measured  # the body is judged, never recorded


def test_a_broken_service_fails_with_the_measured_value(app: App) -> None:
    app.broken = True
    result = run_check(f"http: GET {app.url}/health\nexpect: {{status: 200, json: {{status: healthy}}}}")
    assert not result.passed
    assert "status 503, want 200" in result.reason
    assert "json.status is 'unhealthy', expected 'healthy'" in result.reason


def test_latency_over_the_limit_says_how_slow(app: App) -> None:
    result = run_check(f'http: GET {app.url}/health?ms=120\nexpect: {{ms: "<50"}}')
    assert not result.passed
    assert result.reason.startswith("time ") and result.reason.endswith("ms, want < 50 ms")


def test_a_login_captures_the_token_and_bearer_auth_uses_it(app: App) -> None:
    login = run_check(
        f"""
http: POST {app.url}/login
form: {{username: admin, password: "{{{{ ADMIN_PASSWORD }}}}"}}
capture: {{TOKEN: json.access_token, KIND: json.token_type}}
""",
        ADMIN_PASSWORD=PASSWORD,
    )
    assert login.passed, login.reason
    assert login.captured == {"TOKEN": TOKEN, "KIND": "bearer"}
    assert login.secret_captures == {"TOKEN"}
    me = run_check(
        f'http: GET {app.url}/me\nauth: {{bearer: "{{{{ TOKEN }}}}"}}\nexpect: {{json: {{user: admin}}}}',
        **login.captured,
    )
    assert me.passed, me.reason


def test_a_capture_the_response_lacks_fails_the_check(app: App) -> None:
    result = run_check(f"http: GET {app.url}/health\ncapture: {{TOKEN: json.access_token}}")
    assert not result.passed
    assert "capture TOKEN: the response has no json.access_token" in result.reason


def test_body_header_and_redirect_expectations(app: App) -> None:
    text = run_check(
        f'http: GET {app.url}/text\nexpect: {{contains: "Service ready", regex: "version 3\\\\.1", '
        f'header: {{x-version: "3.1.9"}}, absent: Traceback}}'
    )
    assert text.passed, text.reason
    redirect = run_check(f"http: GET {app.url}/redirect\nexpect: {{status: 302, header: {{location: /health}}}}")
    assert redirect.passed, redirect.reason
    followed = run_check(f"http: GET {app.url}/redirect\nfollow_redirects: true\nexpect: {{status: 2xx}}")
    assert followed.passed, followed.reason


def test_without_an_expectation_an_error_status_fails(app: App) -> None:
    assert run_check(f"http: GET {app.url}/health").passed
    result = run_check(f"http: GET {app.url}/status/500")
    assert not result.passed and result.reason == "status 500, want < 400"


def test_tls_days_left_are_measured(tls_app: App) -> None:
    ok = run_check(f'http: GET {tls_app.url}/health\nverify: false\nexpect: {{tls_days: ">14"}}')
    assert ok.passed, ok.reason
    assert 28 < ok.measured["tls_days"] <= 30
    short = run_check(f'http: GET {tls_app.url}/health\nverify: false\nexpect: {{tls_days: ">60"}}')
    assert not short.passed and "want > 60 days" in short.reason


def test_a_redirect_from_plain_http_to_https_is_verified_like_any_https(app: App, tls_app: App) -> None:
    """An http:// check that follows redirects may land on TLS: its certificate is checked all the same
    (only a request that cannot reach TLS goes without the CA certificates loaded)."""
    hop = f"http: GET {app.url}/redirect?to={tls_app.url}/health\nfollow_redirects: true"
    refused = run_check(hop)
    assert not refused.passed and "certificate" in refused.reason.lower(), refused.reason
    allowed = run_check(hop + "\nverify: false")
    assert allowed.passed, allowed.reason
    assert run_check(f"http: GET {tls_app.url}/health").passed is False  # self-signed: refused


def test_an_unreachable_service_fails_and_retries_with_backoff() -> None:
    port = _free_port()
    result = run_check(f"http: GET http://127.0.0.1:{port}/health\nretries: 2\nbackoff: 10ms")
    assert not result.passed and result.attempts == 3
    assert result.reason.startswith("could not connect")


def test_malformed_http_checks_name_line_and_key() -> None:
    assert errors_of("http: FETCH http://x\nexpect: {stauts: 200}\ncapture: {1X: json.a}") == [
        "10: http: 'FETCH' is not an HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS) (http check)",
        "11: expect.stauts: unknown option: did you mean `status`? `expect` takes status, json, contains, absent, "
        "regex, header, ms, tls_days (http check)",
        "12: capture: '1X' is not a variable name (http check)",
    ]


def test_tcp_open_and_closed(app: App) -> None:
    address = app.url.removeprefix("http://")
    assert run_check(f"tcp: {address}").passed
    closed = run_check(f"tcp: {address}\nexpect: closed")
    assert not closed.passed and closed.reason == f"{address} accepts connections, want closed"
    port = _free_port()
    assert run_check(f"tcp: 127.0.0.1:{port}\nexpect: closed").passed
    refused = run_check(f"tcp: 127.0.0.1:{port}")
    assert not refused.passed and "want open" in refused.reason


def test_malformed_tcp_checks() -> None:
    assert errors_of("tcp: localhost\nexpect: shut") == [
        "10: tcp: 'localhost' is not host:port (tcp check)",
        "11: expect: Input should be 'open' or 'closed' (tcp check)",
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
