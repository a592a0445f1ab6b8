/**
 * Validate stage: the checks that need the whole vault rather than one note, and the assembly
 * of the catalog in its one sorted order.
 */
import type {Position} from 'unist'
import type {NoteMessage, Severity} from './diagnostics.js'
import type {NoteResult} from './compile-note.js'
import type {Catalog, Service} from './model.js'
import {FORMAT} from './model.js'
import {byCodePoint} from './read.js'

/** Messages that belong to the vault rather than to one note. */
export interface VaultMessage extends NoteMessage {
  path: string
}

/**
 * Check the compiled notes against each other and assemble the catalog.
 *
 * @returns The catalog of every service that compiled, sorted by prefix and action name, and
 *   the messages about the vault as a whole (a prefix in two notes, a vault with no notes or
 *   no catalog note).
 */
export function assembleCatalog(
  results: NoteResult[],
  vaultName: string
): {catalog: Catalog; messages: VaultMessage[]} {
  const messages: VaultMessage[] = []
  const byPrefix = new Map<string, NoteResult>()

  if (results.length === 0) {
    messages.push(
      vaultMessage(
        vaultName,
        'vault-empty',
        'Missing notes in the folder, expected at least one `*.md` note'
      )
    )
  }

  // A vault of guides and hierarchy roots alone is most likely the wrong folder.
  if (results.length > 0 && results.every((result) => result.kind === 'skipped')) {
    messages.push(
      vaultMessage(
        vaultName,
        'no-catalog-notes',
        'No catalog notes in the vault, expected notes with a `## Privileges` section',
        undefined,
        'warning'
      )
    )
  }

  for (const result of results) {
    const service = result.service
    if (!service) continue
    const earlier = byPrefix.get(service.prefix)

    if (earlier) {
      messages.push(
        vaultMessage(
          result.path,
          'duplicate-prefix',
          `Unexpected prefix \`${service.prefix}\` again, expected each prefix in one note ` +
            `(also in \`${earlier.path}\`)`,
          result.prefixPlace
        )
      )
    } else {
      byPrefix.set(service.prefix, result)
    }
  }

  const services: Service[] = [...byPrefix.values()]
    .map((result) => result.service as Service)
    .sort((left, right) => byCodePoint(left.prefix, right.prefix))
    .map((service) => ({
      ...service,
      actions: [...service.actions].sort((left, right) => byCodePoint(left.name, right.name))
    }))

  return {catalog: {format: FORMAT, services}, messages}
}

function vaultMessage(
  path: string,
  ruleId: string,
  reason: string,
  place?: Position,
  severity: Severity = 'error'
): VaultMessage {
  return {
    path,
    severity,
    ruleId,
    reason,
    line: place?.start.line ?? null,
    column: place?.start.column ?? null,
    endLine: place?.end.line ?? null,
    endColumn: place?.end.column ?? null
  }
}
