/**
 * `keepGoing`: without it any error stops the build and writes nothing; with it the sound
 * notes and actions are built, and `report.json` lists each note and action left out, why,
 * and where.
 */
import {existsSync} from 'node:fs'
import {readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {build} from '../pipeline/build.js'
import type {Report} from '../pipeline/emit/report.js'
import type {Catalog} from '../pipeline/model.js'
import {copyNotes, runCli, soundVault, temporaryFolder} from './helpers.js'

let work: string
let vault: string

test.before(async () => {
  work = await temporaryFolder('keep-going')
  vault = path.join(work, 'vault')
  await copyNotes(soundVault, vault)
  await edit('iam.gadget.md', '- access level: List', '- access level: Lisst')
  await edit('iam.widget.md', '- prefix: widget', '- prefix: Wid get')
})

test.after(async () => {
  await rm(work, {recursive: true, force: true})
})

async function edit(name: string, from: string, to: string): Promise<void> {
  const file = path.join(vault, name)
  const text = await readFile(file, 'utf8')
  assert.ok(text.includes(from))
  await writeFile(file, text.replace(from, to))
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T
}

test('should write nothing when a note has an error and the build stops', async () => {
  const out = path.join(work, 'stopped')
  const result = await build({sources: vault, out})

  assert.is(result.ok, false)
  assert.equal(result.artifacts, [])
  assert.is(existsSync(out), false)
})

test('should build the sound notes and actions when keeping going', async () => {
  const out = path.join(work, 'kept')
  const result = await build({sources: vault, out, keepGoing: true})
  const catalog = await readJson<Catalog>(path.join(out, 'catalog.json'))

  assert.is(result.ok, false)
  assert.equal(
    catalog.services.map((service) => service.prefix),
    ['gadget']
  )
  assert.equal(
    catalog.services[0]?.actions.map((action) => action.name),
    ['CreateGadget', 'TagGadget']
  )
})

test('should list each note and action left out in report.json, with rule and place', async () => {
  const out = path.join(work, 'reported')
  await build({sources: vault, out, keepGoing: true})
  const report = await readJson<Report>(path.join(out, 'report.json'))

  assert.equal(report.notes, {read: 3, compiled: 1, skipped: 1, failed: 1})
  assert.equal(report.skippedNotes, [
    {
      path: 'iam.md',
      status: 'skipped',
      reasons: [
        {
          severity: 'info',
          ruleId: 'not-a-catalog-note',
          reason: 'Not a catalog note: no `## Privileges` section',
          line: null,
          column: null,
          endLine: null,
          endColumn: null
        }
      ]
    },
    {
      path: 'iam.widget.md',
      status: 'failed',
      reasons: [
        {
          severity: 'error',
          ruleId: 'prefix-malformed',
          reason:
            'Unexpected prefix `Wid get`, expected lower case letters, digits and `-`, ' +
            'such as `s3` or `access-analyzer`',
          line: 9,
          column: 1,
          endLine: 9,
          endColumn: 18
        }
      ]
    }
  ])
  assert.equal(report.skippedActions, [
    {
      path: 'iam.gadget.md',
      action: 'ListGadgets',
      line: 35,
      column: 1,
      reasons: [
        {
          severity: 'error',
          ruleId: 'access-level-unknown',
          reason:
            'Unexpected access level `Lisst` in action `ListGadgets`, expected one of `List`, ' +
            '`Permissions management`, `Read`, `Tagging`, `Write`',
          line: 37,
          column: 1,
          endLine: 37,
          endColumn: 22
        }
      ]
    }
  ])
})

test('should keep the first of two actions of one name and leave out the second', async () => {
  const folder = await temporaryFolder('duplicate')
  const text = await readFile(path.join(soundVault, 'iam.widget.md'), 'utf8')
  await writeFile(
    path.join(folder, 'iam.widget.md'),
    text.replace('### PutWidgetPolicy', '### DescribeWidget')
  )

  const result = await build({sources: folder, out: path.join(folder, 'out'), keepGoing: true})
  const report = await readJson<Report>(path.join(folder, 'out/report.json'))
  await rm(folder, {recursive: true, force: true})

  assert.equal(
    result.catalog.services[0]?.actions.map((action) => action.description),
    ['Grants permission to describe a widget']
  )
  assert.equal(
    report.skippedActions.map((action) => [action.action, action.line, action.reasons[0]?.ruleId]),
    [['DescribeWidget', 28, 'duplicate-action']]
  )
})

test('should write nothing when no service compiled, even when keeping going', async () => {
  const folder = await temporaryFolder('all-broken')
  const text = await readFile(path.join(soundVault, 'iam.widget.md'), 'utf8')
  await writeFile(
    path.join(folder, 'iam.widget.md'),
    text.replace(/access level: .*/g, 'access level: Often')
  )

  const result = await build({sources: folder, out: path.join(folder, 'out'), keepGoing: true})
  const written = existsSync(path.join(folder, 'out'))
  await rm(folder, {recursive: true, force: true})

  assert.is(result.ok, false)
  assert.equal(result.catalog.services, [])
  assert.equal(
    result.notes.map((note) => [note.path, note.kind]),
    [['iam.widget.md', 'failed']]
  )
  assert.equal(result.artifacts, [])
  assert.is(written, false)
})

test('should keep the previous OUT and say so when keeping going compiled no service', async () => {
  const folder = await temporaryFolder('all-broken-cli')
  const sources = path.join(folder, 'vault')
  const out = path.join(folder, 'out')
  await copyNotes(soundVault, sources)
  const sound = await runCli(['build', '-s', sources, '-o', out])
  const catalogBefore = await readFile(path.join(out, 'catalog.json'), 'utf8')
  for (const name of ['iam.gadget.md', 'iam.widget.md']) {
    const file = path.join(sources, name)
    const text = await readFile(file, 'utf8')
    await writeFile(file, text.replace(/access level: .*/g, 'access level: Often'))
  }

  const run = await runCli(['build', '-s', sources, '-o', out, '--keep-going'])
  const catalogAfter = await readFile(path.join(out, 'catalog.json'), 'utf8')
  await rm(folder, {recursive: true, force: true})

  assert.is(sound.code, 0)
  assert.is(run.code, 1)
  assert.match(run.stderr, /, 0 services, 0 actions, [\d.]+ s; no service compiled, /)
  assert.ok(run.stderr.endsWith('so wrote nothing and kept the previous output\n'))
  assert.is(catalogAfter, catalogBefore)
})

test('should exit 1 yet write the output with --keep-going, and say what it left out', async () => {
  const out = path.join(work, 'cli')
  const run = await runCli(['build', '-s', vault, '-o', out, '--keep-going'])

  assert.is(run.code, 1)
  assert.ok(existsSync(path.join(out, 'report.json')))
  assert.match(run.stderr, '1 failed, 1 service, 2 actions, 1 action left out')
})

test.run()
