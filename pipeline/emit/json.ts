/**
 * JSON emitter: `catalog.json` with every service, and `services/<prefix>.json` with one each.
 */
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import type {Catalog} from '../model.js'

/** Serialize a value the one way this project does: two-space indent, newline at the end. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n'
}

/**
 * Write the JSON artifacts of `catalog` into `outDir`.
 *
 * @returns The paths written, relative to `outDir`.
 */
export async function emitJson(catalog: Catalog, outDir: string): Promise<string[]> {
  await writeFile(path.join(outDir, 'catalog.json'), toJson(catalog))
  await mkdir(path.join(outDir, 'services'))

  const written = ['catalog.json']
  for (const service of catalog.services) {
    // The normalize stage checks prefixes; this check makes sure no other caller can pass a
    // prefix such as `../x` that would write outside `outDir`.
    if (!/^[a-z0-9][a-z0-9-]*$/.test(service.prefix)) {
      throw new Error(`Unexpected prefix \`${service.prefix}\` for a file name, expected [a-z0-9-]`)
    }

    const name = `services/${service.prefix}.json`
    await writeFile(path.join(outDir, name), toJson(service))
    written.push(name)
  }

  return written
}
