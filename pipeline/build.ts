/**
 * The build: read every note, compile each, check them together, and emit the artifacts into
 * a staging folder that is published as `out` only when everything succeeded, so a failed or
 * killed build leaves the previous output whole.
 */
import {stat} from 'node:fs/promises'
import path from 'node:path'
import type {NoteResult} from './compile-note.js'
import {compileNote, unreadableNote} from './compile-note.js'
import type {NoteMessage} from './diagnostics.js'
import {emitCsv} from './emit/csv.js'
import {emitJson} from './emit/json.js'
import type {Report} from './emit/report.js'
import {buildReport, emitReport} from './emit/report.js'
import {emitSqlite} from './emit/sqlite.js'
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
}

/**
 * Compile the vault in `options.sources` into `options.out`.
 *
 * @returns The result; `ok` is false when a note had an error (or a warning, with `frail`),
 *   in which case nothing was written, unless `keepGoing` asked for the sound part anyway.
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const sources = await readVault(options.sources)
  const notes = sources.map((note) =>
    note.bytes ? compileNote(note.path, note.bytes) : unreadableNote(note.path, note.problem ?? '')
  )

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
  if (!ok && !options.keepGoing) return {ok, notes, messages, catalog, artifacts: []}

  const report = buildReport(notes, messages, catalog)
  const artifacts = await publishOutput(options.out, (folder) =>
    writeArtifacts(catalog, report, folder, options)
  )
  return {ok, notes, messages, catalog, artifacts}
}

/** Emit every artifact into `folder`, and list them with their sizes. */
async function writeArtifacts(
  catalog: Catalog,
  report: Report,
  folder: string,
  options: BuildOptions
): Promise<Artifact[]> {
  const written = [
    ...(await emitJson(catalog, folder)),
    ...(await emitCsv(catalog, folder, {raw: options.csvRaw ?? false})),
    ...(await emitSqlite(catalog, folder)),
    ...(await emitReport(report, folder))
  ]

  return Promise.all(
    written.map(async (name) => ({path: name, bytes: (await stat(path.join(folder, name))).size}))
  )
}
