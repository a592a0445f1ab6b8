/**
 * The compiler of one note: decode, parse and normalize. It is a pure function of the note's
 * path and bytes, and its result is plain data, so notes can be compiled in any order, on any
 * thread, or taken from a cache.
 */
import type {Position} from 'unist'
import {VFile} from 'vfile'
import type {NoteMessage} from './diagnostics.js'
import {messagesOf, report, toNoteMessage} from './diagnostics.js'
import type {Service} from './model.js'
import {normalizeNote} from './normalize.js'
import {decodeNote, parseNote} from './parse.js'

/** What became of one note. */
export interface NoteResult {
  path: string
  fname: string
  /** `service` compiled, `skipped` as not a catalog note, `failed` with errors. */
  kind: 'service' | 'skipped' | 'failed'
  service: Service | undefined
  messages: NoteMessage[]
  /** Where the `- prefix:` item is, for messages that compare notes. */
  prefixPlace: Position | undefined
  /** Actions left out of `service` for their errors (used when the build keeps going). */
  skippedActions: SkippedActionRecord[]
}

/** An action left out of its service, as plain data: its heading and the errors it has. */
export interface SkippedActionRecord {
  name: string
  line: number | null
  column: number | null
  errors: NoteMessage[]
}

/**
 * Compile one note.
 *
 * @param path The note's path relative to the vault.
 * @param bytes The note's bytes.
 */
export function compileNote(path: string, bytes: Uint8Array): NoteResult {
  const file = new VFile({path})
  const text = decodeNote(file, bytes)

  if (text === undefined) return failedNote(path, file)

  // Kept on the file so later stages can tell what was written literally from what was escaped.
  file.value = text
  const parsed = parseNote(file, text)
  const fname = fnameOf(path)
  const result = normalizeNote(file, {path, fname}, parsed)
  const service = result.kind === 'service' ? result.service : undefined
  const prefixPlace = result.kind === 'service' ? result.prefixPlace : undefined
  const skippedActions = (result.kind === 'service' ? result.skippedActions : []).map((action) => ({
    name: action.name,
    line: action.place?.line ?? null,
    column: action.place?.column ?? null,
    errors: action.errors.map(toNoteMessage)
  }))
  const messages = messagesOf(file)
  return {path, fname, kind: result.kind, service, messages, prefixPlace, skippedActions}
}

/** The result for a note that could not be read at all. */
export function unreadableNote(path: string, problem: string): NoteResult {
  const file = new VFile({path})
  report(file, 'error', 'note-unreadable', `Cannot read note: ${problem}`)
  return failedNote(path, file)
}

/** The result of a note that failed before it could be parsed, with the messages of `file`. */
function failedNote(path: string, file: VFile): NoteResult {
  return {
    path,
    fname: fnameOf(path),
    kind: 'failed',
    service: undefined,
    messages: messagesOf(file),
    prefixPlace: undefined,
    skippedActions: []
  }
}

/** The Dendron file name of the note at `path`: its base name without `.md`. */
function fnameOf(path: string): string {
  return path.replace(/^.*\//, '').replace(/\.md$/, '')
}
