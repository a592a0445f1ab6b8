/**
 * Read stage: find the notes of a vault and read their bytes. A vault is flat, as Dendron keeps
 * it: every `*.md` file of the folder is a note. A symbolic link is followed only when it stays
 * inside the vault, so a note can never pull in a file from elsewhere.
 */
import {lstatSync, readFileSync, realpathSync, statSync} from 'node:fs'
import {readdir, realpath} from 'node:fs/promises'
import path from 'node:path'

/** Notes larger than this are not notes but accidents; they are refused with a clear error. */
export const MAX_NOTE_BYTES = 16 * 1024 * 1024

/** A note as found in the vault. */
export interface NoteSource {
  /** Path relative to the vault, with `/` separators, as messages and artifacts show it. */
  path: string
  /** The Dendron file name: the base name without `.md`. */
  fname: string
  /** The bytes, or why they could not be read. */
  bytes: Uint8Array | undefined
  problem: string | undefined
}

/**
 * List the notes of `vault`, sorted by file name (by code point) so that the order never
 * depends on the file system, and read each.
 */
export async function readVault(vault: string): Promise<NoteSource[]> {
  const names = (await readdir(vault)).filter((name) => name.endsWith('.md')).sort(byCodePoint)
  const vaultReal = await realpath(vault)
  return names.map((name) => readNote(vault, vaultReal, name))
}

/**
 * Read one note. The calls are synchronous: a vault is hundreds of small files, and going
 * through the thread pool of asynchronous calls three times for each took longer than the
 * reads themselves (a third of a rebuild with nothing changed).
 */
function readNote(vault: string, vaultReal: string, name: string): NoteSource {
  const full = path.join(vault, name)
  const note = {path: name, fname: name.slice(0, -'.md'.length)}

  try {
    const link = lstatSync(full)
    if (link.isSymbolicLink()) {
      const target = realpathSync(full)
      if (path.dirname(target) !== vaultReal && !target.startsWith(vaultReal + path.sep)) {
        return {...note, bytes: undefined, problem: 'a symbolic link that leaves the vault'}
      }
    }

    const info = statSync(full)
    if (!info.isFile()) return {...note, bytes: undefined, problem: 'not a regular file'}
    if (info.size > MAX_NOTE_BYTES) {
      const size = `${(info.size / 1024 / 1024).toFixed(1)} MiB`
      return {...note, bytes: undefined, problem: `${size}, more than the 16 MiB a note may have`}
    }

    return {...note, bytes: readFileSync(full), problem: undefined}
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'an unknown error'
    return {...note, bytes: undefined, problem: `unreadable (${code})`}
  }
}

/** Compare strings by code point, the order that does not depend on locale. */
export function byCodePoint(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0
}
