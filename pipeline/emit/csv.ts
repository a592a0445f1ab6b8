/**
 * CSV emitter: one file per table under `csv/`, UTF-8 with a header row and RFC 4180 quoting.
 * Spreadsheets run a cell that starts with `=`, `+`, `-`, `@`, tab or carriage return as a
 * formula, so such cells are prefixed with `'` as OWASP recommends, unless `raw` is asked for.
 */
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {stringify} from 'csv-stringify/sync'
import type {Catalog} from '../model.js'
import type {Cell} from './tables.js'
import {rowsOf, TABLES} from './tables.js'

/** Options of the CSV emitter. */
export interface CsvOptions {
  /** Write cells exactly as they are, without neutralizing formulas. */
  raw: boolean
}

const FORMULA_START = /^[=+\-@\t\r]/

/** Neutralize a cell that a spreadsheet would run as a formula. */
export function neutralizeCell(cell: Cell): Cell {
  return typeof cell === 'string' && FORMULA_START.test(cell) ? `'${cell}` : cell
}

/**
 * Write the CSV tables of `catalog` into `outDir/csv`.
 *
 * @returns The paths written, relative to `outDir`.
 */
export async function emitCsv(
  catalog: Catalog,
  outDir: string,
  options: CsvOptions
): Promise<string[]> {
  await mkdir(path.join(outDir, 'csv'))
  const written: string[] = []

  for (const table of TABLES) {
    const rows = rowsOf(table, catalog).map((row) => (options.raw ? row : row.map(neutralizeCell)))
    const text = stringify(rows, {
      header: true,
      columns: table.columns.map((column) => column.name),
      record_delimiter: 'windows',
      // With an explicit record delimiter, csv-stringify quotes only cells holding `\r\n`; RFC
      // 4180 wants every cell with a line break quoted, a bare `\n` of a description included.
      quote_record_delimiter: true,
      cast: {number: String}
    })
    const name = `csv/${table.name}.csv`
    await writeFile(path.join(outDir, name), text)
    written.push(name)
  }

  return written
}
