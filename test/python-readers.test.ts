/**
 * Other tools read the artifacts with whatever their language has at hand. Python's standard
 * `json`, `csv` and `sqlite3` modules read a build here (by `readers.py`), and the three must
 * agree row for row; the counts the script prints are checked against what the vault holds.
 */
import {execFile, spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {build} from '../pipeline/build.js'
import type {Catalog} from '../pipeline/model.js'
import {corpusVault} from './helpers.js'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')
const script = path.join(root, 'test/readers.py')
const sampleVault = path.join(root, 'test/fixtures/sample-vault')
const expectedPath = path.join(root, '../shared/expected/vault-summary.json')
const hasPython = spawnSync('python3', ['--version']).status === 0

/** The figures of the corpus this test uses, as counted independently of the project. */
interface CorpusFigures {
  services: number
  actions: number
  accessLevels: Record<string, number>
  conditionKeyLinks: number
  dependentActionLinks: number
}

/** What `readers.py` reports: its exit code, the counts it printed and its complaint. */
interface ReadersReport {
  code: number
  counts: Record<string, number>
  stderr: string
}

let out: string

test.before(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'iam-catalog-readers-'))
})

test.after(async () => {
  await rm(out, {recursive: true, force: true})
})

/** Build `vault` into a folder of its own and run `readers.py` on the output. */
async function buildAndRead(vault: string, name: string): Promise<[Catalog, ReadersReport]> {
  const dist = path.join(out, name)
  const result = await build({sources: vault, out: dist})
  assert.ok(result.ok, `${name} should build`)

  // A failing script rejects with the same fields, its exit code among them.
  const run = await promisify(execFile)('python3', [script, dist]).then(
    ({stdout, stderr}) => ({code: 0, stdout, stderr}),
    (failure: {code: number; stdout: string; stderr: string}) => failure
  )

  const counts = Object.fromEntries(
    run.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([key, value]) => [key, Number(value)])
  )
  return [result.catalog, {code: run.code, counts, stderr: run.stderr}]
}

/** How many resource-type rows a catalog has, the `*` of actions without named ones included. */
function resourceTypeRows(catalog: Catalog): number {
  return catalog.services
    .flatMap((service) => service.actions)
    .reduce((sum, action) => sum + action.resourceTypes.length, 0)
}

if (!hasPython) {
  console.log('python-readers.test: python3 is not installed, so the artifacts are not read')
} else {
  test('should read the same rows from JSON, CSV and SQLite of a sample vault', async () => {
    const [, report] = await buildAndRead(sampleVault, 'sample')

    assert.is(report.stderr, '')
    assert.is(report.code, 0)
    assert.equal(report.counts, {
      services: 2,
      actions: 6,
      action_access_levels: 7,
      action_resource_types: 7,
      action_condition_keys: 4,
      action_dependent_actions: 3,
      'service-files': 2,
      'neutralized-csv-cells': 5
    })
  })

  if (!existsSync(corpusVault) || !existsSync(expectedPath)) {
    console.log('python-readers.test: ../shared/corpus is absent, so only the sample is read')
  } else {
    test('should read the same rows from JSON, CSV and SQLite of the corpus', async () => {
      const expected = JSON.parse(readFileSync(expectedPath, 'utf8')) as CorpusFigures
      const [catalog, report] = await buildAndRead(corpusVault, 'corpus')
      const levels = Object.values(expected.accessLevels).reduce((sum, count) => sum + count)

      assert.is(report.stderr, '')
      assert.is(report.code, 0)
      assert.equal(report.counts, {
        services: expected.services,
        actions: expected.actions,
        action_access_levels: levels,
        action_resource_types: resourceTypeRows(catalog),
        action_condition_keys: expected.conditionKeyLinks,
        action_dependent_actions: expected.dependentActionLinks,
        'service-files': expected.services,
        'neutralized-csv-cells': 0
      })
    })
  }
}

test.run()
