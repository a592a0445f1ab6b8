/**
 * The real 2020 vault, compiled end to end, gives exactly the figures an independent reader
 * counted for it. The corpus lives beside the project and is read-only; without it these cases
 * say so and pass nothing off as checked.
 */
import {existsSync, readFileSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {build} from '../pipeline/build.js'
import type {Catalog} from '../pipeline/model.js'
import {corpusVault as vault} from './helpers.js'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')
const expectedPath = path.join(root, '../shared/expected/vault-summary.json')

interface Expected {
  services: number
  actions: number
  accessLevels: Record<string, number>
  namedResourceTypeLinks: number
  conditionKeyLinks: number
  dependentActionLinks: number
  perService: Record<string, {name: string; actions: number}>
}

if (!existsSync(vault) || !existsSync(expectedPath)) {
  console.log(`corpus.test: ../shared/corpus is absent, so the real-vault figures are not checked`)
} else {
  const expected = JSON.parse(readFileSync(expectedPath, 'utf8')) as Expected
  let catalog: Catalog
  let out: string

  test.before(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'iam-catalog-corpus-'))
    const result = await build({sources: vault, out: path.join(out, 'dist')})
    assert.ok(result.ok, 'the corpus should build without errors')
    catalog = JSON.parse(readFileSync(path.join(out, 'dist/catalog.json'), 'utf8')) as Catalog
  })

  test.after(async () => {
    await rm(out, {recursive: true, force: true})
  })

  test('should compile every service and action of the corpus', () => {
    const actions = catalog.services.flatMap((service) => service.actions)
    assert.is(catalog.services.length, expected.services)
    assert.is(actions.length, expected.actions)
  })

  test('should count each access level as the independent reader did', () => {
    const counts: Record<string, number> = {}
    for (const service of catalog.services) {
      for (const action of service.actions) {
        for (const level of action.accessLevels) counts[level] = (counts[level] ?? 0) + 1
      }
    }

    assert.equal(counts, expected.accessLevels)
  })

  test('should link resource types, condition keys and dependent actions as counted', () => {
    const actions = catalog.services.flatMap((service) => service.actions)
    const named = actions.flatMap((action) => action.resourceTypes.filter((t) => t.name !== '*'))
    const links = (field: 'conditionKeys' | 'dependentActions') =>
      actions.reduce(
        (sum, action) =>
          sum +
          action[field].length +
          action.resourceTypes.reduce((n, t) => n + t[field].length, 0),
        0
      )

    assert.is(named.length, expected.namedResourceTypeLinks)
    assert.is(links('conditionKeys'), expected.conditionKeyLinks)
    assert.is(links('dependentActions'), expected.dependentActionLinks)
  })

  test('should name each service and count its actions as counted', () => {
    const perService = Object.fromEntries(
      catalog.services.map((service) => [
        service.prefix,
        {name: service.name, actions: service.actions.length}
      ])
    )
    assert.equal(perService, expected.perService)
  })
}

test.run()
