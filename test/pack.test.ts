/**
 * Another data repository uses the package as npm publishes it: `npm pack` makes the tarball,
 * an empty folder installs it, and `npx iam-catalog build` compiles a vault there. This is the
 * slow test of the suite (the install compiles better-sqlite3), so it installs once.
 */
import {execFile} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import type {Catalog} from '../pipeline/model.js'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')
const sampleVault = path.join(root, 'test/fixtures/sample-vault')
const run = promisify(execFile)

/** What a command did: its exit code and what it printed. */
interface Outcome {
  code: number
  stdout: string
  stderr: string
}

/** Run a command to its end, resolving with its exit code rather than rejecting on failure. */
function outcome(command: string, args: string[], cwd: string): Promise<Outcome> {
  // `JOBS=max` lets node-gyp compile SQLite and its binding on every core at once.
  const env = {...process.env, JOBS: 'max'}
  return run(command, args, {cwd, env, maxBuffer: 16 * 1024 * 1024}).then(
    ({stdout, stderr}) => ({code: 0, stdout, stderr}),
    (failure: {code: number; stdout: string; stderr: string}) => failure
  )
}

let folder: string
let packedFiles: string[]

test.before(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'iam-catalog-pack-'))

  // The suite runs from the compiled lib/, so it is current; `prepack` would only compile it again.
  const packed = await outcome(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', folder],
    root
  )
  assert.is(packed.code, 0, packed.stderr)
  const [tarball] = JSON.parse(packed.stdout) as {filename: string; files: {path: string}[]}[]
  assert.ok(tarball, 'npm pack should describe the tarball it made')
  packedFiles = tarball.files.map((file) => file.path).sort()

  // npm 11 runs no install script unless the folder allows it, and better-sqlite3 needs its own.
  const manifest = {name: 'vault-repository', private: true, allowScripts: {'better-sqlite3': true}}
  await writeFile(path.join(folder, 'package.json'), JSON.stringify(manifest, null, 2) + '\n')
  const tarballPath = path.join(folder, tarball.filename)
  const installed = await outcome(
    'npm',
    ['install', tarballPath, '--prefer-offline', '--no-audit', '--no-fund'],
    folder
  )
  assert.is(installed.code, 0, installed.stderr)
})

test.after(async () => {
  await rm(folder, {recursive: true, force: true})
})

test('should pack the compiled pipeline and the manifest, not the tests', () => {
  assert.ok(packedFiles.includes('package.json'))
  assert.ok(packedFiles.includes('lib/pipeline/cli.js'))
  assert.ok(packedFiles.includes('lib/pipeline/emit/sqlite.js'))
  assert.equal(
    packedFiles.filter((file) => !/^(lib\/pipeline\/.+\.js|package\.json|README\.md)$/.test(file)),
    []
  )
})

test('should build a vault with npx iam-catalog in the folder that installed it', async () => {
  const built = await outcome(
    'npx',
    ['iam-catalog', 'build', '--sources', sampleVault, '--out', 'dist'],
    folder
  )
  const catalog = JSON.parse(
    readFileSync(path.join(folder, 'dist/catalog.json'), 'utf8')
  ) as Catalog

  assert.is(built.code, 0, built.stderr)
  assert.match(built.stderr, /^iam-catalog: 4 notes read, 2 skipped, 2 services, 6 actions, /m)
  assert.equal(
    catalog.services.map((service) => [service.prefix, service.actions.length]),
    [
      ['gadgets', 3],
      ['spreadsheet', 3]
    ]
  )
})

test('should answer --help from the installed bin', async () => {
  const help = await outcome('npx', ['iam-catalog', 'build', '--help'], folder)

  assert.is(help.code, 0, help.stderr)
  assert.match(help.stdout, /^Usage: iam-catalog build \[options\]/)
  assert.match(help.stdout, /--sources <dir>/)
})

test.run()
