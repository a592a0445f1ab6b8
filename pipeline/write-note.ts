/**
 * The note writer of the refresh: one service becomes one note in the dialect of the vault
 * (frontmatter, H1, `- prefix:`, `## Table of Contents`, `## Privileges` with an `###` heading,
 * three items and a fenced JSON block per action). Text is escaped so that the compiler reads
 * back exactly what was written, and an existing note keeps everything the refresh does not own.
 *
 * The refresh owns the frontmatter keys `title`, `updated` and `sources`, the H1, the
 * `- prefix:` item and the body of `## Privileges`. It sets `id`, `created`, `desc`, `stub` and
 * `toc` only in a new note.
 */
import {stringify} from 'yaml'
import type {Action, ResourceType} from './model.js'
import type {NoteLayout} from './note-layout.js'
import {scanNote} from './note-layout.js'

/** The service a note is written for. */
export interface NoteService {
  prefix: string
  name: string
  actions: Action[]
}

/** Where the data came from, for the `sources` list of the frontmatter. */
export interface NoteSource {
  name: string
  url: string
  license: string
}

/** The options of the YAML writer: no folded lines, `''` quotes as Dendron writes them. */
const YAML_OPTIONS = {lineWidth: 0, singleQuote: true} as const

/**
 * Escape `text` so that, as the value of a list item or the text of a heading, markdown shows it
 * exactly. Only what would otherwise mean something is escaped, so notes stay readable:
 * backslashes, code and emphasis markers, brackets, `<`, `#`, `&` before what could be a
 * character reference, `_` unless inside a word, line breaks and tabs, and spaces at either end
 * (which markdown would trim).
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*[\]<#]/g, '\\$&')
    .replace(/&(?=[#A-Za-z0-9])/g, '\\&')
    .replace(/_+/g, (run: string, offset: number, whole: string) => {
      // A run of `_` between two letters or digits can neither open nor close emphasis.
      const afterWord = /[A-Za-z0-9]/.test(whole[offset - 1] ?? '')
      const beforeWord = /[A-Za-z0-9]/.test(whole[offset + run.length] ?? '')
      return afterWord && beforeWord ? run : run.replace(/_/g, '\\_')
    })
    .replace(/[\t\n\r]/g, (character) => `&#${character.charCodeAt(0)};`)
    .replace(/^ +| +$/g, (spaces) => '&#32;'.repeat(spaces.length))
}

/** The lines of one action, as the vault writes them. */
export function actionLines(action: Action): string[] {
  const actionEntry: ResourceType = {
    name: '',
    required: false,
    conditionKeys: action.conditionKeys,
    dependentActions: action.dependentActions
  }
  const entries = [...namedResourceTypes(action), actionEntry].map(
    (type) => `    ${JSON.stringify(type.name)}: ${entryJson(type)}`
  )
  const description = escapeMarkdown(action.description)

  return [
    `### ${escapeMarkdown(action.name)}`,
    description === '' ? '- description:' : `- description: ${description}`,
    `- access level: ${action.accessLevels.join(', ')}`,
    '- resource types',
    '```',
    '{',
    entries.join(',\n'),
    '}',
    '```'
  ]
}

/**
 * Write the note of `service` over the note that was there (`layout`), keeping `updated` as it
 * was unless `updated` is given.
 */
export function renderNote(
  layout: NoteLayout,
  service: NoteService,
  source: NoteSource,
  updated?: number
): string {
  const frontmatter = layout.frontmatter.clone()
  frontmatter.set('title', service.name)
  if (updated !== undefined) frontmatter.set('updated', updated)
  frontmatter.set('sources', frontmatter.createNode([source]))

  const preamble = [...layout.preamble]
  preamble[layout.prefixLine] = `- prefix: ${service.prefix}`
  if (layout.titleLine !== -1) preamble[layout.titleLine] = `# ${escapeMarkdown(service.name)}`

  const sections = layout.sections.map((section) =>
    section.title === 'privileges' ? privilegesLines(section.lines, service.actions) : section.lines
  )
  const body = [...preamble, ...sections.flat()].join('\n')
  return `---\n${frontmatter.toString(YAML_OPTIONS)}---\n${body}`
}

/**
 * The layout of a new note for `service`, created at `created` (epoch milliseconds): it has no
 * actions yet, and `renderNote` fills it in as it fills in any other.
 */
export function newNoteLayout(service: NoteService, created: number): NoteLayout {
  const frontmatter = {
    id: `iam-${service.prefix}`,
    title: service.name,
    desc: '',
    updated: created,
    created,
    stub: false,
    toc: true,
    sources: []
  }
  const body = [
    `# ${escapeMarkdown(service.name)}`,
    `- prefix: ${service.prefix}`,
    '',
    '## Table of Contents',
    '',
    '## Privileges',
    ''
  ]

  const result = scanNote(`---\n${stringify(frontmatter, YAML_OPTIONS)}---\n${body.join('\n')}`)
  if (result.kind !== 'catalog') throw new Error('Unexpected template of a new note, expected one')
  return result.layout
}

/** The section `## Privileges` with its actions written anew and its trailing blank lines kept. */
function privilegesLines(lines: string[], actions: Action[]): string[] {
  let end = lines.length
  while (end > 1 && (lines[end - 1] ?? '').trim() === '') end--
  return [lines[0] ?? '## Privileges', ...actions.flatMap(actionLines), ...lines.slice(end)]
}

/**
 * The named resource types of `action`. The compiler reads a block without any as the one
 * resource type `*`, so that one is written as no entry.
 *
 * @throws When `*` or `""` is one of several, or has keys: no block reads back as that.
 */
function namedResourceTypes(action: Action): ResourceType[] {
  const [first, ...others] = action.resourceTypes
  const isBareStar =
    first?.name === '*' &&
    !first.required &&
    first.conditionKeys.length === 0 &&
    first.dependentActions.length === 0
  if (isBareStar && others.length === 0) return []

  for (const type of action.resourceTypes) {
    if (type.name === '' || type.name === '*') {
      throw new Error(
        `Unexpected resource type \`${type.name}\` in action \`${action.name}\`, expected a ` +
          'named resource type, or `*` alone and without keys'
      )
    }
  }

  return action.resourceTypes
}

/** One entry of the JSON block, indented as the vault indents it. */
function entryJson(type: ResourceType): string {
  const entry = {
    resource_type: type.name,
    required: type.required,
    condition_keys: type.conditionKeys,
    dependent_actions: type.dependentActions
  }
  return JSON.stringify(entry, null, 4).replace(/\n/g, '\n    ')
}
