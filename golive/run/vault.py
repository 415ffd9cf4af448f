"""Encryption at rest for what a resume needs and the record must never hold in clear.

A run's shell session holds secrets (`TOKEN=$(curl …)`, a password typed at a prompt). A resume
in a new shell needs them back, but the store (shared, audited, maybe PostgreSQL on another host)
must never see them. So the whole session state is sealed with Fernet (AES-128-CBC + HMAC-SHA256)
under a key kept in GOLIVE_HOME/vault.key, mode 0600, owned by the operator: only this operator
on this machine can open it. Another machine, a lost key or a tampered file: `VaultError`, with
the reason, and the resume names what it could not restore.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

KEY_FILE = "vault.key"


class VaultError(Exception):
    """What was sealed cannot be opened here; the message says why, for the operator."""


class Vault:
    """Sealed files under GOLIVE_HOME/vault/, one per name (a run id)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.dir = home / "vault"
        self._fernet: object | None = None

    @property
    def key_path(self) -> Path:
        return self.home / KEY_FILE

    def path(self, name: str) -> Path:
        return self.dir / f"{name}.sealed"

    # --- the key -----------------------------------------------------------------------------------------

    def _key(self, create: bool) -> bytes:
        path = self.key_path
        if not path.exists():
            if not create:
                raise VaultError(f"no vault key on this machine ({path})")
            from cryptography.fernet import Fernet

            self.home.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):  # two golive processes at once: the first one wins
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(Fernet.generate_key())
        try:
            info = path.stat()
            if info.st_uid != os.getuid():
                raise VaultError(f"{path} belongs to another user: it is not this operator's key")
            if stat.S_IMODE(info.st_mode) & 0o077:
                os.chmod(path, 0o600)  # readable by others: closed before it is used again
            return path.read_bytes().strip()
        except OSError as exc:
            raise VaultError(f"the vault key {path} cannot be read: {exc.strerror}") from exc

    def _cipher(self, create: bool):  # type: ignore[no-untyped-def]
        if self._fernet is None:
            from cryptography.fernet import Fernet

            try:
                self._fernet = Fernet(self._key(create))
            except ValueError as exc:
                raise VaultError(f"{self.key_path} is not a vault key") from exc
        return self._fernet

    # --- sealing ------------------------------------------------------------------------------------------

    def seal(self, name: str, data: bytes) -> Path:
        """Encrypt `data` to the file of `name`, replaced atomically, mode 0600."""
        token: bytes = self._cipher(create=True).encrypt(data)
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        target = self.path(name)
        tmp = target.with_name(f".{target.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(token)
        os.replace(tmp, target)  # a kill -9 leaves the old file or the new one, never half of one
        return target

    def open(self, name: str) -> bytes:
        """The data sealed for `name`, or VaultError saying why it cannot be had here."""
        target = self.path(name)
        if not target.exists():
            raise VaultError(f"nothing sealed on this machine for {name} ({target})")
        from cryptography.fernet import InvalidToken

        cipher = self._cipher(create=False)
        try:
            data: bytes = cipher.decrypt(target.read_bytes())
        except InvalidToken as exc:
            raise VaultError(f"{target} cannot be opened with this machine's vault key") from exc
        except OSError as exc:
            raise VaultError(f"{target} cannot be read: {exc.strerror}") from exc
        return data

    def drop(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)
