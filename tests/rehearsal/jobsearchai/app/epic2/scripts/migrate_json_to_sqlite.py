"""Migrate the job matches kept in job_matches/*.json into SQLite, skipping duplicates.

Interactive: the JSON files do not say which search term and which CV produced them, so for each
file it asks (on the terminal) for the search term used and confirms the CV path.

    python scripts/migrate_json_to_sqlite.py --dry-run    # what would be migrated; writes nothing
    python scripts/migrate_json_to_sqlite.py              # migrate, answering the prompts
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from utils.db_utils import ROOT, JobMatchDatabase

SOURCE = ROOT / "job_matches"
DEFAULT_CV = "process_cv/cv-data/input/Lebenslauf.pdf"
TRIES = 3


def ask(prompt: str, default: str = "") -> str:
    for _ in range(TRIES):
        answer = input(prompt).strip() or default
        if answer:
            return answer
        print("  an answer is required")
    raise ValueError(f"no answer to {prompt.strip()!r}")


def load(path: Path) -> list[dict[str, object]]:
    matches = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(matches, list):
        raise ValueError(f"{path.name}: expected a list of job matches")
    return matches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true", help="preview: read the JSON files, write nothing")
    args = parser.parse_args()
    files = sorted(SOURCE.glob("*.json"))
    if not files:
        print(f"✗ No JSON files in {SOURCE}")
        return 1
    if args.dry_run:
        total = 0
        for path in files:
            matches = load(path)
            total += len(matches)
            print(f"📄 {path.name}: {len(matches)} job matches (will ask for the search term and CV path)")
        print(f"Dry run: {len(files)} files, {total} job matches; nothing written")
        return 0
    migrated = duplicates = errors = 0
    with JobMatchDatabase() as db:
        for path in files:
            matches = load(path)
            print(f"\n📄 {path.name}: {len(matches)} job matches")
            try:
                term = ask("  Enter search term used: ")
                cv_path = ask(f"  CV path [{DEFAULT_CV}]: ", DEFAULT_CV)
            except EOFError:
                print(f"\n✗ Migration needs a person at the terminal: no answer for {path.name} (input closed)")
                return 2
            cv_file = ROOT / cv_path
            if not cv_file.is_file():
                print(f"  ✗ CV not found: {cv_path}")
                errors += len(matches)
                continue
            cv_key = db.register_cv(cv_file)
            new = 0
            for match in matches:
                try:
                    if db.insert_job_match(match, term, cv_key):
                        new += 1
                    else:
                        duplicates += 1
                except (KeyError, ValueError) as exc:
                    print(f"  ✗ {path.name}: {exc!r}")
                    errors += 1
            migrated += new
            db.record_scrape(term, len(matches), new, len(matches) - new)
            print(f"  ✓ {new} migrated, {len(matches) - new} duplicates skipped")
    print("\n" + "=" * 50)
    print("Migration statistics")
    print(f"  Files processed:    {len(files)}")
    print(f"  Total migrated:     {migrated}")
    print(f"  Duplicates skipped: {duplicates}")
    print(f"  Errors:             {errors}")
    print("=" * 50)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
