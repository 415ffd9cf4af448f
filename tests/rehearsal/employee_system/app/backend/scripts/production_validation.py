"""Security validation of this checkout before it goes to production.

Runs the application in-process on a scratch SQLite database (nothing real is touched) and checks
what the code guarantees: security headers, a limit on failed logins, hashed passwords, expiring
tokens, debug off unless asked, no hard-coded secrets in src/. Exits 1 when any check fails.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[1]
SECRET_LITERAL = re.compile(r"(?i)(secret|password|api_key)\w*\s*=\s*['\"][^'\"]{6,}['\"]")


def main() -> int:
    scratch = tempfile.mkdtemp(prefix="validation-")
    os.environ.update({"DATABASE_URL": f"sqlite:///{scratch}/validation.db", "SECRET_KEY": os.urandom(32).hex()})
    os.environ.pop("DEBUG", None)
    sys.path.insert(0, str(BACKEND))
    from fastapi.testclient import TestClient
    from src import auth, security
    from src.config import load_settings
    from src.database import Base, engine
    from src.main import SECURITY_HEADERS, app

    Base.metadata.create_all(engine())
    client = TestClient(app)

    def headers() -> bool:
        response = client.get("/health")
        return all(response.headers.get(k) == v for k, v in SECURITY_HEADERS.items())

    def rate_limit() -> bool:
        codes = [
            client.post("/api/auth/login", data={"username": "nobody", "password": "x"}).status_code
            for _ in range(auth.FAILED_LOGINS_PER_MINUTE + 1)
        ]
        return codes[-1] == 429 and set(codes[:-1]) == {401}

    def hashed() -> bool:
        stored = security.hash_password("s3cret-pass")
        return "s3cret-pass" not in stored and security.verify_password("s3cret-pass", stored)

    def expiring() -> bool:
        return 0 < security.TOKEN_TTL_S <= 3600

    def no_debug() -> bool:
        return not load_settings().debug

    def no_hardcoded_secrets() -> bool:
        hits = [
            f"{p.relative_to(BACKEND)}:{n}"
            for p in (BACKEND / "src").rglob("*.py")
            for n, line in enumerate(p.read_text().splitlines(), 1)
            if SECRET_LITERAL.search(line)
        ]
        for hit in hits:
            print(f"  hard-coded secret? {hit}")
        return not hits

    checks: list[tuple[str, Callable[[], bool]]] = [
        ("Security headers set", headers),
        ("Failed logins rate-limited", rate_limit),
        ("Passwords hashed (PBKDF2)", hashed),
        ("Tokens expire within an hour", expiring),
        ("Debug off by default", no_debug),
        ("No hard-coded secrets in src/", no_hardcoded_secrets),
    ]
    failed = 0
    for name, check in checks:
        ok = check()
        failed += not ok
        print(f"{'✓' if ok else '✗'} {name}")
    print("security validation passed" if not failed else f"security validation FAILED ({failed})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
