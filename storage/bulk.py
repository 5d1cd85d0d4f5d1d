"""Writing many rows of one table fast, in the current transaction.

A Core `insert()` with a list of dicts runs every value of every row through SQLAlchemy's type
processing; for tens of thousands of rows that costs more than the database does. Here the caller
hands over rows as tuples already in their stored form (`stored()` for values the same in every
row, the column's own bind processing; by hand for the rest, e.g. `types.hundredths()` for
Hundredths, JSON text for JSON) and they go to the driver as they are: COPY on PostgreSQL, one
`executemany` on SQLite. Nothing is written unless the whole unit of work commits.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession


def stored(session: AsyncSession, table: Table, column: str, value: Any) -> Any:
    """`value` as the column's type sends it to this session's database."""
    dialect = session.get_bind().dialect
    process = table.c[column].type.bind_processor(dialect)
    return value if process is None else process(value)


async def copy_rows(session: AsyncSession, table: Table, columns: Sequence[str],
                    rows: Iterable[tuple[Any, ...]], constants: Mapping[str, Any] | None = None) -> int:
    """Insert `rows` (values of `columns`, in stored form) each followed by `constants` (given as
    Python values, converted once here). Returns the number of rows written."""
    const = dict(constants or {})
    names = [*columns, *const]
    tail = tuple(stored(session, table, c, v) for c, v in const.items())
    conn = await session.connection()
    if conn.dialect.name == "postgresql":
        import psycopg
        from psycopg import sql

        raw = (await conn.get_raw_connection()).driver_connection
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(n) for n in names))
        count = 0
        try:
            async with raw.cursor() as cur, cur.copy(statement) as copy:
                for row in rows:
                    await copy.write_row(row + tail)
                    count += 1
        except psycopg.Error as e:  # as SQLAlchemy reports it elsewhere (IntegrityError, ...)
            raise DBAPIError.instance(f"COPY {table.name}", None, e, psycopg.Error) from e
        return count
    values = [row + tail for row in rows]
    if values:
        quoted = ", ".join(f'"{n}"' for n in names)
        marks = ", ".join("?" * len(names))
        await conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', values)
    return len(values)
