/**
 * The note cache keeps each note's result under its bytes, path and compiler, and never trusts
 * an entry blindly: a corrupt or foreign entry is ignored and the note compiled again, an
 * edited note is compiled again, and `cacheDir: false` neither reads nor writes a cache.
 */
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {cp, mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {build} from '../pipeline/build.js'
import {DEFAULT_CACHE_DIR, NoteCache, sha256} from '../pipeline/cache.js'
import {compileNote} from '../pipeline/compile-note.js'
import type {Catalog} from '../pipeline/model.js'
import {digestsOf} from './digests.js'

const fixtures = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../../test/fixtures'
)

let scratch: string
let vault: string

/** Every entry file of the cache in `folder`. */
function entriesOf(folder: string): string[] {
  if (!existsSync(folder)) return []
  return (readdirSync(folder, {recursive: true}) as string[])
    .filter((name) => name.endsWith('.json'))
    .map((name) => path.join(folder, name))
}

test.before.each(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'iam-catalog-cache-'))
  vault = path.join(scratch, 'vault')
  await cp(path.join(fixtures, 'small-vault'), vault, {recursive: true})
})

test.after.each(async () => {
  await rm(scratch, {recursive: true, force: true})
})

test('should keep one entry per note', async () => {
  const cacheDir = path.join(scratch, 'cache')
  await build({sources: vault, out: path.join(scratch, 'out'), jobs: 1, cacheDir})
  assert.is(entriesOf(cacheDir).length, 3)
})

test('should ignore corrupt entries and compile their notes again', async () => {
  const cacheDir = path.join(scratch, 'cache')
  await build({sources: vault, out: path.join(scratch, 'first'), jobs: 1, cacheDir})
  const entries = entriesOf(cacheDir)
  writeFileSync(entries[0] as string, '{"key": "trunc')
  writeFileSync(entries[1] as string, JSON.stringify({key: 'another', result: {}}))
  const third = JSON.parse(readFileSync(entries[2] as string, 'utf8'))
  third.result.messages = [{severity: 'fatal'}]
  writeFileSync(entries[2] as string, JSON.stringify(third))

  const result = await build({sources: vault, out: path.join(scratch, 'second'), jobs: 1, cacheDir})
  assert.ok(result.ok)
  assert.equal(digestsOf(path.join(scratch, 'second')), digestsOf(path.join(scratch, 'first')))
  for (const entry of entries) assert.not.throws(() => JSON.parse(readFileSync(entry, 'utf8')))
})

test('should not take an entry of a note for the note after an edit', async () => {
  const cacheDir = path.join(scratch, 'cache')
  const out = path.join(scratch, 'out')
  await build({sources: vault, out, jobs: 1, cacheDir})
  const note = path.join(vault, 'iam.beta.md')
  writeFileSync(note, readFileSync(note, 'utf8').replace('Tags a beta.', 'Tags a beta, edited.'))

  const result = await build({sources: vault, out, jobs: 1, cacheDir})
  const catalog = JSON.parse(readFileSync(path.join(out, 'catalog.json'), 'utf8')) as Catalog
  const beta = catalog.services.find((service) => service.prefix === 'beta')
  assert.is(result.unchanged, false)
  assert.is(
    beta?.actions.find((action) => action.name === 'TagBeta')?.description,
    'Tags a beta, edited.'
  )
  assert.is(entriesOf(cacheDir).length, 4)
})

test('should neither read nor write a cache, and always write, without one', async () => {
  const out = path.join(scratch, 'out')
  const kept = entriesOf(DEFAULT_CACHE_DIR).length
  await build({sources: vault, out, jobs: 1, cacheDir: false})
  const again = await build({sources: vault, out, jobs: 1, cacheDir: false})
  assert.is(again.unchanged, false)
  assert.is(entriesOf(DEFAULT_CACHE_DIR).length, kept)
})

test('should return a kept result only under its own key and path', async () => {
  const cache = new NoteCache(path.join(scratch, 'cache'), 'compiler-a')
  const bytes = readFileSync(path.join(vault, 'iam.alpha.md'))
  const result = compileNote('iam.alpha.md', bytes)
  const key = cache.key('iam.alpha.md', sha256(bytes))
  await cache.set(key, result)

  assert.equal(await cache.get(key, 'iam.alpha.md'), result)
  assert.is(await cache.get(key, 'iam.other.md'), undefined)
  assert.is(await cache.get(cache.key('iam.alpha.md', sha256('other')), 'iam.alpha.md'), undefined)
  assert.is.not(
    new NoteCache(path.join(scratch, 'cache'), 'compiler-b').key('iam.alpha.md', sha256(bytes)),
    key
  )
})

test.run()
