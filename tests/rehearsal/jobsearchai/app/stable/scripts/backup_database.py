"""Back up, list and restore the JobSearchAI SQLite database (instance/jobsearchai.db).

python scripts/backup_database.py                   # backups/jobsearchai_backup_YYYYMMDD_HHMMSS.db
python scripts/backup_database.py --list            # newest first, with size and time
python scripts/backup_database.py --restore FILE    # FILE replaces the live database
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATABASE = ROOT / "instance" / "jobsearchai.db"
BACKUPS = ROOT / "backups"
KEEP = 10


def backup() -> Path:
    if not DATABASE.exists():
        sys.exit(f"✗ No database at {DATABASE}")
    BACKUPS.mkdir(exist_ok=True)
    target = BACKUPS / f"jobsearchai_backup_{datetime.now():%Y%m%d_%H%M%S}.db"
    source = sqlite3.connect(DATABASE)
    copy = sqlite3.connect(target)
    with copy:
        source.backup(copy)  # consistent even while the dashboard has the database open
    source.close()
    copy.close()
    for old in sorted(BACKUPS.glob("jobsearchai_backup_*.db"))[:-KEEP]:
        old.unlink()
    print(f"✓ Backup created: {target.relative_to(ROOT)} ({target.stat().st_size:,} bytes)")
    return target


def listing() -> None:
    backups = sorted(BACKUPS.glob("jobsearchai_backup_*.db"), reverse=True)
    if not backups:
        print("No backups found in backups/")
        return
    print(f"Backups in {BACKUPS.relative_to(ROOT)}/ (newest first):")
    for path in backups:
        stat = path.stat()
        when = datetime.fromtimestamp(stat.st_mtime)
        print(f"  {path.relative_to(ROOT)}  {stat.st_size:>10,} bytes  {when:%Y-%m-%d %H:%M:%S}")


def restore(name: str) -> None:
    source = Path(name) if Path(name).is_absolute() else ROOT / name
    if not source.is_file():
        sys.exit(f"✗ Backup not found: {name}")
    check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    ok = check.execute("PRAGMA integrity_check").fetchone()[0]
    check.close()
    if ok != "ok":
        sys.exit(f"✗ Backup {name} fails its integrity check: {ok}")
    DATABASE.parent.mkdir(exist_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, DATABASE)
    print(f"✓ Database restored from {source.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true", help="list the backups")
    parser.add_argument("--restore", metavar="FILE", help="restore the database from FILE")
    args = parser.parse_args()
    if args.list:
        listing()
    elif args.restore:
        restore(args.restore)
    else:
        backup()


if __name__ == "__main__":
    main()
