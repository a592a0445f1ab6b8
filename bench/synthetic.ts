/**
 * Synthetic vaults for the benchmark: a vault made `copies` times larger by writing each note
 * again under a new file name, with the prefix of each service changed so that every copy is a
 * service of its own.
 */
import {mkdir, readdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'

/** The `- prefix: x` item of a catalog note. */
const PREFIX_ITEM = /^(- prefix:[ \t]*)([a-z0-9][a-z0-9-]*)/m

/**
 * Write the notes of `from` into `to`, each `copies` times: as it is, then with `-x2`, `-x3`...
 * (or another `tag` than `x`) after its file name and prefix. A copy never overwrites a note:
 * a name taken twice is an error, not a smaller vault.
 *
 * @returns The number of bytes written.
 */
export async function writeScaledVault(
  from: string,
  to: string,
  copies: number,
  tag = 'x'
): Promise<number> {
  await mkdir(to, {recursive: true})
  let bytes = 0

  for (const name of await readdir(from)) {
    if (!name.endsWith('.md')) continue
    const text = await readFile(path.join(from, name), 'utf8')

    for (let copy = 1; copy <= copies; copy++) {
      const suffix = copy === 1 ? '' : `-${tag}${copy}`
      const copied = text.replace(PREFIX_ITEM, (_, item: string, prefix: string) => {
        return `${item}${prefix}${suffix}`
      })
      const file = path.join(to, `${name.slice(0, -'.md'.length)}${suffix}.md`)
      await writeFile(file, copied, {flag: 'wx'})
      bytes += Buffer.byteLength(copied)
    }
  }

  return bytes
}

/**
 * Change one note of `vault` the way an edit would: the description of its first action gets
 * a few more words.
 *
 * @returns The name of the note changed.
 */
export async function editOneNote(vault: string): Promise<string> {
  const names = (await readdir(vault)).filter((name) => name.endsWith('.md')).sort()

  for (const name of names) {
    const file = path.join(vault, name)
    const text = await readFile(file, 'utf8')
    const edited = text.replace(/^- description: .*$/m, (line) => `${line} (edited)`)
    if (edited === text) continue
    await writeFile(file, edited)
    return name
  }

  throw new Error(`Missing \`- description:\` item in the notes of \`${vault}\``)
}
