/**
 * Publishing: `out` always shows one whole build, whether builds succeed, are killed at any
 * moment by SIGKILL, or run at the same time; what killed builds left is cleared later.
 */
import {lstat, mkdir, readdir, readlink, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {build} from '../pipeline/build.js'
import {hashArtifacts, runCli, temporaryFolder, writeGeneratedVault} from './helpers.js'

let work: string
let vaultA: string
let vaultB: string
let hashesA: Record<string, string>
let hashesB: Record<string, string>

test.before(async () => {
  work = await temporaryFolder('publish')
  vaultA = path.join(work, 'vault-a')
  vaultB = path.join(work, 'vault-b')
  await mkdir(vaultA)
  await mkdir(vaultB)
  // Big enough that a build spends a good part of its time writing, not starting up.
  await writeGeneratedVault(vaultA, 20, 20, 'a')
  await writeGeneratedVault(vaultB, 20, 20, 'b')

  for (const [vault, name] of [
    [vaultA, 'a'],
    [vaultB, 'b']
  ] as const) {
    const out = path.join(work, `reference-${name}`)
    assert.ok((await build({sources: vault, out})).ok)
    const hashes = await hashArtifacts(out)
    if (name === 'a') hashesA = hashes
    else hashesB = hashes
  }
})

test.after(async () => {
  await rm(work, {recursive: true, force: true})
})

/** The entries of the store of `out` that are neither builds nor the `previous` link. */
async function leftovers(out: string): Promise<string[]> {
  const store = path.join(path.dirname(out), `.${path.basename(out)}.builds`)
  const entries = await readdir(store)
  return entries.filter((entry) => !/^build-[0-9a-f]{16}$/.test(entry) && entry !== 'previous')
}

test('should give the two reference vaults different artifacts', () => {
  assert.is(Object.keys(hashesA).length, 20 + 1 + 6 + 3)
  assert.not.equal(hashesA['catalog.json'], hashesB['catalog.json'])
})

test('should leave the previous out whole when a build is killed at any moment', async () => {
  const out = path.join(work, 'killed')
  assert.is((await runCli(['build', '-s', vaultA, '-o', out, '-q'])).code, 0)
  assert.equal(await hashArtifacts(out), hashesA)

  const started = Date.now()
  assert.is((await runCli(['build', '-s', vaultB, '-o', out, '-q'])).code, 0)
  const fullRunMs = Date.now() - started
  assert.equal(await hashArtifacts(out), hashesB)

  // Kill builds of the other vault at delays spread over a whole run, from start-up to the
  // swap; each time `out` must be exactly one of the two builds, never a mix or nothing.
  const kills = 10
  const outcomes = {previous: 0, next: 0}
  let previous = hashesB
  let next = hashesA

  for (let index = 0; index < kills; index++) {
    const delay = Math.round((fullRunMs * 1.5 * (index + 0.5)) / kills)
    const run = await runCli(['build', '-s', next === hashesA ? vaultA : vaultB, '-o', out], {
      killAfterMs: delay
    })
    const found = await hashArtifacts(out)

    if (run.signal === 'SIGKILL' && JSON.stringify(found) === JSON.stringify(previous)) {
      outcomes.previous++
    } else {
      assert.equal(found, next, `after a kill at ${delay} ms`)
      outcomes.next++
      ;[previous, next] = [next, previous]
    }
  }

  console.log(
    `publish.test: ${kills} builds killed over ${fullRunMs} ms: ` +
      `${outcomes.previous} left the previous out, ${outcomes.next} had published`
  )
  assert.ok(outcomes.previous > 0, 'some kills should land before the swap')

  // The next build clears what the killed ones left.
  assert.is((await runCli(['build', '-s', vaultA, '-o', out, '-q'])).code, 0)
  assert.equal(await hashArtifacts(out), hashesA)
  assert.equal(await leftovers(out), [])
})

test('should publish one whole build when two builds run at once', async () => {
  const out = path.join(work, 'concurrent')

  for (let round = 0; round < 2; round++) {
    const runs = await Promise.all([
      runCli(['build', '-s', vaultA, '-o', out, '-q']),
      runCli(['build', '-s', vaultB, '-o', out, '-q'])
    ])
    assert.equal(
      runs.map((run) => run.code),
      [0, 0]
    )

    const found = JSON.stringify(await hashArtifacts(out))
    assert.ok(found === JSON.stringify(hashesA) || found === JSON.stringify(hashesB))
    assert.equal(await leftovers(out), [])
  }
})

test('should keep the build before as `previous` and remove older ones', async () => {
  const out = path.join(work, 'generations')
  await build({sources: vaultA, out})
  const first = await readlink(out)
  await build({sources: vaultB, out})
  await build({sources: vaultA, out})

  const store = path.join(work, '.generations.builds')
  const current = path.basename(await readlink(out))
  assert.is(current, path.basename(first))
  assert.equal(await hashArtifacts(path.join(store, 'previous')), hashesB)
  const previousBuild = await readlink(path.join(store, 'previous'))
  assert.equal((await readdir(store)).sort(), [current, previousBuild, 'previous'].sort())
})

test('should keep `previous` when the same build is published again', async () => {
  const out = path.join(work, 'republished')
  await build({sources: vaultA, out, cacheDir: false})
  await build({sources: vaultB, out, cacheDir: false})
  await build({sources: vaultB, out, cacheDir: false})

  const store = path.join(work, '.republished.builds')
  assert.equal(await hashArtifacts(out), hashesB)
  assert.equal(await hashArtifacts(path.join(store, 'previous')), hashesA)
})

test('should turn an out written as a plain folder into a published build', async () => {
  const out = path.join(work, 'plain')
  await mkdir(out)
  await writeFile(path.join(out, 'catalog.json'), '{"format": "iam-catalog/1", "services": []}\n')

  assert.ok((await build({sources: vaultA, out})).ok)
  assert.ok((await lstat(out)).isSymbolicLink())
  assert.equal(await hashArtifacts(out), hashesA)
  const previous = path.join(work, '.plain.builds/previous')
  assert.equal(await readdir(previous), ['catalog.json'])
})

test('should refuse, and leave whole, a folder that no build wrote', async () => {
  for (const out of [path.join(work, 'notes-of-someone'), vaultA]) {
    await mkdir(out, {recursive: true})
    await writeFile(path.join(out, 'kept.txt'), 'not an output\n')
    const before = await hashArtifacts(out)

    try {
      await build({sources: vaultA, out})
      assert.unreachable('the build should throw')
    } catch (error) {
      assert.is(
        (error as Error).message,
        `Unexpected folder \`${out}\` that no build wrote, expected an earlier output (with ` +
          'its `catalog.json`), an empty folder or nothing; choose another output folder'
      )
    }

    assert.ok((await lstat(out)).isDirectory())
    assert.equal(await hashArtifacts(out), before)
  }

  await rm(path.join(vaultA, 'kept.txt'))
})

test('should refuse to put a build where a file is', async () => {
  const out = path.join(work, 'a-file')
  await writeFile(out, 'not a folder\n')

  try {
    await build({sources: vaultA, out})
    assert.unreachable('the build should throw')
  } catch (error) {
    assert.is(
      (error as Error).message,
      `Unexpected file at \`${out}\`, expected a folder or nothing`
    )
  }
})

test.run()
