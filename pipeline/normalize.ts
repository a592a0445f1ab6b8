/**
 * Normalize stage: the tree of one catalog note becomes a `Service`. Every dialect Dendron has
 * written (tight or loose lists, a table of contents or none, keys in any order) gives the same
 * service; whatever cannot be used is reported with its place, never dropped in silence.
 */
import type {Code, Heading, List, ListItem, Nodes, Paragraph, Root, RootContent, Text} from 'mdast'
import {toString} from 'mdast-util-to-string'
import type {Point, Position} from 'unist'
import type {VFile} from 'vfile'
import type {VFileMessage} from 'vfile-message'
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
  | {
      kind: 'service'
      service: Service
      prefixPlace: Position | undefined
      /** Actions left out of `service` because they have errors. */
      skippedActions: SkippedAction[]
    }
  | {kind: 'skipped'; reason: string}
  | {kind: 'failed'}

/**
 * An action that has errors and is left out of its service. The note fails because of it
 * unless the build keeps going, in which case the service is compiled without it.
 */
export interface SkippedAction {
  name: string
  place: Point | undefined
  /** The errors that made the action unusable, as reported on the file. */
  errors: VFileMessage[]
}

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
  checkStub(file, parsed)

  if (!privileges) {
    const reason = 'Not a catalog note: no `## Privileges` section'
    report(file, 'info', 'not-a-catalog-note', reason)
    return {kind: 'skipped', reason}
  }

  if (!parsed.frontmatter) {
    // An unclosed frontmatter has been reported already, as what it is.
    const unclosed = file.messages.some((message) => message.ruleId === 'frontmatter-unclosed')
    if (!parsed.frontmatterNode && !unclosed) {
      report(
        file,
        'error',
        'frontmatter-missing',
        'Missing frontmatter, expected a `---` block with `id` and `title` at the top',
        {line: 1, column: 1}
      )
    }

    return {kind: 'failed'}
  }

  const errorsBefore = countErrors(file)
  const note = noteInfo(file, location, parsed)
  const prefixItem = findPrefixItem(file, sections, privileges)
  const prefix = prefixItem?.prefix
  const name = serviceName(file, parsed)
  checkHead(file, sections[0])
  const misplaced = takeMisplacedActions(file, sections, privileges)
  const repeated = checkRepeatedPrivileges(file, sections, privileges)
  // Errors so far concern the note as a whole; those of one action only make that action skip.
  const noteErrors = countErrors(file) - errorsBefore
  const {actions, skippedActions} = privilegesToActions(file, privileges)

  for (const section of sections) {
    if (section === privileges || section.title === undefined) continue
    if (NAVIGATION_SECTIONS.has(section.title) || misplaced.has(section)) continue
    if (repeated.has(section)) continue
    report(
      file,
      'warning',
      'unknown-section',
      `Unexpected section \`${toString(section.heading)}\`, ` +
        'expected `Summary`, `Table of Contents` or `Privileges`; its content is not compiled',
      section.heading?.position
    )
  }

  // A note none of whose actions compiled has nothing to give, even when the build keeps going.
  if (prefix === undefined || name === undefined || noteErrors > 0 || actions.length === 0) {
    return {kind: 'failed'}
  }

  const prefixPlace = prefixItem?.item.position
  return {kind: 'service', service: {prefix, name, note, actions}, prefixPlace, skippedActions}
}

/** A level-2 section of a note: its heading (none for what comes before the first) and body. */
interface Section {
  title: string | undefined
  heading: Heading | undefined
  nodes: RootContent[]
}

/**
 * A `stub: true` note is a placeholder Dendron made for a level of the hierarchy, so content in
 * it means the frontmatter is out of date. The content is still compiled.
 */
function checkStub(file: VFile, parsed: ParsedNote): void {
  if (parsed.frontmatter?.stub !== true) return
  const content = parsed.tree.children.filter((node) => node.type !== 'yaml')
  if (content.length === 0) return

  report(
    file,
    'warning',
    'stub-with-content',
    'Unexpected content in a note marked `stub: true`, expected an empty stub; the content is ' +
      'compiled, so remove `stub: true`',
    parsed.frontmatterPlaces.get('stub')
  )
}

/**
 * Check what comes before the first `##` heading: the `#` title and the list with the prefix.
 * Anything else there is reported, as it is not compiled.
 */
function checkHead(file: VFile, head: Section | undefined): void {
  for (const node of head?.nodes ?? []) {
    if (node.type === 'heading' && node.depth === 1) continue

    if (node.type !== 'list') {
      unexpectedContent(file, node, 'before `## Privileges`', 'the `#` title and `- prefix:`')
      continue
    }

    for (const item of node.children) {
      if (labelledItem(file, item)?.label === 'prefix') continue
      report(
        file,
        'warning',
        'unknown-item',
        `Unexpected item \`${firstLine(item)}\` before \`## Privileges\`, expected ` +
          '`- prefix: <prefix>`; it is not compiled',
        item.position
      )
    }
  }
}

/**
 * Find `##` sections after `## Privileges` that are actions written one level too high (they
 * have `- description` or `- access level` items), and move them into the privileges, where
 * their heading level is reported. Returns the sections moved.
 */
function takeMisplacedActions(file: VFile, sections: Section[], privileges: Section): Set<Section> {
  const misplaced = new Set<Section>()
  for (const section of sections.slice(sections.indexOf(privileges) + 1)) {
    const looksLikeAction = listItems(section.nodes).some((item) => {
      const label = labelledItem(file, item)?.label
      return label === 'description' || label === 'access level'
    })
    if (!looksLikeAction || !section.heading || section.title === 'privileges') continue

    privileges.nodes.push(section.heading, ...section.nodes)
    misplaced.add(section)
  }

  return misplaced
}

/**
 * A second `## Privileges` section is an error on the note rather than an unknown section: its
 * actions look like catalog data, and compiling only the first section would lose them.
 */
function checkRepeatedPrivileges(
  file: VFile,
  sections: Section[],
  privileges: Section
): Set<Section> {
  const repeated = new Set(
    sections.filter((section) => section.title === 'privileges' && section !== privileges)
  )

  for (const section of repeated) {
    report(
      file,
      'error',
      'privileges-repeated',
      'Unexpected second `## Privileges` section, expected one; move its actions under the first',
      section.heading?.position
    )
  }

  return repeated
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
  const id = stringField(file, data, 'id', placeOfKey(parsed, 'id'))
  const desc = typeof data.desc === 'string' ? data.desc : ''
  const sources = Array.isArray(data.sources) ? data.sources : []
  const lastDot = location.fname.lastIndexOf('.')

  return {
    id: id ?? '',
    fname: location.fname,
    path: location.path,
    parent: lastDot === -1 ? null : location.fname.slice(0, lastDot),
    desc,
    created: timestampField(file, data, 'created', placeOfKey(parsed, 'created')),
    updated: timestampField(file, data, 'updated', placeOfKey(parsed, 'updated')),
    sources
  }
}

/** The service name: the `title` of the frontmatter. */
function serviceName(file: VFile, parsed: ParsedNote): string | undefined {
  return stringField(file, parsed.frontmatter ?? {}, 'title', placeOfKey(parsed, 'title'))
}

/** Where a frontmatter key is written, or the whole frontmatter block when it is not. */
function placeOfKey(parsed: ParsedNote, key: string): Position | undefined {
  return parsed.frontmatterPlaces.get(key) ?? parsed.frontmatterNode?.position
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

  const found =
    value === undefined
      ? `Missing \`${key}\``
      : typeof value === 'string'
        ? `Unexpected empty \`${key}\``
        : `Unexpected \`${key}\` ${describe(value)}`
  report(
    file,
    'error',
    `frontmatter-${key}`,
    `${found} in frontmatter, expected a non-empty string`,
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

/** Find the one `- prefix: <prefix>` item before the `## Privileges` section. */
function findPrefixItem(
  file: VFile,
  sections: Section[],
  privileges: Section
): {prefix: string; item: ListItem} | undefined {
  const head = sections.slice(0, sections.indexOf(privileges))
  const items = listItems(head.flatMap((section) => section.nodes)).filter(
    (item) => labelledItem(file, item)?.label === 'prefix'
  )
  const [item, ...others] = items

  if (!item) {
    report(
      file,
      'error',
      'prefix-missing',
      'Missing `- prefix: <prefix>` item, expected one before `## Privileges`',
      privileges.heading?.position
    )
    return undefined
  }

  for (const other of others) {
    report(
      file,
      'error',
      'prefix-repeated',
      `Unexpected second \`- prefix:\` item, expected one (first at line ` +
        `${item.position?.start.line})`,
      other.position
    )
  }

  const prefix = labelledItem(file, item)?.value ?? ''
  if (/^[a-z0-9][a-z0-9-]*$/.test(prefix)) return others.length > 0 ? undefined : {prefix, item}

  report(
    file,
    'error',
    'prefix-malformed',
    `Unexpected prefix \`${prefix}\`, expected lower case letters, digits and ` +
      '`-`, such as `s3` or `access-analyzer`',
    item.position
  )
  return undefined
}

/**
 * Turn the body of the `## Privileges` section into actions, one per `###` heading. An action
 * with an error (a duplicate included) is not among `actions` but among `skippedActions`, with
 * the errors that concern it.
 */
function privilegesToActions(
  file: VFile,
  privileges: Section
): {actions: Action[]; skippedActions: SkippedAction[]} {
  const actions: Action[] = []
  const skippedActions: SkippedAction[] = []
  const seen = new Map<string, Heading>()
  let current: {heading: Heading; nodes: RootContent[]; firstMessage: number} | undefined

  const finish = () => {
    if (!current) return
    const action = toAction(file, current.heading, current.nodes)
    const errors = file.messages.slice(current.firstMessage).filter((message) => message.fatal)

    if (action && errors.length === 0) {
      actions.push(action)
    } else {
      const name = toString(current.heading).trim()
      skippedActions.push({name, place: current.heading.position?.start, errors})
    }
  }

  for (const node of privileges.nodes) {
    if (node.type === 'heading') {
      // An action one level off is still read as an action, so its items are not taken for
      // those of the action before it.
      if (node.depth !== 3) {
        report(
          file,
          'error',
          'heading-level',
          `Unexpected \`${'#'.repeat(node.depth)}\` heading for action ` +
            `\`${toString(node).trim()}\`, expected \`###\``,
          node.position
        )
      }

      finish()
      current = {heading: node, nodes: [], firstMessage: file.messages.length}
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
      unexpectedContent(file, node, 'before the first action', 'a `###` action heading')
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

  return {actions, skippedActions}
}

/** Turn one `###` heading and what follows it into an action, or report why it cannot. */
function toAction(file: VFile, heading: Heading, nodes: RootContent[]): Action | undefined {
  const name = toString(heading).trim()
  let description: string | undefined
  let accessLevels: AccessLevel[] | undefined
  let accessLevelWritten = false
  let resourceTypesCode: Code | undefined
  let resourceTypesItem: ListItem | undefined
  const itemsByLabel = new Map<string, ListItem>()

  for (const item of listItems(nodes)) {
    const labelled = labelledItem(file, item)
    const label = labelled?.label ?? ''
    const earlier = itemsByLabel.get(label)

    if (!labelled || !ACTION_ITEMS.has(label)) {
      report(
        file,
        'warning',
        'unknown-item',
        `Unexpected item \`${firstLine(item)}\` in action \`${name}\`, expected ` +
          '`description`, `access level` or `resource types`; it is not compiled',
        item.position
      )
    } else if (earlier) {
      report(
        file,
        'error',
        'item-repeated',
        `Unexpected second \`- ${label}\` item in action \`${name}\`, expected one ` +
          `(first at line ${earlier.position?.start.line})`,
        item.position
      )
    } else if (label === 'description') {
      itemsByLabel.set(label, item)
      description = labelled.value
    } else if (label === 'access level') {
      itemsByLabel.set(label, item)
      accessLevelWritten = true
      accessLevels = toAccessLevels(file, labelled.value, item, name)
    } else {
      itemsByLabel.set(label, item)
      resourceTypesItem = item
      resourceTypesCode = item.children.find((child): child is Code => child.type === 'code')
    }
  }

  resourceTypesCode ??= nodes.find((node): node is Code => node.type === 'code')

  for (const node of nodes) {
    if (node.type === 'list' || node === resourceTypesCode) continue
    unexpectedContent(file, node, `in action \`${name}\``, 'its items and one JSON block')
  }

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
      : `Missing \`- ${what}:\` item in action \`${action}\`, expected one under its heading`,
    (item ?? heading).position
  )
}

/**
 * Parse an access level such as `Write` or a compound one such as `Tagging, Write`, matching the
 * canonical names without regard to case, spaces or hyphens. The result is sorted and distinct.
 */
function toAccessLevels(
  file: VFile,
  text: string,
  item: ListItem,
  action: string
): AccessLevel[] | undefined {
  const levels = new Set<AccessLevel>()
  const expected = ACCESS_LEVELS.map((name) => `\`${name}\``).join(', ')

  if (text.trim() === '') {
    report(
      file,
      'error',
      'access-level-missing',
      `Missing value of \`- access level:\` in action \`${action}\`, expected one of ${expected}`,
      item.position
    )
    return undefined
  }

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
      `Unexpected access level \`${part.trim()}\` in action \`${action}\`, expected one of ` +
        expected,
      item.position
    )
    return undefined
  }

  return [...levels].sort()
}

/** Report content the compiler does not read, naming it, so nothing is dropped in silence. */
function unexpectedContent(file: VFile, node: RootContent, where: string, expected: string): void {
  const found =
    node.type === 'heading'
      ? `\`${'#'.repeat(node.depth)}\` heading \`${toString(node).trim()}\``
      : node.type === 'code'
        ? 'second code block'
        : `${node.type} \`${firstLine(node)}\``
  report(
    file,
    'warning',
    'unexpected-content',
    `Unexpected ${found} ${where}, expected ${expected}; it is not compiled`,
    node.position
  )
}

/** The first line of the text of `node`, shortened, to name it in a message. */
function firstLine(node: RootContent): string {
  const line = toString(node).trim().split('\n')[0] ?? ''
  return line.length > 40 ? `${line.slice(0, 39)}…` : line
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

  const source = file.value === undefined ? undefined : String(file.value)
  const text = displayedText(paragraph, source)
  const colon = text.indexOf(':')
  const label = foldTitle(colon === -1 ? text : text.slice(0, colon))
  if (colon === -1) return {label, value: ''}

  const afterColon = text.slice(colon + 1)
  const start = paragraph.position?.start.offset
  const end = paragraph.position?.end.offset
  // Labels are plain words, so the first colon of the source is the colon of the label.
  const written =
    start === undefined ? undefined : source?.slice(start, end).match(/^[^:]*:([ \t]*)/)?.[1]
  const separator = written?.length ?? /^[ \t]*/.exec(afterColon)?.[0].length ?? 0
  return {label, value: afterColon.slice(separator)}
}

/**
 * The plain text markdown displays: a line break inside a paragraph shows as a space and a hard
 * break (`\` or two spaces at the end of a line) as a new line, where `toString` would keep
 * the first as written and drop the second, gluing two words together. A new line written as a
 * character reference (`&#10;`) is text, not a line break, and is kept: it is how a description
 * with a new line in it is written at all.
 */
function displayedText(node: Nodes, source: string | undefined): string {
  if (node.type === 'break') return '\n'
  if (node.type === 'text') return textWithoutSoftBreaks(node, source)
  if ('children' in node) return node.children.map((child) => displayedText(child, source)).join('')
  return toString(node)
}

/** Where a `\n` of a text node comes from in the source: a line ending or a reference. */
const NEW_LINE_SOURCES = /\\[\s\S]|(&#0*10;|&#[xX]0*[aA];|&NewLine;)|(\n)/g

/**
 * The value of a text node with each soft line break (a line ending in the source) read as one
 * space. The node's value cannot tell the two kinds of `\n` apart, so its source is scanned for
 * them in order; backslash escapes are passed over, as they make neither.
 */
function textWithoutSoftBreaks(node: Text, source: string | undefined): string {
  const pieces = node.value.split('\n')
  if (pieces.length === 1) return node.value

  const start = node.position?.start.offset
  const end = node.position?.end.offset
  const kinds: ('soft' | 'reference')[] = []
  if (source !== undefined && start !== undefined && end !== undefined) {
    for (const match of source.slice(start, end).matchAll(NEW_LINE_SOURCES)) {
      if (match[1]) kinds.push('reference')
      else if (match[2]) kinds.push('soft')
    }
  }

  // Without a source that accounts for every new line, a new line is taken as a soft break.
  const known = kinds.length === pieces.length - 1
  let text = pieces[0] ?? ''
  for (let index = 1; index < pieces.length; index++) {
    const soft = !known || kinds[index - 1] === 'soft'
    text = soft
      ? text.replace(/[ \t]+$/, '') + ' ' + (pieces[index] ?? '').replace(/^[ \t]+/, '')
      : text + '\n' + (pieces[index] ?? '')
  }

  return text
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
