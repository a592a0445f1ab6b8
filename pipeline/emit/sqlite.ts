/**
 * SQLite emitter: `catalog.sqlite` with the same tables as the CSV files, plus keys and indexes.
 * The database is built in memory and serialized, so the file holds no journal and its bytes
 * depend only on the catalog and the SQLite version.
 */
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import Database from 'better-sqlite3'
import type {Catalog} from '../model.js'
import type {Table} from './tables.js'
import {rowsOf, TABLES} from './tables.js'

/** Stored as `PRAGMA user_version`, so readers can check the schema they open. */
export const SCHEMA_VERSION = 1

/** The `CREATE` statements of the schema, in order. */
export function schemaStatements(): string[] {
  return TABLES.flatMap((table) => [createTable(table), ...createIndexes(table)])
}

/**
 * Write `catalog.sqlite` into `outDir`.
 *
 * @returns The path written, relative to `outDir`.
 */
export async function emitSqlite(catalog: Catalog, outDir: string): Promise<string[]> {
  const database = new Database(':memory:')

  try {
    database.pragma('foreign_keys = ON')
    database.pragma(`user_version = ${SCHEMA_VERSION}`)
    for (const table of TABLES) database.exec(createTable(table))

    database.transaction(() => {
      for (const table of TABLES) {
        const marks = table.columns.map(() => '?').join(', ')
        const insert = database.prepare(`INSERT INTO ${table.name} VALUES (${marks})`)
        for (const row of rowsOf(table, catalog)) insert.run(row)
      }
    })()

    // Indexes are made once the rows are in: sorting them at once is faster than keeping each
    // index in order through every insert.
    for (const table of TABLES)
      for (const statement of createIndexes(table)) database.exec(statement)

    await writeFile(path.join(outDir, 'catalog.sqlite'), database.serialize())
  } finally {
    database.close()
  }

  return ['catalog.sqlite']
}

function createTable(table: Table): string {
  const lines = table.columns.map(
    (column) => `  ${column.name} ${column.type}${column.nullable ? '' : ' NOT NULL'}`
  )
  lines.push(`  PRIMARY KEY (${table.primaryKey.join(', ')})`)

  if (table.foreignKey) {
    const {columns, table: parent, references} = table.foreignKey
    lines.push(
      `  FOREIGN KEY (${columns.join(', ')}) REFERENCES ${parent} (${references.join(', ')})`
    )
  }

  return `CREATE TABLE ${table.name} (\n${lines.join(',\n')}\n)`
}

function createIndexes(table: Table): string[] {
  return table.indexes.map(
    (columns) =>
      `CREATE INDEX ${table.name}_by_${columns.join('_')} ON ${table.name} (${columns.join(', ')})`
  )
}
