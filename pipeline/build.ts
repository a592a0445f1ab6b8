/**
 * The build: read every note, compile each, check them together, and emit the artifacts into
 * a fresh folder that replaces `out` only when everything succeeded, so a failed build leaves
 * the previous output whole. Notes are compiled on all cores and kept in a cache; a build whose
 * inputs are those of the intact output it would replace writes nothing.
 */
import {chmod, mkdtemp, readdir, rename, rm} from 'node:fs/promises'
import path from 'node:path'
import {DEFAULT_CACHE_DIR, NoteCache, sha256} from './cache.js'
import type {NoteResult} from './compile-note.js'
import {defaultJobs} from './compile-pool.js'
import {compileVault} from './compile-vault.js'
import {compilerVersion} from './compiler-version.js'
import type {NoteMessage} from './diagnostics.js'
import {intactOutput, inputsDigest, writeManifest} from './manifest.js'
import type {Catalog} from './model.js'
import {readVault} from './read.js'
import {assembleCatalog} from './validate.js'

/** Options of a build. */
export interface BuildOptions {
  /** The vault folder. */
  sources: string
  /** The output folder; replaced as a whole. */
  out: string
  /** Fail on warnings as well as errors. */
  frail?: boolean
  /** Write CSV cells as they are, without neutralizing formulas. */
  csvRaw?: boolean
  /** Worker threads that compile notes; `1` compiles on the main thread. One per core. */
  jobs?: number
  /**
   * The folder of the note cache, or `false` to use no cache and rewrite `out` even when it is
   * up to date. Default: `node_modules/.cache/iam-catalog` in the working folder.
   */
  cacheDir?: string | false
}

/** An artifact written, with its size in bytes. */
export interface Artifact {
  path: string
  bytes: number
}

/** What a build did: per note, what became of it, and the outcome as a whole. */
export interface BuildResult {
  ok: boolean
  notes: NoteResult[]
  /** Messages of each note (and of the vault as a whole), by the note's path. */
  messages: Map<string, NoteMessage[]>
  catalog: Catalog
  artifacts: Artifact[]
  /** Whether `out` already held this very build, so nothing was written. */
  unchanged: boolean
}

/**
 * Compile the vault in `options.sources` into `options.out`.
 *
 * @returns The result; `ok` is false when a note had an error (or a warning, with `frail`),
 *   in which case nothing was written.
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const compiler = await compilerVersion()
  const sources = (await readVault(options.sources)).map((note) => ({
    ...note,
    digest: note.bytes ? sha256(note.bytes) : undefined
  }))
  const cache =
    options.cacheDir === false
      ? undefined
      : new NoteCache(options.cacheDir ?? DEFAULT_CACHE_DIR, compiler)
  const notes = await compileVault(sources, options.jobs ?? defaultJobs(), cache)

  const {catalog, messages: vaultMessages} = assembleCatalog(notes, options.sources)
  const messages = new Map<string, NoteMessage[]>()
  for (const note of notes) messages.set(note.path, [...note.messages])
  for (const message of vaultMessages) {
    const list = messages.get(message.path) ?? []
    const {path: _path, ...rest} = message
    list.push(rest)
    messages.set(message.path, list)
  }

  const failing = new Set(options.frail ? ['error', 'warning'] : ['error'])
  const ok = ![...messages.values()].flat().some((message) => failing.has(message.severity))
  if (!ok) return {ok, notes, messages, catalog, artifacts: [], unchanged: false}

  const settings = {frail: options.frail ?? false, csvRaw: options.csvRaw ?? false}
  const inputs = inputsDigest(
    compiler,
    settings,
    sources.map((note) => ({path: note.path, digest: note.digest ?? `(${note.problem})`}))
  )
  const kept = cache ? await intactOutput(path.resolve(options.out), inputs) : undefined
  if (kept) return {ok, notes, messages, catalog, artifacts: kept.map(toArtifact), unchanged: true}

  const artifacts = await writeOutput(catalog, options, inputs)
  return {ok, notes, messages, catalog, artifacts, unchanged: false}
}

/** Emit every artifact into a temporary folder beside `out`, then put it in place of `out`. */
async function writeOutput(
  catalog: Catalog,
  options: BuildOptions,
  inputs: string
): Promise<Artifact[]> {
  const out = path.resolve(options.out)
  const staging = await mkdtemp(path.join(path.dirname(out), `.${path.basename(out)}.new-`))
  // A temporary folder is private to its owner; the output is for everyone who reads builds.
  await chmod(staging, 0o755)

  // The emitters (SQLite above all) are loaded only by builds that write.
  const [{emitJson}, {emitCsv}, {emitSqlite}] = await Promise.all([
    import('./emit/json.js'),
    import('./emit/csv.js'),
    import('./emit/sqlite.js')
  ])

  try {
    const written = [
      ...(await emitJson(catalog, staging)),
      ...(await emitCsv(catalog, staging, {raw: options.csvRaw ?? false})),
      ...(await emitSqlite(catalog, staging))
    ]
    const artifacts = await writeManifest(staging, inputs, written)
    await replaceFolder(staging, out)
    return artifacts.map(toArtifact)
  } catch (error) {
    await rm(staging, {recursive: true, force: true})
    throw error
  }
}

/**
 * Put `staging` where `out` is. The old folder is moved aside first and removed after, so at
 * every moment one whole output exists under one of the two names.
 */
async function replaceFolder(staging: string, out: string): Promise<void> {
  const old = `${path.join(path.dirname(out), '.' + path.basename(out))}.old-${process.pid}`
  const hadOut = await exists(out)
  if (hadOut) await rename(out, old)
  await rename(staging, out)
  if (hadOut) await rm(old, {recursive: true, force: true})
}

function toArtifact(artifact: Artifact): Artifact {
  return {path: artifact.path, bytes: artifact.bytes}
}

async function exists(folder: string): Promise<boolean> {
  try {
    await readdir(folder)
    return true
  } catch {
    return false
  }
}
