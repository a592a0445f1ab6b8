/**
 * The module each thread of the compile pool runs: it compiles a batch of notes and returns
 * their results, which are plain data and so cross back to the main thread as they are.
 */
import type {NoteResult} from './compile-note.js'
import {compileNote} from './compile-note.js'

/** A note to compile: its path relative to the vault, and its bytes. */
export interface NoteInput {
  path: string
  bytes: Uint8Array
}

/** Compile every note of `batch`, in order. */
export default function compileBatch(batch: NoteInput[]): NoteResult[] {
  return batch.map((note) => compileNote(note.path, note.bytes))
}
