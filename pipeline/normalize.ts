/**
 * Normalize stage: the tree of one catalog note becomes a `Service`. Every dialect Dendron has
 * written (tight or loose lists, a table of contents or none, keys in any order) gives the same
 * service; whatever cannot be used is reported with its place, never dropped in silence.
 */
import type {Code, Heading, List, ListItem, Paragraph, Root, RootContent} from 'mdast'
import {toString} from 'mdast-util-to-string'
import type {Point, Position} from 'unist'
import type {VFile} from 'vfile'
import {report} from './diagnostics.js'
import type {AccessLevel, Action, NoteInfo, ResourceType, Service} from './model.js'
import {ACCESS_LEVELS} from './model.js'
import type {ParsedNote} from './parse.js'
import {parseResourceTypes} from './resource-types.js'

/** Sections of a catalog note whose content is generated navigation, not data. */
const NAVIGATION_SECTIONS = new Set(['summary', 'table of contents'])

/** The list items an action may have, by their label. */
const ACTION_ITEMS = new Set(['description', 'access level', 'resource types'])

/** Access levels by their name folded for matching: lower case, no spaces, hyphens or `_`. */
const ACCESS_LEVEL_BY_KEY = new Map<string, AccessLevel>(
  ACCESS_LEVELS.map((level) => [foldName(level), level])
)

/** What the normalize stage made of a note. */
export type NormalizeResult =
  | {kind: 'service'; service: Service; prefixPlace: Point | undefined}
  | {kind: 'skipped'; reason: string}
  | {kind: 'failed'}

/** The name and file facts of a note, which the read stage knows and the tree does not. */
export interface NoteLocation {
  /** The path of the note, relative to the vault, with `/` separators. */
  path: string
  /** The Dendron file name: the base name without `.md`. */
  fname: string
}

/**
 * Turn a parsed note into a service, or say why it is not a catalog note.
 *
 * A note is a catalog note when it has a `## Privileges` section; others (hierarchy roots,
 * guides) are skipped with an info message.
 */
export function normalizeNote(
  file: VFile,
  location: NoteLocation,
  parsed: ParsedNote
): NormalizeResult {
  const sections = splitSections(parsed.tree)
  const privileges = sections.find((section) => section.title === 'privileges')

  if (!privileges) {
    const reason = 'Not a catalog note: no `## Privileges` section'
    report(file, 'info', 'not-a-catalog-note', reason)
    return {kind: 'skipped', reason}
  }

  if (!parsed.frontmatter) {
    if (!parsed.frontmatterNode) {
      report(
        file,
        'error',
        'frontmatter-missing',
        'Missing frontmatter, expected a `---` block with `id` and `title` at the top'
      )
    }

    return {kind: 'failed'}
  }

  const errorsBefore = countErrors(file)
  const note = noteInfo(file, location, parsed)
  const prefixItem = findPrefixItem(file, sections)
  const prefix = prefixItem?.prefix
  const name = serviceName(file, parsed)
  const actions = privilegesToActions(file, privileges)

  for (const section of sections) {
    if (section === privileges || section.title === undefined) continue
    if (NAVIGATION_SECTIONS.has(section.title)) continue
    report(
      file,
      'warning',
      'unknown-section',
      `Unexpected section \`${toString(section.heading)}\`, ` +
        'expected `Summary`, `Table of Contents` or `Privileges`; its content is not compiled',
      section.heading?.position
    )
  }

  if (prefix === undefined || name === undefined || countErrors(file) > errorsBefore) {
    return {kind: 'failed'}
  }

  const prefixPlace = prefixItem?.item.position?.start
  return {kind: 'service', service: {prefix, name, note, actions}, prefixPlace}
}

/** A level-2 section of a note: its heading (none for what comes before the first) and body. */
interface Section {
  title: string | undefined
  heading: Heading | undefined
  nodes: RootContent[]
}

/** Split the top level of the tree at its `##` headings. */
function splitSections(tree: Root): Section[] {
  const sections: Section[] = [{title: undefined, heading: undefined, nodes: []}]

  for (const node of tree.children) {
    if (node.type === 'heading' && node.depth === 2) {
      sections.push({title: foldTitle(toString(node)), heading: node, nodes: []})
    } else if (node.type !== 'yaml') {
      sections.at(-1)?.nodes.push(node)
    }
  }

  return sections
}

/** Read the frontmatter fields that describe the note itself. */
function noteInfo(file: VFile, location: NoteLocation, parsed: ParsedNote): NoteInfo {
  const data = parsed.frontmatter ?? {}
  const place = parsed.frontmatterNode?.position

  const id = stringField(file, data, 'id', place)
  const desc = typeof data.desc === 'string' ? data.desc : ''
  const sources = Array.isArray(data.sources) ? data.sources : []
  const lastDot = location.fname.lastIndexOf('.')

  return {
    id: id ?? '',
    fname: location.fname,
    path: location.path,
    parent: lastDot === -1 ? null : location.fname.slice(0, lastDot),
    desc,
    created: timestampField(file, data, 'created', place),
    updated: timestampField(file, data, 'updated', place),
    sources
  }
}

/** The service name: the `title` of the frontmatter. */
function serviceName(file: VFile, parsed: ParsedNote): string | undefined {
  const place = parsed.frontmatterNode?.position
  return stringField(file, parsed.frontmatter ?? {}, 'title', place)
}

/** A required text field of the frontmatter; numbers (as YAML reads some ids) become text. */
function stringField(
  file: VFile,
  data: Record<string, unknown>,
  key: string,
  place: Position | undefined
): string | undefined {
  const value = data[key]
  if (typeof value === 'string' && value.trim() !== '') return value
  if (typeof value === 'number') return String(value)

  report(
    file,
    'error',
    `frontmatter-${key}`,
    value === undefined
      ? `Missing \`${key}\` in frontmatter, expected a non-empty string`
      : `Unexpected \`${key}\` ${describe(value)} in frontmatter, expected a non-empty string`,
    place
  )
  return undefined
}

/**
 * A Dendron timestamp: epoch milliseconds as a number or a string, where `0` means unknown.
 * Returns ISO-8601 UTC, or `null` when unknown.
 */
function timestampField(
  file: VFile,
  data: Record<string, unknown>,
  key: string,
  place: Position | undefined
): string | null {
  const value = data[key]
  if (value === undefined || value === null || value === '') return null

  const millis = typeof value === 'number' ? value : Number(String(value).trim())
  const date = new Date(millis)

  if (!Number.isInteger(millis) || Number.isNaN(date.getTime())) {
    report(
      file,
      'warning',
      'frontmatter-timestamp',
      `Unexpected \`${key}\` ${describe(value)}, expected epoch milliseconds; stored as unknown`,
      place
    )
    return null
  }

  return millis === 0 ? null : date.toISOString()
}

/** Find the `- prefix: <prefix>` item before the `## Privileges` section. */
function findPrefixItem(
  file: VFile,
  sections: Section[]
): {prefix: string; item: ListItem} | undefined {
  for (const section of sections) {
    if (section.title === 'privileges') break

    for (const item of listItems(section.nodes)) {
      const labelled = labelledItem(file, item)
      if (labelled?.label !== 'prefix') continue

      if (/^[a-z0-9][a-z0-9-]*$/.test(labelled.value)) return {prefix: labelled.value, item}
      report(
        file,
        'error',
        'prefix-malformed',
        `Unexpected prefix \`${labelled.value}\`, expected lower case letters, digits and ` +
          '`-`, such as `s3` or `access-analyzer`',
        item.position
      )
      return undefined
    }
  }

  report(
    file,
    'error',
    'prefix-missing',
    'Missing `- prefix: <prefix>` item, expected one before `## Privileges`'
  )
  return undefined
}

/** Turn the body of the `## Privileges` section into actions, one per `###` heading. */
function privilegesToActions(file: VFile, privileges: Section): Action[] {
  const actions: Action[] = []
  const seen = new Map<string, Heading>()
  let current: {heading: Heading; nodes: RootContent[]} | undefined

  const finish = () => {
    if (!current) return
    const action = toAction(file, current.heading, current.nodes)
    if (action) actions.push(action)
  }

  for (const node of privileges.nodes) {
    if (node.type === 'heading' && node.depth === 3) {
      finish()
      current = {heading: node, nodes: []}
      const name = toString(node).trim()
      const earlier = seen.get(name.toLowerCase())

      if (earlier) {
        report(
          file,
          'error',
          'duplicate-action',
          `Unexpected duplicate action \`${name}\`, expected each action once ` +
            `(first at line ${earlier.position?.start.line})`,
          node.position
        )
      } else {
        seen.set(name.toLowerCase(), node)
      }
    } else if (current) {
      current.nodes.push(node)
    } else {
      report(
        file,
        'warning',
        'unexpected-content',
        `Unexpected ${node.type} before the first action, expected a \`###\` action heading`,
        node.position
      )
    }
  }

  finish()

  if (actions.length === 0 && !current) {
    report(
      file,
      'error',
      'privileges-empty',
      'Unexpected empty `## Privileges` section, expected `###` action headings',
      privileges.heading?.position
    )
  }

  return actions
}

/** Turn one `###` heading and what follows it into an action, or report why it cannot. */
function toAction(file: VFile, heading: Heading, nodes: RootContent[]): Action | undefined {
  const name = toString(heading).trim()
  let description: string | undefined
  let accessLevels: AccessLevel[] | undefined
  let accessLevelWritten = false
  let resourceTypesCode: Code | undefined
  let resourceTypesItem: ListItem | undefined

  for (const item of listItems(nodes)) {
    const labelled = labelledItem(file, item)
    const label = labelled?.label ?? ''

    if (!labelled || !ACTION_ITEMS.has(label)) {
      report(
        file,
        'warning',
        'unknown-item',
        `Unexpected item \`${toString(item).split('\n')[0]}\` in action \`${name}\`, expected ` +
          '`description`, `access level` or `resource types`; it is not compiled',
        item.position
      )
    } else if (label === 'description') {
      description = labelled.value
    } else if (label === 'access level') {
      accessLevelWritten = true
      accessLevels = toAccessLevels(file, labelled.value, item)
    } else {
      resourceTypesItem = item
      resourceTypesCode = item.children.find((child): child is Code => child.type === 'code')
    }
  }

  resourceTypesCode ??= nodes.find((node): node is Code => node.type === 'code')

  if (description === undefined) {
    missing(file, 'description', name, heading)
  }

  if (!accessLevelWritten) {
    missing(file, 'access level', name, heading)
  }

  if (!resourceTypesCode) {
    missing(file, 'resource types', name, heading, resourceTypesItem)
    return undefined
  }

  const parsed = parseResourceTypes(file, resourceTypesCode, name)
  if (description === undefined || accessLevels === undefined || !parsed) return undefined

  const resourceTypes: ResourceType[] =
    parsed.resourceTypes.length > 0
      ? parsed.resourceTypes
      : [{name: '*', required: false, conditionKeys: [], dependentActions: []}]

  return {
    name,
    description,
    accessLevels,
    resourceTypes,
    conditionKeys: parsed.conditionKeys,
    dependentActions: parsed.dependentActions
  }
}

/** Report a missing part of an action at its heading (or at the item that lacks it). */
function missing(
  file: VFile,
  what: string,
  action: string,
  heading: Heading,
  item?: ListItem
): void {
  report(
    file,
    'error',
    `${what.replace(' ', '-')}-missing`,
    what === 'resource types'
      ? `Missing resource types block in action \`${action}\`, expected a fenced JSON block ` +
          'after `- resource types`'
      : `Missing \`- ${what}:\` item in action \`${action}\``,
    (item ?? heading).position
  )
}

/**
 * Parse an access level such as `Write` or a compound one such as `Tagging, Write`, matching the
 * canonical names without regard to case, spaces or hyphens. The result is sorted and distinct.
 */
function toAccessLevels(file: VFile, text: string, item: ListItem): AccessLevel[] | undefined {
  const levels = new Set<AccessLevel>()

  for (const part of text.split(',')) {
    const level = ACCESS_LEVEL_BY_KEY.get(foldName(part))
    if (level) {
      levels.add(level)
      continue
    }

    report(
      file,
      'error',
      'access-level-unknown',
      `Unexpected access level \`${part.trim()}\`, expected one of ` +
        ACCESS_LEVELS.map((name) => `\`${name}\``).join(', '),
      item.position
    )
    return undefined
  }

  return [...levels].sort()
}

/** The list items among `nodes`, in order (list items of nested lists are not included). */
function listItems(nodes: RootContent[]): ListItem[] {
  return nodes.filter((node): node is List => node.type === 'list').flatMap((list) => list.children)
}

/**
 * Read a list item written `label: value` (or a bare `label`), with the value as the plain text
 * the markdown displays: escapes resolved, links and emphasis reduced to their text.
 *
 * The spaces and tabs written after the colon separate the label from the value and are dropped;
 * a space written as a character reference (`&#32;`) is part of the value, so a value that starts
 * with a space can be written at all.
 */
function labelledItem(file: VFile, item: ListItem): {label: string; value: string} | undefined {
  const paragraph = item.children.find((child): child is Paragraph => child.type === 'paragraph')
  if (!paragraph) return undefined

  const text = toString(paragraph)
  const colon = text.indexOf(':')
  const label = foldTitle(colon === -1 ? text : text.slice(0, colon))
  if (colon === -1) return {label, value: ''}

  const afterColon = text.slice(colon + 1)
  const start = paragraph.position?.start.offset
  const end = paragraph.position?.end.offset
  const source = start === undefined || file.value === undefined ? undefined : String(file.value)
  // Labels are plain words, so the first colon of the source is the colon of the label.
  const written = source?.slice(start, end).match(/^[^:]*:([ \t]*)/)?.[1]
  const separator = written?.length ?? /^[ \t]*/.exec(afterColon)?.[0].length ?? 0
  return {label, value: afterColon.slice(separator)}
}

function countErrors(file: VFile): number {
  return file.messages.filter((message) => message.fatal).length
}

/** Fold a heading or label for comparison: trimmed, lower case, single spaces. */
function foldTitle(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, ' ')
}

/** Fold an access level name: lower case without spaces, hyphens or underscores. */
function foldName(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, '')
}

/** Describe a value found where another was expected, for messages. */
export function describe(value: unknown): string {
  if (value === null) return '`null`'
  if (Array.isArray(value)) return 'list'
  if (typeof value === 'object') return 'mapping'
  return `\`${String(value)}\` (${typeof value})`
}
