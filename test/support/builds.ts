/**
 * Builds shared by the suites that need the same large vault compiled: each vault is built once
 * per test run, into a temporary folder removed when the run ends.
 */
import {rmSync} from 'node:fs'
import {mkdtemp} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type {BuildResult} from '../../pipeline/build.js'
import {build} from '../../pipeline/build.js'

/** A vault, built: where the output is, and what the build returned. */
export interface SharedBuild {
  out: string
  result: BuildResult
}

const builds = new Map<string, Promise<SharedBuild>>()
const folders: string[] = []

process.on('exit', () => {
  for (const folder of folders) rmSync(folder, {recursive: true, force: true})
})

/** The project's root, from the compiled test files in `lib/test/support`. */
export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..')

/** Build the vault in `sources` once, and give every caller that same build. */
export function buildOnce(sources: string): Promise<SharedBuild> {
  const key = path.resolve(sources)
  let shared = builds.get(key)

  if (!shared) {
    shared = (async () => {
      const folder = await mkdtemp(path.join(os.tmpdir(), 'iam-catalog-shared-'))
      folders.push(folder)
      const out = path.join(folder, 'dist')
      return {out, result: await build({sources: key, out})}
    })()
    builds.set(key, shared)
  }

  return shared
}
