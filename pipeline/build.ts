/**
 * The build: read every note, compile each, check them together, and emit the artifacts into
 * a fresh folder that replaces `out` only when everything succeeded, so a failed build leaves
 * the previous output whole.
 */
import {chmod, mkdtemp, readdir, rename, rm, stat} from 'node:fs/promises'
import path from 'node:path'
import type {NoteResult} from './compile-note.js'
import {compileNote, unreadableNote} from './compile-note.js'
import type {NoteMessage} from './diagnostics.js'
import {emitCsv} from './emit/csv.js'
import {emitJson} from './emit/json.js'
import {emitSqlite} from './emit/sqlite.js'
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
}

/**
 * Compile the vault in `options.sources` into `options.out`.
 *
 * @returns The result; `ok` is false when a note had an error (or a warning, with `frail`),
 *   in which case nothing was written.
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
  if (!ok) return {ok, notes, messages, catalog, artifacts: []}

  const artifacts = await writeOutput(catalog, options)
  return {ok, notes, messages, catalog, artifacts}
}

/** Emit every artifact into a temporary folder beside `out`, then put it in place of `out`. */
async function writeOutput(catalog: Catalog, options: BuildOptions): Promise<Artifact[]> {
  const out = path.resolve(options.out)
  const staging = await mkdtemp(path.join(path.dirname(out), `.${path.basename(out)}.new-`))
  // A temporary folder is private to its owner; the output is for everyone who reads builds.
  await chmod(staging, 0o755)

  try {
    const written = [
      ...(await emitJson(catalog, staging)),
      ...(await emitCsv(catalog, staging, {raw: options.csvRaw ?? false})),
      ...(await emitSqlite(catalog, staging))
    ]
    const artifacts = await Promise.all(
      written.map(async (name) => ({
        path: name,
        bytes: (await stat(path.join(staging, name))).size
      }))
    )
    await replaceFolder(staging, out)
    return artifacts
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

async function exists(folder: string): Promise<boolean> {
  try {
    await readdir(folder)
    return true
  } catch {
    return false
  }
}
