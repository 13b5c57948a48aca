"""SQLite, with write transactions queued on a file lock.

SQLite lets one writer in at a time. The others wait in its busy handler, which polls with sleeps
growing to 100 ms, so app server processes that write at the same moment spend their time asleep
while the database is free. Here a write transaction first takes an exclusive lock on a file beside
the database, and the kernel hands that lock to the next writer the moment it is released.
"""

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _write_lock: int | None = None

    def _start_transaction_under_autocommit(self) -> None:
        self._lock_writes()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._unlock_writes()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._unlock_writes()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._unlock_writes()

    def _close(self):
        try:
            return super()._close()
        finally:
            if self._write_lock is not None:
                os.close(self._write_lock)  # closing the file releases its lock too
                self._write_lock = None

    def _lock_writes(self) -> None:
        if self.is_in_memory_db():
            return
        if self._write_lock is None:
            self._write_lock = os.open(f"{self.settings_dict['NAME']}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._write_lock, fcntl.LOCK_EX)

    def _unlock_writes(self) -> None:
        if self._write_lock is not None:
            fcntl.flock(self._write_lock, fcntl.LOCK_UN)
