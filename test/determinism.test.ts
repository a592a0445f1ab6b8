/**
 * The same notes give byte-identical artifacts, SQLite included, whatever the order the files
 * were created in, the time zone, the locale, `NODE_ENV`, the number of workers or the paths of
 * the vault and output.
 */
import {existsSync} from 'node:fs'
import {mkdir, readdir, readFile, rm} from 'node:fs/promises'
import path from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {listFiles} from '../pipeline/publish.js'
import {
  copyNotes,
  corpusVault,
  hashArtifacts,
  runCli,
  soundVault,
  temporaryFolder,
  writeGeneratedVault
} from './helpers.js'

/** How each build runs: one on the main thread, the other on two workers, neither cached. */
const variants: {name: string; env: NodeJS.ProcessEnv; args: string[]; reverse: boolean}[] = [
  {
    name: 'first',
    env: {TZ: 'UTC', LANG: 'C', LC_ALL: 'C', NODE_ENV: 'production'},
    args: ['--jobs', '1', '--no-cache'],
    reverse: false
  },
  {
    name: 'second',
    env: {
      TZ: 'Pacific/Chatham',
      LANG: 'tr_TR.UTF-8',
      LC_ALL: 'tr_TR.UTF-8',
      NODE_ENV: 'development'
    },
    args: ['--jobs', '2', '--no-cache'],
    reverse: true
  }
]

let work: string

test.before(async () => {
  work = await temporaryFolder('determinism')
})

test.after(async () => {
  await rm(work, {recursive: true, force: true})
})

test('should give the same sha256 for each artifact across orders, zones, locales', async () => {
  const source = path.join(work, 'source')
  await mkdir(source)
  await copyNotes(soundVault, source)
  await writeGeneratedVault(source, 5, 5, 'determinism')

  // Some real notes too, when the corpus is there: they have every dialect the vault uses.
  if (existsSync(corpusVault)) {
    const real = (await readdir(corpusVault)).filter((name) => /^iam\.a.*\.md$/.test(name))
    await copyNotes(corpusVault, source, real)
  } else {
    console.log('determinism.test: ../shared/corpus is absent, so only fixture notes are used')
  }

  const names = (await readdir(source)).sort()
  const hashes: Record<string, string>[] = []

  for (const variant of variants) {
    const vault = path.join(work, `vault-${variant.name}`)
    const out = path.join(work, `out-${variant.name}`, 'dist')
    await mkdir(vault)
    await copyNotes(source, vault, variant.reverse ? [...names].reverse() : names)

    const env = {...process.env, ...variant.env}
    const run = await runCli(['build', '-s', vault, '-o', out, '-q', ...variant.args], {env})
    assert.is(run.code, 0, run.stderr)
    hashes.push(await hashArtifacts(out))

    // No artifact may name where it was built.
    for (const file of await listFiles(out)) {
      const bytes = await readFile(path.join(out, file))
      assert.not.ok(bytes.includes(work), `${file} holds the path of the build`)
    }
  }

  assert.ok(Object.keys(hashes[0] ?? {}).includes('catalog.sqlite'))
  assert.equal(hashes[1], hashes[0])
})

test.run()
