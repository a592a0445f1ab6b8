/**
 * The layout of a catalog note, as the refresh sees it: the frontmatter, the preamble with the
 * H1 and the `- prefix:` item, and the `##` sections. The refresh owns some of these parts and
 * rewrites them; everything else is kept byte for byte.
 *
 * This is a scanner of lines rather than a markdown parser, so a refresh of hundreds of notes
 * takes a moment: it knows ATX headings and fenced code, which is all the generated parts use.
 * Within `## Privileges`, which is generated, a line the refresh would not write is a problem
 * rather than something to replace, so nothing anyone wrote there is lost.
 */
import type {Document} from 'yaml'
import {parseDocument} from 'yaml'

/** A `##` section: its folded title, and its lines from the heading on. */
export interface NoteSection {
  title: string
  lines: string[]
}

/** A catalog note the refresh can rewrite. */
export interface NoteLayout {
  frontmatter: Document
  /** The body lines before the first `##` heading. */
  preamble: string[]
  /** The index in `preamble` of the `- prefix:` item, and of the H1 (`-1` when there is none). */
  prefixLine: number
  titleLine: number
  prefix: string
  sections: NoteSection[]
}

/** What the scanner made of a note. */
export type LayoutResult =
  | {kind: 'catalog'; layout: NoteLayout}
  | {kind: 'other'}
  | {kind: 'problem'; prefix: string; reason: string; line: number}

const FRONTMATTER = /^---\r?\n([\s\S]*?\r?\n)?---(?:\r?\n|$)/
const PREFIX_ITEM = /^- prefix:[ \t]*(\S*)[ \t]*$/
const FENCE = /^[ \t]*(`{3,}|~{3,})/
// Text may hold U+2028 and U+2029, which `.` would not match without the `s` flag.
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+|$)(.*)$/s

/** The lines the refresh writes in `## Privileges`, outside the fenced blocks. */
const GENERATED_LINE = /^(?:### .*|- description:.*|- access level:.*|- resource types|[ \t]*)$/s

/**
 * Split `text` into the parts of a catalog note. A note is a catalog note when its frontmatter
 * is there and its preamble has a `- prefix:` item and it has a `## Privileges` section; any
 * other note is `other` and the refresh leaves it alone.
 */
export function scanNote(text: string): LayoutResult {
  const frontmatterMatch = FRONTMATTER.exec(text)
  const body = frontmatterMatch ? text.slice(frontmatterMatch[0].length) : text
  const lines = body.split('\n')
  const bodyStart = frontmatterMatch ? frontmatterMatch[0].split('\n').length - 1 : 0

  const preamble: string[] = []
  const sections: NoteSection[] = []
  let fence: string | undefined

  for (const line of lines) {
    const heading = fence === undefined ? HEADING.exec(line) : null
    fence = nextFence(fence, line)

    if (heading && heading[1]?.length === 2) {
      sections.push({title: foldTitle(heading[2] ?? ''), lines: [line]})
    } else {
      ;(sections.at(-1)?.lines ?? preamble).push(line)
    }
  }

  const prefixLine = preamble.findIndex((line) => PREFIX_ITEM.test(line))
  const privileges = sections.find((section) => section.title === 'privileges')
  if (prefixLine === -1 || !privileges) return {kind: 'other'}

  const prefix = PREFIX_ITEM.exec(preamble[prefixLine] ?? '')?.[1] ?? ''
  if (!frontmatterMatch) {
    return {kind: 'problem', prefix, reason: 'Missing frontmatter, expected a `---` block', line: 1}
  }

  const frontmatter = parseDocument(frontmatterMatch[1] ?? '', {uniqueKeys: true})
  if (frontmatter.errors.length > 0) {
    const problem = frontmatter.errors[0]?.message.split('\n')[0]
    return {kind: 'problem', prefix, reason: `Unexpected YAML in frontmatter: ${problem}`, line: 2}
  }

  const written = handWrittenLine(privileges)
  if (written !== undefined) {
    const at = bodyStart + 1 + preamble.length + linesBefore(sections, privileges) + written
    return {
      kind: 'problem',
      prefix,
      reason:
        'Unexpected hand-written line in `## Privileges`, which the refresh writes; move it to ' +
        'a section of its own, the note is left as it is',
      line: at
    }
  }

  const titleLine = preamble.findIndex((line) => /^ {0,3}# /.test(line))
  return {kind: 'catalog', layout: {frontmatter, preamble, prefixLine, titleLine, prefix, sections}}
}

/** The index in `section.lines` of the first line the refresh would not have written. */
function handWrittenLine(section: NoteSection): number | undefined {
  let fence: string | undefined

  for (const [index, line] of section.lines.entries()) {
    if (index === 0) continue
    const inside = fence !== undefined
    fence = nextFence(fence, line)
    if (!inside && fence === undefined && !GENERATED_LINE.test(line)) return index
  }

  return undefined
}

/** The fence open after `line`, given the fence open before it. */
function nextFence(open: string | undefined, line: string): string | undefined {
  const marker = FENCE.exec(line)?.[1]
  if (open === undefined) return marker
  // A fence closes with at least as many of the same character and nothing after them.
  const closes = marker !== undefined && marker[0] === open[0] && marker.length >= open.length
  return closes && line.trim() === marker ? undefined : open
}

function linesBefore(sections: NoteSection[], section: NoteSection): number {
  let count = 0
  for (const each of sections) {
    if (each === section) break
    count += each.lines.length
  }

  return count
}

/** Fold a heading for comparison as the compiler does: trimmed, lower case, single spaces. */
function foldTitle(text: string): string {
  return text
    .replace(/[ \t]+#+[ \t]*$/, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
}
