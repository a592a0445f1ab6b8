/**
 * The compiler of one note: decode, parse and normalize. It is a pure function of the note's
 * path and bytes, and its result is plain data, so notes can be compiled in any order, on any
 * thread, or taken from a cache.
 */
import type {Point} from 'unist'
import {VFile} from 'vfile'
import type {NoteMessage} from './diagnostics.js'
import {messagesOf, report} from './diagnostics.js'
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
  prefixPlace: Point | undefined
}

/**
 * Compile one note.
 *
 * @param path The note's path relative to the vault.
 * @param bytes The note's bytes.
 */
export function compileNote(path: string, bytes: Uint8Array): NoteResult {
  const fname = path.replace(/^.*\//, '').replace(/\.md$/, '')
  const file = new VFile({path})
  const text = decodeNote(file, bytes)

  if (text === undefined) {
    return {
      path,
      fname,
      kind: 'failed',
      service: undefined,
      messages: messagesOf(file),
      prefixPlace: undefined
    }
  }

  // Kept on the file so later stages can tell what was written literally from what was escaped.
  file.value = text
  const parsed = parseNote(file, text)
  const result = normalizeNote(file, {path, fname}, parsed)
  const service = result.kind === 'service' ? result.service : undefined
  const prefixPlace = result.kind === 'service' ? result.prefixPlace : undefined
  return {path, fname, kind: result.kind, service, messages: messagesOf(file), prefixPlace}
}

/** The result for a note that could not be read at all. */
export function unreadableNote(path: string, problem: string): NoteResult {
  const fname = path.replace(/^.*\//, '').replace(/\.md$/, '')
  const file = new VFile({path})
  report(file, 'error', 'note-unreadable', `Cannot read note: ${problem}`)
  return {
    path,
    fname,
    kind: 'failed',
    service: undefined,
    messages: messagesOf(file),
    prefixPlace: undefined
  }
}
