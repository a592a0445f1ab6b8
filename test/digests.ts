/**
 * The sha256 of every file of a folder, to compare whole outputs byte for byte.
 */
import {createHash} from 'node:crypto'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import path from 'node:path'

/** The sha256 of every file under `folder`, by path relative to it. */
export function digestsOf(folder: string): Record<string, string> {
  const digests: Record<string, string> = {}
  for (const name of (readdirSync(folder, {recursive: true}) as string[]).sort()) {
    const file = path.join(folder, name)
    if (statSync(file).isDirectory()) continue
    digests[name] = createHash('sha256').update(readFileSync(file)).digest('hex')
  }

  return digests
}
