"""RecruitSmart Telegram bot: long polling of the Bot API; logs to DATA_DIR/logs/bot.log and stderr."""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from types import FrameType

import httpx
from backend.core.settings import get_settings

log = logging.getLogger("bot")
stopping = False


def stop(signum: int, frame: FrameType | None) -> None:
    global stopping
    stopping = True


def main() -> int:
    settings = get_settings()
    logs = Path(settings.data_dir) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=[logging.FileHandler(logs / "bot.log"), logging.StreamHandler()],
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the token in the URL
    if not settings.bot_token:
        log.error("BOOT: BOT_TOKEN is not set")
        return 1
    api = f"{settings.telegram_api_url}/bot{settings.bot_token}"
    me = httpx.get(f"{api}/getMe", timeout=10).json()
    if not me.get("ok"):
        log.error("BOOT: Telegram refused the token: %s", me.get("description"))
        return 1
    log.info("BOOT: using bot id=%s, username=@%s", me["result"]["id"], me["result"]["username"])
    signal.signal(signal.SIGTERM, stop)
    offset = 0
    while not stopping:
        try:
            updates = httpx.get(f"{api}/getUpdates", params={"offset": offset, "timeout": 1}, timeout=15).json()
        except httpx.HTTPError as exc:
            log.warning("polling failed: %s", type(exc).__name__)
            continue
        for update in updates.get("result", []):
            offset = update["update_id"] + 1
            log.info("update %s", update["update_id"])
    log.info("bot stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
