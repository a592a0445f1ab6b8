/**
 * The build: read every note, compile each, check them together, and emit the artifacts into
 * a staging folder that is published as `out` only when everything succeeded, so a failed or
 * killed build leaves the previous output whole. Notes are compiled on all cores and kept in a
 * cache; a build whose inputs are those of the intact output it would replace writes nothing.
 */
import {DEFAULT_CACHE_DIR, NoteCache, sha256} from './cache.js'
import type {NoteResult} from './compile-note.js'
import {defaultJobs} from './compile-pool.js'
import {compileVault} from './compile-vault.js'
import {compilerVersion} from './compiler-version.js'
import type {NoteMessage} from './diagnostics.js'
import type {Report} from './emit/report.js'
import {buildReport, emitReport} from './emit/report.js'
import {intactOutput, inputsDigest, writeManifest} from './manifest.js'
import type {Catalog} from './model.js'
import {publishOutput} from './publish.js'
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
  /** Build from the sound notes and actions, leaving out (and reporting) those with errors. */
  keepGoing?: boolean
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
  /** False when a note had an error (or a warning, with `frail`). */
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
 *   in which case nothing was written, unless `keepGoing` asked for the sound part anyway and
 *   at least one service compiled.
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
  const result = {ok, notes, messages, catalog, artifacts: [], unchanged: false}
  // Keeping going builds the sound part; when there is none, the previous output is worth more.
  if (!ok && (!options.keepGoing || catalog.services.length === 0)) return result

  const settings = {
    frail: options.frail ?? false,
    csvRaw: options.csvRaw ?? false,
    keepGoing: options.keepGoing ?? false
  }
  const inputs = inputsDigest(
    compiler,
    settings,
    sources.map((note) => ({path: note.path, digest: note.digest ?? `(${note.problem})`}))
  )
  const kept = cache ? await intactOutput(options.out, inputs) : undefined
  if (kept) return {...result, artifacts: kept.map(toArtifact), unchanged: true}

  const report = buildReport(notes, messages, catalog)
  const artifacts = await publishOutput(options.out, (folder) =>
    writeArtifacts(catalog, report, folder, options, inputs)
  )
  return {...result, artifacts}
}

/** Emit every artifact and the manifest into `folder`, and list them with their sizes. */
async function writeArtifacts(
  catalog: Catalog,
  report: Report,
  folder: string,
  options: BuildOptions,
  inputs: string
): Promise<Artifact[]> {
  // The emitters (SQLite above all) are loaded only by builds that write.
  const [{emitJson}, {emitCsv}, {emitSqlite}] = await Promise.all([
    import('./emit/json.js'),
    import('./emit/csv.js'),
    import('./emit/sqlite.js')
  ])

  const written = [
    ...(await emitJson(catalog, folder)),
    ...(await emitCsv(catalog, folder, {raw: options.csvRaw ?? false})),
    ...(await emitSqlite(catalog, folder)),
    ...(await emitReport(report, folder))
  ]

  const artifacts = await writeManifest(folder, inputs, written)
  return artifacts.map(toArtifact)
}

function toArtifact(artifact: Artifact): Artifact {
  return {path: artifact.path, bytes: artifact.bytes}
}
