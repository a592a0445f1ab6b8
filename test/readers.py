"""Read the artifacts of a build with Python's standard library and check they agree.

Usage: python3 readers.py OUT

catalog.json (and each services/<prefix>.json) is expanded into the rows of the relational
tables; csv/<table>.csv and the tables of catalog.sqlite must hold exactly those rows, in the
same order. Prints one line per table with its row count, then the number of CSV cells that
were neutralized, and exits 1 at the first disagreement.

The CSV files prefix a cell that starts with = + - @ tab or carriage return with ' so that a
spreadsheet does not run it. That cannot be undone without guessing (a value may itself start
with '), so the expected CSV cell is the JSON value neutralized the same way, which compares
every cell exactly.
"""

import csv
import json
import sqlite3
import sys
from pathlib import Path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def expand(catalog):
    """The rows of every table, from the JSON catalog, in the order the tables hold them."""
    tables = {
        "services": [],
        "actions": [],
        "action_access_levels": [],
        "action_resource_types": [],
        "action_condition_keys": [],
        "action_dependent_actions": [],
    }

    for service in catalog["services"]:
        prefix, note = service["prefix"], service["note"]
        tables["services"].append(
            (
                prefix,
                service["name"],
                note["id"],
                note["path"],
                note["desc"],
                note["created"],
                note["updated"],
            )
        )

        for action in service["actions"]:
            name, levels = action["name"], action["accessLevels"]
            tables["actions"].append((prefix, name, action["description"], ", ".join(levels)))
            tables["action_access_levels"] += [(prefix, name, level) for level in levels]
            tables["action_resource_types"] += [
                (prefix, name, kind["name"], 1 if kind["required"] else 0)
                for kind in action["resourceTypes"]
            ]

            # The action-level keys and actions (the lifted "" entry) come first, as ''.
            for table, field in (
                ("action_condition_keys", "conditionKeys"),
                ("action_dependent_actions", "dependentActions"),
            ):
                tables[table] += [(prefix, name, "", value) for value in action[field]]
                for kind in action["resourceTypes"]:
                    tables[table] += [(prefix, name, kind["name"], value) for value in kind[field]]

    return tables


def as_csv_cell(value):
    """How the CSV writes a value: null as empty, numbers as digits, formulas neutralized."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def fail(message):
    print(f"readers.py: {message}", file=sys.stderr)
    sys.exit(1)


def compare(what, expected, found):
    """Compare two lists of rows, naming the first row that differs."""
    for index, (want, got) in enumerate(zip(expected, found)):
        if tuple(want) != tuple(got):
            fail(f"{what}, row {index + 1}: expected {want!r}, found {got!r}")
    if len(expected) != len(found):
        fail(f"{what}: expected {len(expected)} rows, found {len(found)}")


def main(out):
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    if catalog.get("format") != "iam-catalog/1":
        fail(f"catalog.json: unexpected format {catalog.get('format')!r}")

    service_files = sorted((out / "services").glob("*.json"))
    by_prefix = {service["prefix"]: service for service in catalog["services"]}
    if sorted(path.stem for path in service_files) != sorted(by_prefix):
        fail("services/: expected one file per service of catalog.json")
    for path in service_files:
        if json.loads(path.read_text(encoding="utf-8")) != by_prefix[path.stem]:
            fail(f"services/{path.name}: differs from its service in catalog.json")

    tables = expand(catalog)
    database = sqlite3.connect(f"file:{out / 'catalog.sqlite'}?mode=ro", uri=True)
    if database.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        fail("catalog.sqlite: integrity check failed")
    if database.execute("PRAGMA foreign_key_check").fetchall():
        fail("catalog.sqlite: a row refers to a missing parent")

    neutralized = 0
    for table, rows in tables.items():
        columns = [column[1] for column in database.execute(f"PRAGMA table_info({table})")]
        stored = database.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        compare(f"catalog.sqlite {table}", rows, stored)

        with open(out / "csv" / f"{table}.csv", encoding="utf-8", newline="") as file:
            header, *records = list(csv.reader(file, strict=True))
        if header != columns:
            fail(f"csv/{table}.csv: expected columns {columns}, found {header}")
        cells = [[as_csv_cell(value) for value in row] for row in rows]
        compare(f"csv/{table}.csv", cells, records)
        neutralized += sum(
            1 for row, cell_row in zip(rows, cells) for value, cell in zip(row, cell_row)
            if value is not None and cell != str(value)
        )

        print(f"{table} {len(rows)}")

    print(f"service-files {len(service_files)}")
    print(f"neutralized-csv-cells {neutralized}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: python3 readers.py OUT")
    main(Path(sys.argv[1]))
