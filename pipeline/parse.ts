/**
 * Parse stage: the bytes of one note become an mdast tree and its frontmatter data. The
 * frontmatter is YAML; its errors are mapped from the YAML block back to lines of the note.
 */
import type {Root, Yaml} from 'mdast'
import type {Point, Position} from 'unist'
import type {VFile} from 'vfile'
import type {Document, Scalar} from 'yaml'
import {isMap, isNode, isScalar, LineCounter, parseDocument} from 'yaml'
import {report} from './diagnostics.js'
import {parseMarkdown} from './parse-markdown.js'

/** The most YAML aliases a note may expand; more is an alias bomb, not a note. */
const MAX_YAML_ALIASES = 100

/** A note, parsed: the tree, and the frontmatter (`undefined` when it has none or it broke). */
export interface ParsedNote {
  tree: Root
  frontmatter: Record<string, unknown> | undefined
  frontmatterNode: Yaml | undefined
  /** Where each top-level frontmatter key is written, from its key to the end of its value. */
  frontmatterPlaces: Map<string, Position>
}

/**
 * Decode the bytes of a note as UTF-8 (a BOM is dropped), or report why they are not. Line
 * endings become `\n`, so that a value spanning lines is the same in a CRLF note; lines and
 * columns stay as they were, since only the end of each line changes.
 *
 * @returns The text, or `undefined` when the bytes are not UTF-8.
 */
export function decodeNote(file: VFile, bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', {fatal: true}).decode(bytes).replace(/\r\n?/g, '\n')
  } catch {
    const {point, byte} = firstInvalidByte(bytes)
    const hex = byte.toString(16).toUpperCase().padStart(2, '0')
    report(
      file,
      'error',
      'not-utf8',
      `Unexpected byte \`0x${hex}\` that is not UTF-8, expected a UTF-8 note`,
      point
    )
    return undefined
  }
}

/**
 * Find the first byte that is not UTF-8. Up to that byte a lenient decoder gives exactly the
 * characters of the bytes, so counting their encoded lengths walks the bytes in step; the first
 * replacement character that the bytes do not spell out is where the note stops being UTF-8.
 */
function firstInvalidByte(bytes: Uint8Array): {point: Point; byte: number} {
  const text = new TextDecoder('utf-8').decode(bytes)
  let offset = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
  let line = 1
  let column = 1

  for (const character of text) {
    const code = character.codePointAt(0) ?? 0
    const spelled = bytes[offset] === 0xef && bytes[offset + 1] === 0xbf
    if (code === 0xfffd && !(spelled && bytes[offset + 2] === 0xbd)) break

    offset += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4
    if (character === '\n') {
      line++
      column = 1
    } else {
      column += character.length
    }
  }

  return {point: {line, column}, byte: bytes[offset] ?? 0}
}

/** Parse the markdown and frontmatter of `text`, reporting broken YAML on `file`. */
export function parseNote(file: VFile, text: string): ParsedNote {
  const tree = parseMarkdown(text)
  const frontmatterNode = tree.children[0]?.type === 'yaml' ? tree.children[0] : undefined
  const frontmatterPlaces = new Map<string, Position>()

  // An opening `---` that is never closed is not frontmatter to remark: say so, rather than let
  // the note read as having none.
  if (!frontmatterNode && /^---[ \t]*\r?(\n|$)/.test(text)) {
    report(
      file,
      'error',
      'frontmatter-unclosed',
      'Unexpected frontmatter without a closing `---`, expected a `---` line after the YAML',
      {start: {line: 1, column: 1}, end: {line: 1, column: 4}}
    )
  }

  const frontmatter = frontmatterNode
    ? parseFrontmatter(file, frontmatterNode, frontmatterPlaces)
    : undefined
  return {tree, frontmatter, frontmatterNode, frontmatterPlaces}
}

/**
 * Parse the YAML of the frontmatter node. Duplicate keys, syntax errors and alias bombs are
 * errors placed on the line and column of the note where the YAML went wrong.
 */
function parseFrontmatter(
  file: VFile,
  node: Yaml,
  places: Map<string, Position>
): Record<string, unknown> | undefined {
  const lineCounter = new LineCounter()
  const document = parseDocument(node.value, {uniqueKeys: true, prettyErrors: true, lineCounter})
  // The YAML text starts on the line after the opening `---`.
  const firstLine = (node.position?.start.line ?? 1) + 1
  const toPoint = (offset: number): Point => {
    const at = lineCounter.linePos(offset)
    return {line: firstLine + at.line - 1, column: at.col}
  }

  for (const error of document.errors) {
    const place = {start: toPoint(error.pos[0]), end: toPoint(error.pos[1])}
    if (error.code === 'DUPLICATE_KEY') {
      const key = keyAt(document, error.pos[0])
      if (key?.range) place.end = toPoint(key.range[1])
      report(
        file,
        'error',
        'frontmatter-duplicate-key',
        `Unexpected duplicate key${key ? ` \`${String(key.value)}\`` : ''} in frontmatter, ` +
          'expected each key once',
        place
      )
    } else {
      report(
        file,
        'error',
        'frontmatter-yaml',
        `Unexpected YAML in frontmatter: ${firstSentence(error.message)}`,
        place
      )
    }
  }

  if (document.errors.length > 0) return undefined

  let data: unknown
  try {
    data = document.toJS({maxAliasCount: MAX_YAML_ALIASES})
  } catch (error) {
    report(
      file,
      'error',
      'frontmatter-yaml',
      `Unexpected YAML in frontmatter: ${firstSentence(String((error as Error).message))}`,
      node.position
    )
    return undefined
  }

  if (!isMap(document.contents) || data === null || typeof data !== 'object') {
    report(
      file,
      'error',
      'frontmatter-yaml',
      'Unexpected frontmatter that is not a mapping, expected `key: value` lines',
      node.position
    )
    return undefined
  }

  for (const pair of document.contents.items) {
    if (!isScalar(pair.key) || !pair.key.range) continue
    const valueRange = isNode(pair.value) ? pair.value.range : undefined
    // A block value ends after its last line break; the place ends before it.
    const end = withoutTrailingSpace(node.value, valueRange?.[1] ?? pair.key.range[1])
    places.set(String(pair.key.value), {start: toPoint(pair.key.range[0]), end: toPoint(end)})
  }

  return data as Record<string, unknown>
}

/** Move `offset` back over the white space and line breaks that precede it in `text`. */
function withoutTrailingSpace(text: string, offset: number): number {
  let end = offset
  while (end > 0 && /\s/.test(text.charAt(end - 1))) end--
  return end
}

/** The top-level key written at `offset` of the YAML text, if there is one. */
function keyAt(document: Document, offset: number): Scalar | undefined {
  if (!isMap(document.contents)) return undefined
  for (const pair of document.contents.items) {
    if (isScalar(pair.key) && pair.key.range?.[0] === offset) return pair.key
  }

  return undefined
}

/** The first line of a library's error message, which is the part worth showing. */
function firstSentence(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '')
}
