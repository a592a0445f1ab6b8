/**
 * Property tests: notes mutated at random (lines deleted, doubled or swapped, characters
 * inserted) never crash the build, never leave a partial output, and each note is either
 * compiled or reported with a reason.
 */
import {mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import fc from 'fast-check'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {build} from '../pipeline/build.js'
import type {Report} from '../pipeline/emit/report.js'
import {TABLES} from '../pipeline/emit/tables.js'
import type {Catalog} from '../pipeline/model.js'
import {hashArtifacts, runCli, soundVault, temporaryFolder} from './helpers.js'

/** Runs per property: enough to meet most mutations, few enough to take seconds. */
const RUNS = 120

const FIXTURES = ['iam.gadget.md', 'iam.widget.md', 'iam.md']

/** A change to the lines of a note. */
type Mutation =
  | {kind: 'delete'; at: number}
  | {kind: 'duplicate'; at: number}
  | {kind: 'swap'; at: number; with: number}
  | {kind: 'insert'; at: number; column: number; text: string}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({kind: fc.constant('delete' as const), at: fc.nat()}),
  fc.record({kind: fc.constant('duplicate' as const), at: fc.nat()}),
  fc.record({kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat()}),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    column: fc.nat(),
    text: fc.oneof(
      fc.string({maxLength: 8}),
      fc.string({unit: 'grapheme', maxLength: 4}),
      fc.constantFrom(
        '---',
        '## ',
        '### ',
        '- ',
        '```',
        '{',
        '"',
        ':',
        '&a',
        '*a',
        '\u0000',
        '\ufeff'
      )
    )
  })
)

/** A vault: for each fixture, whether it is in and the mutations applied to it. */
const vaultArbitrary = fc.array(
  fc.record({
    fixture: fc.constantFrom(...FIXTURES),
    mutations: fc.array(mutation, {maxLength: 4})
  }),
  {minLength: 1, maxLength: 3}
)

function mutate(text: string, mutations: Mutation[]): string {
  const lines = text.split('\n')
  for (const change of mutations) {
    const at = change.at % lines.length
    if (change.kind === 'delete' && lines.length > 1) lines.splice(at, 1)
    else if (change.kind === 'duplicate') lines.splice(at, 0, lines[at] ?? '')
    else if (change.kind === 'swap') {
      const other = change.with % lines.length
      ;[lines[at], lines[other]] = [lines[other] ?? '', lines[at] ?? '']
    } else if (change.kind === 'insert') {
      const line = lines[at] ?? ''
      const column = change.column % (line.length + 1)
      lines[at] = line.slice(0, column) + change.text + line.slice(column)
    }
  }

  return lines.join('\n')
}

let work: string
const fixtures = new Map<string, string>()

test.before(async () => {
  work = await temporaryFolder('property')
  for (const name of FIXTURES)
    fixtures.set(name, await readFile(path.join(soundVault, name), 'utf8'))
})

test.after(async () => {
  await rm(work, {recursive: true, force: true})
})

let vaultCount = 0

/** Write the notes of one generated vault into a new folder. */
async function writeVault(notes: {fixture: string; mutations: Mutation[]}[]): Promise<string> {
  const vault = path.join(work, `vault-${vaultCount++}`)
  await mkdir(vault)
  for (const [index, note] of notes.entries()) {
    const text = mutate(fixtures.get(note.fixture) ?? '', note.mutations)
    await writeFile(path.join(vault, `${index}.${note.fixture}`), text)
  }

  return vault
}

/** The files a whole output of `catalog` has. */
function expectedFiles(catalog: Catalog): string[] {
  return [
    'catalog.json',
    'catalog.sqlite',
    ...TABLES.map((table) => `csv/${table.name}.csv`),
    'manifest.json',
    'report.json',
    ...catalog.services.map((service) => `services/${service.prefix}.json`)
  ].sort()
}

test('should never crash, never leave a partial out, and account for every note', async () => {
  const out = path.join(work, 'out')
  await build({sources: soundVault, out})
  let current = await hashArtifacts(out)
  const outcomes = {written: 0, refused: 0}

  await fc.assert(
    fc.asyncProperty(vaultArbitrary, fc.boolean(), async (notes, keepGoing) => {
      const vault = await writeVault(notes)
      const result = await build({sources: vault, out, keepGoing})
      const found = await hashArtifacts(out)
      await rm(vault, {recursive: true, force: true})

      if (result.artifacts.length === 0) {
        // Refused: some note has an error, and the previous output is untouched.
        outcomes.refused++
        assert.ok([...result.messages.values()].flat().some((m) => m.severity === 'error'))
        assert.equal(found, current)
        return
      }

      outcomes.written++
      current = found
      assert.equal(Object.keys(found), expectedFiles(result.catalog))
      const catalog = JSON.parse(await readFile(path.join(out, 'catalog.json'), 'utf8'))
      assert.equal(catalog, JSON.parse(JSON.stringify(result.catalog)))

      // Each note is compiled or reported with a reason; each action left out has one too.
      const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as Report
      const compiled = new Set(result.catalog.services.map((service) => service.note.path))
      const reported = new Set(report.skippedNotes.map((note) => note.path))
      for (const note of result.notes) {
        assert.ok(compiled.has(note.path) !== reported.has(note.path), note.path)
      }
      for (const skipped of [...report.skippedNotes, ...report.skippedActions]) {
        assert.ok(skipped.reasons.length > 0, JSON.stringify(skipped))
      }
    }),
    {numRuns: RUNS}
  )

  console.log(
    `property.test: ${RUNS} vaults, ${outcomes.written} built, ${outcomes.refused} refused`
  )
  assert.ok(outcomes.written > 0 && outcomes.refused > 0)
})

test('should exit 0 or 1 with a summary from the CLI, whatever the notes', async () => {
  const out = path.join(work, 'cli-out')

  await fc.assert(
    fc.asyncProperty(vaultArbitrary, fc.boolean(), async (notes, keepGoing) => {
      const vault = await writeVault(notes)
      const flags = keepGoing ? ['--keep-going'] : []
      const run = await runCli(['build', '-s', vault, '-o', out, '-q', ...flags])
      await rm(vault, {recursive: true, force: true})

      assert.ok(run.code === 0 || run.code === 1, run.stderr)
      assert.match(run.stderr, /^iam-catalog: \d+ notes? read, /m)
    }),
    {numRuns: 8}
  )
})

test.run()
