/**
 * JSON emitter: `catalog.json` with every service, and `services/<prefix>.json` with one each.
 */
import {writeFileSync} from 'node:fs'
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
  const serviceTexts = catalog.services.map((service) => toJson(service))
  await writeFile(path.join(outDir, 'catalog.json'), catalogJson(catalog, serviceTexts))
  await mkdir(path.join(outDir, 'services'))

  // The writes are synchronous: for hundreds of small files, the round trips of asynchronous
  // writes took longer than the writing.
  const names: string[] = []
  for (const [index, service] of catalog.services.entries()) {
    // The normalize stage checks prefixes; this check makes sure no other caller can pass a
    // prefix such as `../x` that would write outside `outDir`.
    if (!/^[a-z0-9][a-z0-9-]*$/.test(service.prefix)) {
      throw new Error(`Unexpected prefix \`${service.prefix}\` for a file name, expected [a-z0-9-]`)
    }

    const name = `services/${service.prefix}.json`
    writeFileSync(path.join(outDir, name), serviceTexts[index] as string)
    names.push(name)
  }

  return ['catalog.json', ...names]
}

/**
 * `toJson(catalog)`, made from the texts of its services (each indented to its depth) so that
 * a service is serialized once for both files, not twice.
 */
function catalogJson(catalog: Catalog, serviceTexts: string[]): string {
  if (serviceTexts.length === 0) return toJson(catalog)
  const mark = '<services>'
  const shell = toJson({...catalog, services: mark})
  const indented = serviceTexts.map((text) => '    ' + text.slice(0, -1).replaceAll('\n', '\n    '))
  const services = `[\n${indented.join(',\n')}\n  ]`
  return shell.replace(`"services": "${mark}"`, () => `"services": ${services}`)
}
