/**
 * The shape of a `NoteResult`, checked in full. Results read back from disk are data from
 * outside the process: a disk error, another version or a hand edit could leave anything there,
 * and a result of the wrong shape would break the build far from its cause.
 */
import type {NoteResult} from './compile-note.js'
import {ACCESS_LEVELS} from './model.js'

const KINDS = new Set(['service', 'skipped', 'failed'])
const SEVERITIES = new Set(['error', 'warning', 'info'])
const LEVELS = new Set<string>(ACCESS_LEVELS)

type Check = (value: unknown) => boolean

const isString: Check = (value) => typeof value === 'string'
const isLine: Check = (value) => value === null || Number.isInteger(value)
const isNullableString: Check = (value) => value === null || typeof value === 'string'
const listOf =
  (check: Check): Check =>
  (value) =>
    Array.isArray(value) && value.every(check)
const isStrings = listOf(isString)

/** An object whose fields pass their checks; other fields are not allowed. */
function record(fields: Record<string, Check>, optional: string[] = []): Check {
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
    const entries = value as Record<string, unknown>
    const known = Object.keys(entries).every((key) => key in fields)
    return (
      known &&
      Object.entries(fields).every(([key, check]) =>
        optional.includes(key) && entries[key] === undefined ? true : check(entries[key])
      )
    )
  }
}

const isMessage = record({
  severity: (value) => SEVERITIES.has(value as string),
  ruleId: isString,
  reason: isString,
  line: isLine,
  column: isLine,
  endLine: isLine,
  endColumn: isLine
})

const isResourceType = record({
  name: isString,
  required: (value) => typeof value === 'boolean',
  conditionKeys: isStrings,
  dependentActions: isStrings
})

const isAction = record({
  name: isString,
  description: isString,
  accessLevels: listOf((value) => LEVELS.has(value as string)),
  resourceTypes: listOf(isResourceType),
  conditionKeys: isStrings,
  dependentActions: isStrings
})

const isService = record({
  prefix: isString,
  name: isString,
  note: record({
    id: isString,
    fname: isString,
    path: isString,
    parent: isNullableString,
    desc: isString,
    created: isNullableString,
    updated: isNullableString,
    sources: Array.isArray
  }),
  actions: listOf(isAction)
})

const isPoint = record(
  {line: Number.isInteger, column: Number.isInteger, offset: Number.isInteger},
  ['offset']
)

const isPosition = record({start: isPoint, end: isPoint})

const isSkippedAction = record({
  name: isString,
  line: isLine,
  column: isLine,
  errors: listOf(isMessage)
})

const isResult = record(
  {
    path: isString,
    fname: isString,
    kind: (value) => KINDS.has(value as string),
    service: isService,
    messages: listOf(isMessage),
    prefixPlace: isPosition,
    skippedActions: listOf(isSkippedAction)
  },
  ['service', 'prefixPlace']
)

/** Whether `value` is a whole `NoteResult` of the note at `path`. */
export function isNoteResult(value: unknown, path: string): value is NoteResult {
  if (!isResult(value)) return false
  const result = value as NoteResult
  return result.path === path && (result.kind === 'service') === (result.service !== undefined)
}
