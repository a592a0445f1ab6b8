/**
 * The note cache: the result of compiling each note, kept on disk under a key made of the
 * note's bytes, its path and the compiler version, so a note is compiled again only when one of
 * them changed. An entry is a plain JSON file. One that cannot be read, does not parse, carries
 * another key or does not have the shape of a result is ignored, and the note compiled again;
 * entries are written to a temporary file and renamed into place, so a reader never sees half
 * of one, even with two builds at once.
 */
import {createHash, randomBytes} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {mkdir, rename, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import type {NoteResult} from './compile-note.js'
import {isNoteResult} from './note-result-shape.js'

/** The cache folder when none is given, relative to the working folder. */
export const DEFAULT_CACHE_DIR = 'node_modules/.cache/iam-catalog'

/** Bumped when the layout of an entry changes. */
const ENTRY_FORMAT = 'iam-catalog-note/1'

/**
 * A cache of note results in `folder`, for the compiler of version `compiler`.
 *
 * To do: remove entries that no build has used for a while. The cache only grows, by the
 * notes changed between builds and by a whole vault per compiler version, which is small next
 * to `node_modules` but never shrinks until the folder is deleted.
 */
export class NoteCache {
  constructor(
    private readonly folder: string,
    private readonly compiler: string
  ) {}

  /** The key of a note: its digest, path and the compiler. */
  key(notePath: string, digest: string): string {
    return sha256(`${ENTRY_FORMAT}\0${this.compiler}\0${notePath}\0${digest}`)
  }

  /**
   * The kept result for `key`, or `undefined` when there is none that can be trusted. The
   * read is synchronous: entries are small and many, and a rebuild reads one per note, which
   * takes a fraction of the time through the thread pool of asynchronous reads.
   */
  get(key: string, notePath: string): NoteResult | undefined {
    let text: string
    try {
      text = readFileSync(this.entryPath(key), 'utf8')
    } catch {
      return undefined
    }

    try {
      const entry = JSON.parse(text) as {key?: unknown; result?: unknown}
      if (entry.key !== key || !isNoteResult(entry.result, notePath)) return undefined
      // JSON has no `undefined`, so fields that were `undefined` come back missing.
      const {service, prefixPlace} = entry.result
      return {...entry.result, service, prefixPlace}
    } catch {
      return undefined
    }
  }

  /** Keep `result` under `key`; a failure to write only means the note is compiled again. */
  async set(key: string, result: NoteResult): Promise<void> {
    const file = this.entryPath(key)
    const temporary = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`

    try {
      await mkdir(path.dirname(file), {recursive: true})
      await writeFile(temporary, JSON.stringify({key, result}))
      await rename(temporary, file)
    } catch {
      await rm(temporary, {force: true})
    }
  }

  private entryPath(key: string): string {
    return path.join(this.folder, 'notes', key.slice(0, 2), `${key}.json`)
  }
}

/** The sha256 of `data`, in hex. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}
