/**
 * The refresh: bring the notes of a vault up to date with the upstream IAM data. Every upstream
 * service gets one note; a note whose content would not change is not touched, a changed note
 * gets the upstream data date as `updated`, and the note of a service that left upstream is
 * removed. Nothing is written when the upstream data has errors.
 */
import {mkdir, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import type {NoteMessage} from './diagnostics.js'
import type {NoteLayout} from './note-layout.js'
import {scanNote} from './note-layout.js'
import {byCodePoint} from './read.js'
import type {UpstreamService} from './upstream.js'
import {locateUpstream, readUpstream} from './upstream.js'
import type {NoteSource} from './write-note.js'
import {newNoteLayout, renderNote} from './write-note.js'

/** Options of a refresh. */
export interface RefreshOptions {
  /** The vault folder to bring up to date; made when missing. */
  out: string
  /** The upstream package folder (or its `data/` folder); the installed package by default. */
  data?: string
}

/** A note removed because its service left upstream. */
export interface RemovedNote {
  path: string
  prefix: string
}

/** What a refresh did. */
export interface RefreshResult {
  /** False when the upstream data or a note had an error. */
  ok: boolean
  packageName: string
  version: string
  /** The upstream data date, ISO 8601. */
  updatedAt: string
  services: number
  actions: number
  /** Paths, relative to the vault, of the notes written new, rewritten, and removed. */
  added: string[]
  changed: string[]
  removed: RemovedNote[]
  unchanged: number
  /** Problems and notices, by upstream file (`data/actions/s3.json`) or note path. */
  messages: Map<string, NoteMessage[]>
}

/** A catalog note found in the vault. */
interface ExistingNote {
  path: string
  text: string
  layout: NoteLayout
}

/**
 * Refresh the vault in `options.out` from the upstream data.
 *
 * @throws When the upstream package cannot be found or read, or the vault cannot be written.
 */
export async function refresh(options: RefreshOptions): Promise<RefreshResult> {
  const upstream = await readUpstream(await locateUpstream(options.data))
  const messages = new Map(upstream.messages)
  const updatedAt = new Date(upstream.updatedAt).toISOString()
  const result: RefreshResult = {
    ok: true,
    packageName: upstream.packageName,
    version: upstream.version,
    updatedAt,
    services: upstream.services.length,
    actions: upstream.services.reduce((sum, service) => sum + service.actions.length, 0),
    added: [],
    changed: [],
    removed: [],
    unchanged: 0,
    messages
  }

  const upstreamFailed = [...messages.values()].flat().some((each) => each.severity === 'error')
  if (upstreamFailed) return {...result, ok: false}

  await mkdir(options.out, {recursive: true})
  const vault = await readExistingNotes(options.out, messages)
  const fileNames = newFileNames(upstream.services, vault)
  const source: NoteSource = {
    name: upstream.packageName,
    url: `https://www.npmjs.com/package/${upstream.packageName}`,
    license: upstream.license
  }

  for (const service of upstream.services) {
    if (vault.blocked.has(service.prefix)) continue
    const existing = vault.byPrefix.get(service.prefix)

    if (existing) {
      // A note that would read the same keeps its bytes, `updated` included.
      if (renderNote(existing.layout, service, source) === existing.text) {
        result.unchanged++
        continue
      }

      const text = renderNote(existing.layout, service, source, upstream.updatedAt)
      await writeFile(path.join(options.out, existing.path), text)
      result.changed.push(existing.path)
    } else {
      const fileName = fileNames.get(service.prefix) ?? `iam.${service.prefix}.md`
      const layout = newNoteLayout(service, upstream.updatedAt)
      await writeFile(path.join(options.out, fileName), renderNote(layout, service, source))
      result.added.push(fileName)
    }
  }

  const upstreamPrefixes = new Set(upstream.services.map((service) => service.prefix))
  for (const [prefix, note] of vault.byPrefix) {
    if (upstreamPrefixes.has(prefix) || vault.blocked.has(prefix)) continue
    await rm(path.join(options.out, note.path))
    result.removed.push({path: note.path, prefix})
  }

  const failed = [...messages.values()].flat().some((each) => each.severity === 'error')
  return {...result, ok: !failed}
}

/**
 * The slug of a service name, for its file name: lower case ASCII words joined by `-`, without
 * the `AWS` or `Amazon` in front (`Amazon S3` is `s3`), as the vault names its notes.
 */
export function slugOf(name: string): string {
  return name
    .replace(/^(?:AWS|Amazon)\s+/, '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

/** The catalog notes of the vault by prefix, the names taken, and prefixes not to touch. */
interface Vault {
  byPrefix: Map<string, ExistingNote>
  /** Every file name in the vault, in lower case, since some file systems ignore case. */
  taken: Set<string>
  /** Prefixes whose notes have problems: neither written, nor removed, nor made anew. */
  blocked: Set<string>
}

async function readExistingNotes(
  folder: string,
  messages: Map<string, NoteMessage[]>
): Promise<Vault> {
  const names = (await readdir(folder)).sort(byCodePoint)
  const vault: Vault = {byPrefix: new Map(), taken: new Set(), blocked: new Set()}

  for (const name of names) {
    vault.taken.add(name.toLowerCase())
    if (!name.endsWith('.md')) continue

    const text = await readFile(path.join(folder, name), 'utf8')
    const scanned = scanNote(text)
    if (scanned.kind === 'other') continue

    if (scanned.kind === 'problem') {
      addMessage(messages, name, scanned.reason, scanned.line)
      vault.blocked.add(scanned.prefix)
      continue
    }

    const prefix = scanned.layout.prefix
    const earlier = vault.byPrefix.get(prefix)
    if (earlier) {
      const reason =
        `Unexpected prefix \`${prefix}\` again (also in \`${earlier.path}\`), expected each ` +
        'prefix in one note; neither is refreshed'
      addMessage(messages, name, reason, null)
      vault.blocked.add(prefix)
    } else {
      vault.byPrefix.set(prefix, {path: name, text, layout: scanned.layout})
    }
  }

  return vault
}

/**
 * File names for the services that have no note yet: `iam.<slug>.md`. When the slug is taken by
 * a file of the vault or shared by several new services, each of those takes
 * `iam.<slug>-<prefix>.md` instead, so the name does not depend on which service came first.
 */
function newFileNames(services: UpstreamService[], vault: Vault): Map<string, string> {
  const newServices = services.filter(
    (service) => !vault.byPrefix.has(service.prefix) && !vault.blocked.has(service.prefix)
  )
  const slugs = new Map(
    newServices.map((service) => [service.prefix, slugOf(service.name) || service.prefix])
  )
  const sharing = new Map<string, number>()
  for (const slug of slugs.values()) sharing.set(slug, (sharing.get(slug) ?? 0) + 1)

  const names = new Map<string, string>()
  for (const service of newServices) {
    const slug = slugs.get(service.prefix) ?? service.prefix
    const shared = (sharing.get(slug) ?? 0) > 1 || vault.taken.has(`iam.${slug}.md`)
    const base = shared ? `${slug}-${service.prefix}` : slug
    let name = `iam.${base}.md`

    for (let count = 2; vault.taken.has(name); count++) name = `iam.${base}-${count}.md`
    vault.taken.add(name)
    names.set(service.prefix, name)
  }

  return names
}

function addMessage(
  messages: Map<string, NoteMessage[]>,
  file: string,
  reason: string,
  line: number | null
): void {
  const list = messages.get(file) ?? []
  list.push({
    severity: 'error',
    ruleId: 'refresh-note',
    reason,
    line,
    column: line === null ? null : 1,
    endLine: null,
    endColumn: null
  })
  messages.set(file, list)
}
