/**
 * The artifacts do not depend on how the notes were compiled: on the main thread, on two
 * workers, or taken from the cache, every file of the output has the same bytes. A build with
 * nothing changed writes nothing; one whose output was tampered with writes it again.
 */
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {writeScaledVault} from '../bench/synthetic.js'
import type {BuildOptions} from '../pipeline/build.js'
import {build} from '../pipeline/build.js'
import {toJson} from '../pipeline/emit/json.js'
import {digestsOf} from './digests.js'

const fixtures = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../../test/fixtures'
)

let scratch: string
let vault: string
let reference: Record<string, string>

async function buildInto(name: string, options: Partial<BuildOptions>) {
  const result = await build({sources: vault, out: path.join(scratch, name), ...options})
  assert.ok(result.ok, `the build into ${name} should succeed`)
  return result
}

test.before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'iam-catalog-modes-'))
  vault = path.join(scratch, 'vault')
  // 100 copies of the small vault make about 320 kB, enough for the pool to start 2 workers.
  await writeScaledVault(path.join(fixtures, 'small-vault'), vault, 100)
  await buildInto('one-worker', {jobs: 1, cacheDir: false})
  reference = digestsOf(path.join(scratch, 'one-worker'))
})

test.after(async () => {
  await rm(scratch, {recursive: true, force: true})
})

test('should write every artifact and the manifest', () => {
  const names = Object.keys(reference)
  assert.ok(names.includes('catalog.json'))
  assert.ok(names.includes('catalog.sqlite'))
  assert.ok(names.includes('manifest.json'))
  assert.is(names.filter((name) => name.startsWith(`services${path.sep}`)).length, 200)
})

test('should write catalog.json as the one JSON serialization of the catalog', () => {
  const text = readFileSync(path.join(scratch, 'one-worker', 'catalog.json'), 'utf8')
  assert.is(toJson(JSON.parse(text)), text)
})

test('should write the same bytes with two workers as with one', async () => {
  await buildInto('two-workers', {jobs: 2, cacheDir: false})
  assert.equal(digestsOf(path.join(scratch, 'two-workers')), reference)
})

test('should write the same bytes from a cold and from a warm cache', async () => {
  const cacheDir = path.join(scratch, 'cache')
  await buildInto('cold', {jobs: 2, cacheDir})
  await buildInto('warm', {jobs: 2, cacheDir})
  assert.equal(digestsOf(path.join(scratch, 'cold')), reference)
  assert.equal(digestsOf(path.join(scratch, 'warm')), reference)
})

test('should write nothing when nothing changed', async () => {
  const cacheDir = path.join(scratch, 'cache')
  const manifest = path.join(scratch, 'warm', 'manifest.json')
  const before = statSync(manifest).ino

  const result = await buildInto('warm', {jobs: 2, cacheDir})
  assert.is(result.unchanged, true)
  assert.is(statSync(manifest).ino, before)
  assert.is(result.artifacts.length, Object.keys(reference).length)
})

test('should write the output again when an artifact was changed', async () => {
  const cacheDir = path.join(scratch, 'cache')
  writeFileSync(path.join(scratch, 'warm', 'csv', 'actions.csv'), 'tampered\n')

  const result = await buildInto('warm', {jobs: 2, cacheDir})
  assert.is(result.unchanged, false)
  assert.equal(digestsOf(path.join(scratch, 'warm')), reference)
})

test.run()
