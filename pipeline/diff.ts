/**
 * The diff of two catalogs: services added, removed and renamed, and, in the services both have,
 * actions added and removed and what changed in each action they share. Services are matched by
 * prefix and actions by exact name; the actions of a service added or removed are counted with
 * the service, not again as actions.
 *
 * Condition keys and dependent actions are compared per place: the action itself (`""`, as the
 * notes write it) or the resource type that carries them, so a key moved from the action to a
 * resource type is a change too.
 */
import {existsSync} from 'node:fs'
import {readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import type {Action, Catalog, Service} from './model.js'
import {FORMAT} from './model.js'
import {byCodePoint} from './read.js'
import {escapeMarkdown} from './write-note.js'

/** A service as a diff names it. */
export interface ServiceRef {
  prefix: string
  name: string
  actions: number
}

/** An action as a diff names it: `prefix:Name`. */
export interface ActionRef {
  service: string
  action: string
}

/** A condition key or dependent action and where it is: `""` for the action itself. */
export interface PlacedName {
  resourceType: string
  name: string
}

/** What changed in one action; a field is there only when it changed. */
export interface ActionChange extends ActionRef {
  accessLevels?: {from: string[]; to: string[]}
  description?: {from: string; to: string}
  resourceTypes?: {
    added: string[]
    removed: string[]
    required: {name: string; from: boolean; to: boolean}[]
  }
  conditionKeys?: {added: PlacedName[]; removed: PlacedName[]}
  dependentActions?: {added: PlacedName[]; removed: PlacedName[]}
}

/** The fields of an action a diff compares, in the order it reports them. */
export const ACTION_FIELDS = [
  'accessLevels',
  'description',
  'resourceTypes',
  'conditionKeys',
  'dependentActions'
] as const

/** The name of one field of an action a diff compares. */
export type ActionField = (typeof ACTION_FIELDS)[number]

/** The differences of two catalogs, with their counts. */
export interface CatalogDiff {
  old: {services: number; actions: number}
  new: {services: number; actions: number}
  counts: {
    servicesAdded: number
    servicesRemoved: number
    servicesRenamed: number
    actionsAdded: number
    actionsRemoved: number
    actionsChanged: number
    /** For each field, the number of actions whose field changed. */
    changedFields: Record<ActionField, number>
  }
  services: {
    added: ServiceRef[]
    removed: ServiceRef[]
    renamed: {prefix: string; from: string; to: string}[]
  }
  actions: {added: ActionRef[]; removed: ActionRef[]; changed: ActionChange[]}
}

/** A catalog that cannot be read: the message names its path and what was expected. */
export class CatalogReadError extends Error {}

/**
 * Read a catalog: a `catalog.json`, or a build folder that holds one.
 *
 * @throws {CatalogReadError} When it is missing, not JSON, or of another format.
 */
export async function readCatalog(location: string): Promise<Catalog> {
  const file = await catalogFile(location)
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new CatalogReadError(
      `Cannot read \`${file}\` (${error.code ?? error.message}), expected a \`catalog.json\``
    )
  })

  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    // The parser's text may quote the file, new lines and all: it is kept to one line.
    const reason = (error as Error).message.replace(/\s+/g, ' ')
    throw new CatalogReadError(
      `Unexpected content in \`${file}\` that is not JSON (${reason}), expected a \`catalog.json\``
    )
  }

  const catalog = (typeof data === 'object' && data !== null ? data : {}) as Partial<Catalog>
  if (catalog.format !== FORMAT || !Array.isArray(catalog.services)) {
    throw new CatalogReadError(
      `Unexpected format \`${String(catalog.format)}\` in \`${file}\`, expected \`${FORMAT}\``
    )
  }

  return catalog as Catalog
}

/** The `catalog.json` that `location` names: itself, or the one in the folder it is. */
async function catalogFile(location: string): Promise<string> {
  const expected = 'expected a `catalog.json` or a build folder that holds one'
  const stats = await stat(location).catch((error: NodeJS.ErrnoException) => {
    throw new CatalogReadError(
      error.code === 'ENOENT'
        ? `Missing \`${location}\`, ${expected}`
        : `Cannot read \`${location}\` (${error.code ?? error.message}), ${expected}`
    )
  })
  if (!stats.isDirectory()) return location

  const file = path.join(location, 'catalog.json')
  if (!existsSync(file)) {
    throw new CatalogReadError(
      `Missing \`catalog.json\` in folder \`${location}\`, expected the output folder of a build`
    )
  }

  return file
}

/** Compare two catalogs. */
export function diffCatalogs(before: Catalog, after: Catalog): CatalogDiff {
  const beforeByPrefix = new Map(before.services.map((service) => [service.prefix, service]))
  const afterByPrefix = new Map(after.services.map((service) => [service.prefix, service]))
  const services: CatalogDiff['services'] = {added: [], removed: [], renamed: []}
  const actions: CatalogDiff['actions'] = {added: [], removed: [], changed: []}

  for (const service of after.services) {
    if (!beforeByPrefix.has(service.prefix)) services.added.push(serviceRef(service))
  }

  for (const old of before.services) {
    const current = afterByPrefix.get(old.prefix)
    if (!current) {
      services.removed.push(serviceRef(old))
      continue
    }

    if (old.name !== current.name) {
      services.renamed.push({prefix: old.prefix, from: old.name, to: current.name})
    }

    diffActions(old, current, actions)
  }

  const changedFields = Object.fromEntries(
    ACTION_FIELDS.map((field) => [field, actions.changed.filter((change) => change[field]).length])
  ) as Record<ActionField, number>

  return {
    old: sizeOf(before),
    new: sizeOf(after),
    counts: {
      servicesAdded: services.added.length,
      servicesRemoved: services.removed.length,
      servicesRenamed: services.renamed.length,
      actionsAdded: actions.added.length,
      actionsRemoved: actions.removed.length,
      actionsChanged: actions.changed.length,
      changedFields
    },
    services: sortServices(services),
    actions: sortActions(actions)
  }
}

/** Whether the diff found any difference at all. */
export function hasChanges(diff: CatalogDiff): boolean {
  const {counts} = diff
  return (
    counts.servicesAdded + counts.servicesRemoved + counts.servicesRenamed > 0 ||
    counts.actionsAdded + counts.actionsRemoved + counts.actionsChanged > 0
  )
}

/** The diff as a markdown document, for people (and for `CHANGES.md`). */
export function diffToMarkdown(diff: CatalogDiff): string {
  const {counts} = diff
  const lines = [
    '# Catalog changes',
    '',
    `${diff.old.services} → ${diff.new.services} services, ` +
      `${diff.old.actions} → ${diff.new.actions} actions.`,
    ''
  ]

  if (!hasChanges(diff)) return [...lines, 'No changes.', ''].join('\n')

  lines.push(
    '| | added | removed | changed |',
    '| --- | --- | --- | --- |',
    `| services | ${counts.servicesAdded} | ${counts.servicesRemoved} | ` +
      `${counts.servicesRenamed} renamed |`,
    `| actions | ${counts.actionsAdded} | ${counts.actionsRemoved} | ${counts.actionsChanged} |`,
    ''
  )

  const section = (title: string, items: string[]) => {
    if (items.length > 0) lines.push(`## ${title}`, '', ...items, '')
  }

  const service = (ref: ServiceRef) =>
    `- \`${ref.prefix}\`: ${escapeMarkdown(ref.name)} ` +
    `(${ref.actions} ${ref.actions === 1 ? 'action' : 'actions'})`
  section('Services added', diff.services.added.map(service))
  section('Services removed', diff.services.removed.map(service))
  section(
    'Services renamed',
    diff.services.renamed.map(
      (rename) =>
        `- \`${rename.prefix}\`: ${escapeMarkdown(rename.from)} → ${escapeMarkdown(rename.to)}`
    )
  )
  section(
    'Actions added',
    diff.actions.added.map((ref) => `- ${actionName(ref)}`)
  )
  section(
    'Actions removed',
    diff.actions.removed.map((ref) => `- ${actionName(ref)}`)
  )
  section('Actions changed', diff.actions.changed.flatMap(changeLines))

  return lines.join('\n')
}

function diffActions(old: Service, current: Service, actions: CatalogDiff['actions']): void {
  const currentByName = new Map(current.actions.map((action) => [action.name, action]))
  const oldNames = new Set(old.actions.map((action) => action.name))

  for (const action of current.actions) {
    if (!oldNames.has(action.name))
      actions.added.push({service: current.prefix, action: action.name})
  }

  for (const action of old.actions) {
    const now = currentByName.get(action.name)
    if (!now) {
      actions.removed.push({service: old.prefix, action: action.name})
      continue
    }

    const change = diffAction(old.prefix, action, now)
    if (ACTION_FIELDS.some((field) => change[field])) actions.changed.push(change)
  }
}

/** What changed in one action; only the fields that changed are set. */
function diffAction(prefix: string, before: Action, after: Action): ActionChange {
  const change: ActionChange = {service: prefix, action: before.name}

  if (before.accessLevels.join() !== after.accessLevels.join()) {
    change.accessLevels = {from: before.accessLevels, to: after.accessLevels}
  }

  if (before.description !== after.description) {
    change.description = {from: before.description, to: after.description}
  }

  const beforeTypes = new Map(before.resourceTypes.map((type) => [type.name, type]))
  const afterTypes = new Map(after.resourceTypes.map((type) => [type.name, type]))
  const resourceTypes = {
    added: [...afterTypes.keys()].filter((name) => !beforeTypes.has(name)),
    removed: [...beforeTypes.keys()].filter((name) => !afterTypes.has(name)),
    required: [...beforeTypes.values()].flatMap((type) => {
      const now = afterTypes.get(type.name)
      return now && now.required !== type.required
        ? [{name: type.name, from: type.required, to: now.required}]
        : []
    })
  }
  if (resourceTypes.added.length + resourceTypes.removed.length + resourceTypes.required.length) {
    change.resourceTypes = resourceTypes
  }

  const conditionKeys = placedChanges(before, after, 'conditionKeys')
  if (conditionKeys) change.conditionKeys = conditionKeys
  const dependentActions = placedChanges(before, after, 'dependentActions')
  if (dependentActions) change.dependentActions = dependentActions

  return change
}

/** The condition keys (or dependent actions) added and removed, each with its place. */
function placedChanges(
  before: Action,
  after: Action,
  field: 'conditionKeys' | 'dependentActions'
): {added: PlacedName[]; removed: PlacedName[]} | undefined {
  const beforeNames = placedNames(before, field)
  const afterNames = placedNames(after, field)
  const key = (placed: PlacedName) => `${placed.resourceType}\u0000${placed.name}`
  const beforeKeys = new Set(beforeNames.map(key))
  const afterKeys = new Set(afterNames.map(key))

  const added = afterNames.filter((placed) => !beforeKeys.has(key(placed)))
  const removed = beforeNames.filter((placed) => !afterKeys.has(key(placed)))
  return added.length + removed.length > 0 ? {added, removed} : undefined
}

function placedNames(action: Action, field: 'conditionKeys' | 'dependentActions'): PlacedName[] {
  return [
    ...action[field].map((name) => ({resourceType: '', name})),
    ...action.resourceTypes.flatMap((type) =>
      type[field].map((name) => ({resourceType: type.name, name}))
    )
  ]
}

/** The lines of one changed action in the markdown report. */
function changeLines(change: ActionChange): string[] {
  const lines = [`- ${actionName(change)}`]
  const item = (label: string, text: string) => lines.push(`  - ${label}: ${text}`)
  const code = (names: string[]) => names.map((name) => `\`${name}\``).join(', ')
  const placed = (names: PlacedName[]) =>
    names
      .map(
        ({resourceType, name}) => `\`${name}\`${resourceType ? ` (on \`${resourceType}\`)` : ''}`
      )
      .join(', ')
  const addedRemoved = (added: string, removed: string) =>
    [added && `added ${added}`, removed && `removed ${removed}`].filter(Boolean).join('; ')

  if (change.accessLevels) {
    item(
      'access level',
      `${change.accessLevels.from.join(', ')} → ${change.accessLevels.to.join(', ')}`
    )
  }

  if (change.description) {
    item(
      'description',
      `${escapeMarkdown(change.description.from)} → ${escapeMarkdown(change.description.to)}`
    )
  }

  if (change.resourceTypes) {
    const required = change.resourceTypes.required
      .map((each) => `\`${each.name}\` ${each.to ? 'now required' : 'no longer required'}`)
      .join(', ')
    const text = addedRemoved(code(change.resourceTypes.added), code(change.resourceTypes.removed))
    item('resource types', [text, required].filter(Boolean).join('; '))
  }

  if (change.conditionKeys) {
    const {added, removed} = change.conditionKeys
    item('condition keys', addedRemoved(placed(added), placed(removed)))
  }

  if (change.dependentActions) {
    const {added, removed} = change.dependentActions
    item('dependent actions', addedRemoved(placed(added), placed(removed)))
  }

  return lines
}

function actionName(ref: ActionRef): string {
  return `\`${ref.service}:${ref.action}\``
}

function serviceRef(service: Service): ServiceRef {
  return {prefix: service.prefix, name: service.name, actions: service.actions.length}
}

function sizeOf(catalog: Catalog): {services: number; actions: number} {
  const actions = catalog.services.reduce((sum, service) => sum + service.actions.length, 0)
  return {services: catalog.services.length, actions}
}

function sortServices(services: CatalogDiff['services']): CatalogDiff['services'] {
  const byPrefix = (left: {prefix: string}, right: {prefix: string}) =>
    byCodePoint(left.prefix, right.prefix)
  return {
    added: services.added.sort(byPrefix),
    removed: services.removed.sort(byPrefix),
    renamed: services.renamed.sort(byPrefix)
  }
}

function sortActions(actions: CatalogDiff['actions']): CatalogDiff['actions'] {
  const byRef = (left: ActionRef, right: ActionRef) =>
    byCodePoint(left.service, right.service) || byCodePoint(left.action, right.action)
  return {
    added: actions.added.sort(byRef),
    removed: actions.removed.sort(byRef),
    changed: actions.changed.sort(byRef)
  }
}
