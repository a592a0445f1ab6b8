/**
 * Compile every note of a vault: take from the cache the results it holds for these bytes,
 * compile the rest on the pool, and keep their results for the next build.
 */
import type {NoteCache} from './cache.js'
import type {NoteResult} from './compile-note.js'
import {compileNotes} from './compile-pool.js'
import type {NoteInput} from './compile-worker.js'
import type {NoteSource} from './read.js'

/** A note as read, with the sha256 of its bytes (`undefined` when it could not be read). */
export interface DigestedNote extends NoteSource {
  digest: string | undefined
}

/**
 * Compile `notes` with at most `jobs` workers, through `cache` unless it is `undefined`.
 *
 * @returns The result of each note, in the order of `notes`.
 */
export async function compileVault(
  notes: DigestedNote[],
  jobs: number,
  cache: NoteCache | undefined
): Promise<NoteResult[]> {
  const keys = notes.map((note) =>
    cache && note.digest !== undefined ? cache.key(note.path, note.digest) : undefined
  )
  const results: (NoteResult | undefined)[] = notes.map((note, index) => {
    const key = keys[index]
    return cache && key ? cache.get(key, note.path) : undefined
  })

  const todo: number[] = []
  for (const [index, note] of notes.entries()) {
    if (results[index]) continue
    if (note.bytes) todo.push(index)
    else results[index] = await unreadable(note)
  }

  const inputs: NoteInput[] = todo.map((index) => {
    const note = notes[index] as DigestedNote
    return {path: note.path, bytes: note.bytes as Uint8Array}
  })
  const compiled = await compileNotes(inputs, jobs)

  await Promise.all(
    todo.map((index, position) => {
      const result = compiled[position] as NoteResult
      results[index] = result
      const key = keys[index]
      return cache && key ? cache.set(key, result) : undefined
    })
  )

  return results as NoteResult[]
}

/** The result of a note that could not be read; the compiler is loaded only when needed. */
async function unreadable(note: DigestedNote): Promise<NoteResult> {
  const {unreadableNote} = await import('./compile-note.js')
  return unreadableNote(note.path, note.problem ?? '')
}
