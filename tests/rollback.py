"""Each test inside one transaction that is rolled back: an engine whose every connection shares one real one.

The product opens its own engines, sessions and transactions (``unit_of_work``, ``engine.begin()``, read-only and
autocommit variants), so binding one Session to a connection is not enough. Instead the test engine hands out
*logical* DBAPI connections that all run on one real connection, inside one outer transaction begun before the test
and rolled back after it. Each logical transaction is a savepoint: its commit releases the savepoint (the changes
stay, visible to the rest of the test, as after a real commit), its rollback rolls back to it. Isolation level,
read-only and autocommit settings are accepted and ignored: there is only one transaction.

Tests that need real commits seen by other connections (threads with their own connections, subprocesses, a live
server, fault injection, snapshot isolation) opt out with ``@pytest.mark.commits`` and get the full reset instead.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass
from typing import Any

from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import PoolProxiedConnection, QueuePool

# Connection attributes through which SQLAlchemy sets transaction characteristics (psycopg 3 and sqlite3).
_CHARACTERISTICS = frozenset({"autocommit", "isolation_level", "read_only", "deferrable"})
# SQLite transactions are begun by the product's own BEGIN (IMMEDIATE) statement; each becomes a savepoint.
_BEGIN = re.compile(r"^\s*BEGIN(\s+(DEFERRED|IMMEDIATE|EXCLUSIVE))?\s*(TRANSACTION)?\s*;?\s*$", re.I)
_READS = ("select", "show", "pragma", "explain")


class InterleavedRollback(RuntimeError):
    """A transaction that wrote was rolled back while a later one was still open on the shared connection."""


@dataclass
class _Savepoint:
    name: str
    owner: LogicalConnection
    wrote: bool = False
    done: bool = False  # ended (kept) while a later savepoint was still open: released when that one ends
    # A later transaction committed while this one was open: its changes now sit inside this savepoint.
    holds_later_commits: bool = False


class SharedConnection:
    """One real DBAPI connection, one outer transaction per test, and the stack of savepoints open in it."""

    def __init__(self, real: PoolProxiedConnection, dialect: str) -> None:
        self.pooled = real
        self.real: Any = real.driver_connection
        self.dialect = dialect
        self.stack: list[_Savepoint] = []
        self.lock = threading.RLock()
        self.names = itertools.count(1)

    def execute(self, statement: str) -> None:
        cursor = self.real.cursor()
        try:
            cursor.execute(statement)
        finally:
            cursor.close()

    def begin_test(self) -> None:
        # psycopg begins a transaction before the first statement by itself; sqlite3 runs in autocommit mode here.
        if self.dialect == "sqlite":
            self.execute("BEGIN")

    def end_test(self) -> None:
        with self.lock:
            for savepoint in self.stack:
                savepoint.owner.savepoint = None
            self.stack.clear()
            self.real.rollback()

    def close(self) -> None:
        self.pooled.close()

    def open(self, owner: LogicalConnection) -> _Savepoint:
        with self.lock:
            savepoint = _Savepoint(f"test_tx_{next(self.names)}", owner)
            self.execute(f"SAVEPOINT {savepoint.name}")
            self.stack.append(savepoint)
            return savepoint

    def end(self, savepoint: _Savepoint, *, keep: bool) -> None:
        with self.lock:
            if savepoint not in self.stack:
                return  # gone with the test's outer transaction
            if savepoint is not self.stack[-1]:
                if not keep and savepoint.wrote:
                    raise InterleavedRollback(
                        "a transaction that wrote rolled back while a later one was still open on the shared test "
                        "connection; mark the test @pytest.mark.commits so that it runs on real connections"
                    )
                savepoint.done = True  # what it read or kept stays; released once the later ones end
                return
            if not keep and (savepoint.wrote or self.aborted()):
                if savepoint.holds_later_commits:
                    raise InterleavedRollback(
                        "a transaction rolled back after a later one had committed on the shared test connection; "
                        "mark the test @pytest.mark.commits so that it runs on real connections"
                    )
                self.execute(f"ROLLBACK TO SAVEPOINT {savepoint.name}")
            # A rollback of a transaction that only read has nothing to undo, and must keep what others committed.
            self.execute(f"RELEASE SAVEPOINT {savepoint.name}")
            self.stack.pop()
            while self.stack and self.stack[-1].done:
                self.execute(f"RELEASE SAVEPOINT {self.stack.pop().name}")
            if keep and self.stack:
                self.stack[-1].holds_later_commits = True

    def aborted(self) -> bool:
        """Whether a failed statement left PostgreSQL's transaction refusing further statements until a rollback."""
        return self.dialect != "sqlite" and self.real.info.transaction_status == TransactionStatus.INERROR


class LogicalConnection:
    """What the test engine's pool holds: a DBAPI connection whose transactions are savepoints of the shared one."""

    def __init__(self, shared: SharedConnection) -> None:
        object.__setattr__(self, "_shared", shared)
        object.__setattr__(self, "_characteristics", {})
        object.__setattr__(self, "savepoint", None)

    def __getattr__(self, name: str) -> Any:
        characteristics: dict[str, Any] = object.__getattribute__(self, "_characteristics")
        if name in characteristics:
            return characteristics[name]
        return getattr(self._shared.real, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _CHARACTERISTICS:
            self._characteristics[name] = value
        else:
            object.__setattr__(self, name, value)

    def ensure_transaction(self, statement: object) -> None:
        if self.savepoint is None:
            self.savepoint = self._shared.open(self)
        if not (isinstance(statement, str) and statement.lstrip().lower().startswith(_READS)):
            self.savepoint.wrote = True

    def cursor(self, *args: Any, **kwargs: Any) -> LogicalCursor:
        return LogicalCursor(self, self._shared.real.cursor(*args, **kwargs))

    def commit(self) -> None:
        self._end(keep=True)

    def rollback(self) -> None:
        self._end(keep=False)

    def close(self) -> None:
        # An autocommit connection's statements were final; any other open transaction is abandoned.
        self._end(keep=bool(self._characteristics.get("autocommit")))

    def _end(self, *, keep: bool) -> None:
        savepoint, self.savepoint = self.savepoint, None
        if savepoint is not None:
            self._shared.end(savepoint, keep=keep)


class LogicalCursor:
    """A cursor of the shared connection that opens its logical connection's savepoint before the first statement."""

    def __init__(self, connection: LogicalConnection, cursor: Any) -> None:
        self._connection = connection
        self._cursor = cursor

    def execute(self, statement: Any, *args: Any, **kwargs: Any) -> LogicalCursor:
        if isinstance(statement, str) and _BEGIN.match(statement):
            self._connection.ensure_transaction("select")  # the product's own BEGIN: the savepoint stands for it
            return self
        self._connection.ensure_transaction(statement)
        self._cursor.execute(statement, *args, **kwargs)
        return self

    def executemany(self, statement: Any, *args: Any, **kwargs: Any) -> LogicalCursor:
        self._connection.ensure_transaction(statement)
        self._cursor.executemany(statement, *args, **kwargs)
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def __iter__(self) -> Any:
        return iter(self._cursor)


def rollback_engine(url: str, shared: SharedConnection) -> Engine:
    """An engine for ``url`` whose connections are all logical connections of ``shared``."""
    # psycopg's type lookup for hstore insists on a real connection; the product uses no hstore.
    options: dict[str, Any] = {} if shared.dialect == "sqlite" else {"use_native_hstore": False}
    return create_engine(url, creator=lambda: LogicalConnection(shared), poolclass=QueuePool, pool_size=5, **options)
