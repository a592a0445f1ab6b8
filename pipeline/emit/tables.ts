/**
 * The relational form of the catalog, shared by the CSV and SQLite emitters so both always have
 * the same tables, columns and rows in the same order.
 */
import type {Catalog} from '../model.js'

/** A cell: text, a whole number (booleans are 0 or 1), or null for unknown. */
export type Cell = string | number | null

/** A column with its SQLite type; `NOT NULL` unless `nullable`. */
export interface Column {
  name: string
  type: 'TEXT' | 'INTEGER'
  nullable?: boolean
}

/** A table: its columns, keys, indexes, and a function that lists its rows. */
export interface Table {
  name: string
  columns: Column[]
  primaryKey: string[]
  foreignKey?: {columns: string[]; table: string; references: string[]}
  indexes: string[][]
  rows: (catalog: Catalog) => Cell[][]
}

const text = (name: string): Column => ({name, type: 'TEXT'})
const actionKey = {
  columns: ['service', 'action'],
  table: 'actions',
  references: ['service', 'action']
}

const rowsByCatalog = new WeakMap<Catalog, Map<Table, Cell[][]>>()

/** The rows of `table` for `catalog`, listed once for both the CSV and the SQLite emitter. */
export function rowsOf(table: Table, catalog: Catalog): Cell[][] {
  let byTable = rowsByCatalog.get(catalog)
  if (!byTable) rowsByCatalog.set(catalog, (byTable = new Map()))
  let rows = byTable.get(table)
  if (!rows) byTable.set(table, (rows = table.rows(catalog)))
  return rows
}

/** Every table, parents before children, so rows can be inserted in this order. */
export const TABLES: Table[] = [
  {
    name: 'services',
    columns: [
      text('prefix'),
      text('name'),
      text('note_id'),
      text('note_path'),
      text('description'),
      {name: 'created', type: 'TEXT', nullable: true},
      {name: 'updated', type: 'TEXT', nullable: true}
    ],
    primaryKey: ['prefix'],
    indexes: [['name']],
    rows: (catalog) =>
      catalog.services.map((service) => [
        service.prefix,
        service.name,
        service.note.id,
        service.note.path,
        service.note.desc,
        service.note.created,
        service.note.updated
      ])
  },
  {
    name: 'actions',
    columns: [text('service'), text('action'), text('description'), text('access_level')],
    primaryKey: ['service', 'action'],
    foreignKey: {columns: ['service'], table: 'services', references: ['prefix']},
    indexes: [['action'], ['access_level']],
    rows: (catalog) =>
      catalog.services.flatMap((service) =>
        service.actions.map((action) => [
          service.prefix,
          action.name,
          action.description,
          action.accessLevels.join(', ')
        ])
      )
  },
  {
    name: 'action_access_levels',
    columns: [text('service'), text('action'), text('access_level')],
    primaryKey: ['service', 'action', 'access_level'],
    foreignKey: actionKey,
    indexes: [['access_level']],
    rows: (catalog) =>
      catalog.services.flatMap((service) =>
        service.actions.flatMap((action) =>
          action.accessLevels.map((level) => [service.prefix, action.name, level])
        )
      )
  },
  {
    name: 'action_resource_types',
    columns: [
      text('service'),
      text('action'),
      text('resource_type'),
      {name: 'required', type: 'INTEGER'}
    ],
    primaryKey: ['service', 'action', 'resource_type'],
    foreignKey: actionKey,
    indexes: [['resource_type']],
    rows: (catalog) =>
      catalog.services.flatMap((service) =>
        service.actions.flatMap((action) =>
          action.resourceTypes.map((type) => [
            service.prefix,
            action.name,
            type.name,
            type.required ? 1 : 0
          ])
        )
      )
  },
  linkTable('action_condition_keys', 'condition_key', 'conditionKeys'),
  linkTable('action_dependent_actions', 'dependent_action', 'dependentActions')
]

/**
 * A table of names linked to an action, either for the action as a whole (resource type `''`)
 * or for one of its resource types.
 */
function linkTable(
  name: string,
  column: string,
  field: 'conditionKeys' | 'dependentActions'
): Table {
  return {
    name,
    columns: [text('service'), text('action'), text('resource_type'), text(column)],
    primaryKey: ['service', 'action', 'resource_type', column],
    foreignKey: actionKey,
    indexes: [[column]],
    rows: (catalog) =>
      catalog.services.flatMap((service) =>
        service.actions.flatMap((action) => [
          ...action[field].map((value) => [service.prefix, action.name, '', value]),
          ...action.resourceTypes.flatMap((type) =>
            type[field].map((value) => [service.prefix, action.name, type.name, value])
          )
        ])
      )
  }
}
