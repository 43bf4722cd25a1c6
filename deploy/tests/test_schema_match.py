"""FastAPI maps tables it does not create. This holds its mapping (shop_api.models) to the schema that
Django's migrations actually produce on this database: same tables, same columns, and for each column
the same type, nullability, key and uniqueness, and the same foreign keys between mapped tables."""

import re

import pytest
from sqlalchemy import Table, inspect

from shop_api.models import Base

MAPPED_TABLES = sorted(Base.metadata.tables.values(), key=lambda table: table.name)


@pytest.fixture(scope="module")
def inspector(sync_engine):
    return inspect(sync_engine)


def sql_type(type_, dialect) -> str:
    compiled = type_.compile(dialect=dialect).upper()
    if dialect.name == "sqlite":
        # Django declares SQLite decimals as a bare `decimal`: there is no precision to compare.
        compiled = re.sub(r"^(DECIMAL|NUMERIC)(\(.*\))?$", "NUMERIC", compiled)
    return compiled


def test_every_shop_table_is_mapped(inspector):
    django_tables = {name for name in inspector.get_table_names() if name.startswith("shop_")}
    assert django_tables == {table.name for table in MAPPED_TABLES}


@pytest.mark.parametrize("table", MAPPED_TABLES, ids=lambda table: table.name)
def test_columns_match_django(table: Table, inspector, sync_engine):
    dialect = sync_engine.dialect
    reflected = {column["name"]: column for column in inspector.get_columns(table.name)}
    primary_key = set(inspector.get_pk_constraint(table.name)["constrained_columns"])

    assert set(reflected) == set(table.columns.keys()), "every column Django creates is mapped, and no other"
    for column in table.columns:
        actual = reflected[column.name]
        where = f"{table.name}.{column.name}"
        assert sql_type(column.type, dialect) == sql_type(actual["type"], dialect), where
        assert column.nullable == actual["nullable"], where
        assert column.primary_key == (column.name in primary_key), where


@pytest.mark.parametrize("table", MAPPED_TABLES, ids=lambda table: table.name)
def test_unique_columns_match_django(table: Table, inspector, sync_engine):
    assert unique_columns(table.name, inspector, sync_engine) == {c.name for c in table.columns if c.unique}


def unique_columns(table: str, inspector, engine) -> set[str]:
    """Columns that are unique on their own, whether by constraint or by unique index."""
    if engine.dialect.name == "sqlite":
        # SQLAlchemy does not reflect SQLite's inline `UNIQUE` column constraints; the pragmas list them.
        with engine.connect() as connection:
            indexes = connection.exec_driver_sql(f'PRAGMA index_list("{table}")').all()
            groups = [
                [info.name for info in connection.exec_driver_sql(f'PRAGMA index_info("{index.name}")')]
                for index in indexes
                if index.unique
            ]
    else:
        groups = [c["column_names"] for c in inspector.get_unique_constraints(table)]
        groups += [i["column_names"] for i in inspector.get_indexes(table) if i["unique"]]
    return {columns[0] for columns in groups if len(columns) == 1}


@pytest.mark.parametrize("table", MAPPED_TABLES, ids=lambda table: table.name)
def test_foreign_keys_between_mapped_tables_match_django(table: Table, inspector):
    mapped_names = {t.name for t in MAPPED_TABLES}
    reflected = {
        (fk["constrained_columns"][0], fk["referred_table"], fk["referred_columns"][0])
        for fk in inspector.get_foreign_keys(table.name)
        if fk["referred_table"] in mapped_names
    }
    mapped = {(fk.parent.name, fk.column.table.name, fk.column.name) for fk in table.foreign_keys}
    assert mapped == reflected
