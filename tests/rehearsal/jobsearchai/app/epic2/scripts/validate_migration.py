"""Validate the JSON → SQLite migration: schema, every JSON job present, counts, sample integrity.

Exit 0 when nothing critical is found, 1 otherwise. `--report` also writes the details to reports/.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from utils.db_utils import ROOT, JobMatchDatabase, normalize_url

TABLES = {"job_matches", "cv_versions", "scrape_history"}
SAMPLE = 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--report", action="store_true", help="write a detailed report to reports/")
    args = parser.parse_args()
    lines: list[str] = []
    critical = 0

    def say(line: str) -> None:
        print(line)
        lines.append(line)

    with JobMatchDatabase() as db:
        missing_tables = TABLES - db.tables()
        if missing_tables:
            say(f"✗ CRITICAL: missing tables: {', '.join(sorted(missing_tables))}")
            return 1
        say("✓ Schema verified: job_matches, cv_versions, scrape_history")
        stored = {r[0] for r in db.db.execute("SELECT job_url FROM job_matches")}
        total = 0
        for path in sorted((ROOT / "job_matches").glob("*.json")):
            matches = json.loads(path.read_text(encoding="utf-8"))
            total += len(matches)
            absent = [m["Application URL"] for m in matches if normalize_url(m["Application URL"]) not in stored]
            if absent:
                critical += len(absent)
                say(f"✗ CRITICAL: {path.name}: {len(absent)} job(s) missing from SQLite, e.g. {absent[0]}")
            elif args.report:
                say(f"  {path.name}: all {len(matches)} jobs present")
        count = db.count()
        say(f"✓ Record counts: {total} job matches in JSON, {count} in SQLite ({total - count} duplicates)")
        broken = 0
        for (data,) in db.db.execute("SELECT match_data FROM job_matches ORDER BY random() LIMIT ?", (SAMPLE,)):
            try:
                if "Job Title" not in json.loads(data):
                    broken += 1
            except ValueError:
                broken += 1
        if broken:
            critical += broken
            say(f"✗ CRITICAL: {broken} sampled rows have unreadable match data")
        else:
            say(f"✓ Sample data integrity check passed ({min(SAMPLE, count)} rows)")
    if args.report:
        reports = ROOT / "reports"
        reports.mkdir(exist_ok=True)
        target = reports / f"migration_validation_{datetime.now():%Y%m%d_%H%M%S}.txt"
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"Report written to {target.relative_to(ROOT)}")
    if critical:
        print(f"✗ Validation failed: {critical} critical issue(s)")
        return 1
    print("✓ Validation passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
