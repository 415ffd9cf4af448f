"""Benchmark the job-match queries on the live database: P50/P95 per query, target P95 < 100 ms.

    python scripts/benchmark_performance.py [--output FILE.json] [--iterations N]
Exit 1 when a query misses its target.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from utils.db_utils import JobMatchDatabase

TARGET_P95_MS = 100.0


def timed(call: object, iterations: int) -> dict[str, float]:
    samples = []
    for _ in range(iterations):
        began = time.perf_counter()
        call()  # type: ignore[operator]
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 3), "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", help="also write the results as JSON to this file")
    parser.add_argument("--iterations", type=int, default=200)
    args = parser.parse_args()
    with JobMatchDatabase() as db:
        row = db.db.execute("SELECT job_url, search_term, cv_key FROM job_matches LIMIT 1").fetchone()
        if row is None:
            print("✗ The database holds no job matches: nothing to benchmark")
            return 1
        queries = {
            "dedup check (job_exists)": lambda: db.job_exists(row[0], row[1], row[2]),
            "matches by search term": lambda: db.get_job_matches(search_term=row[1]),
            "matches with score >= 70": lambda: db.get_job_matches(min_score=70),
            "count": db.count,
        }
        results = {name: timed(query, args.iterations) for name, query in queries.items()}
        history = db.db.execute("SELECT sum(jobs_found), sum(duplicates_skipped) FROM scrape_history").fetchone()
        records = db.count()
    print(f"{'query':<28}{'P50 ms':>10}{'P95 ms':>10}")
    failed = 0
    for name, result in results.items():
        ok = result["p95_ms"] < TARGET_P95_MS
        failed += not ok
        print(f"{'✓' if ok else '✗'} {name:<26}{result['p50_ms']:>10.3f}{result['p95_ms']:>10.3f}")
    found, skipped = history[0] or 0, history[1] or 0
    rate = skipped / found if found else 0.0
    print(f"Database contains {records} job match records")
    print(f"Deduplication: {skipped} of {found} jobs skipped as duplicates ({rate:.0%})")
    if args.output:
        target = Path(args.output)
        target.parent.mkdir(parents=True, exist_ok=True)
        document = {"queries": results, "records": records, "duplicates_skipped": skipped, "jobs_found": found}
        target.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        print(f"Results written to {target}")
    if failed:
        print(f"✗ {failed} query(ies) over the {TARGET_P95_MS:.0f} ms P95 target")
        return 1
    print(f"✓ All query tests < {TARGET_P95_MS:.0f} ms (P95)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
