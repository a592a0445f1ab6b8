/**
 * Parse stage: the bytes of one note become an mdast tree and its frontmatter data. The
 * frontmatter is YAML; its errors are mapped from the YAML block back to lines of the note.
 */
import type {Root, Yaml} from 'mdast'
import type {VFile} from 'vfile'
import {isMap, parseDocument} from 'yaml'
import {report} from './diagnostics.js'
import {parseMarkdown} from './parse-markdown.js'

/** The most YAML aliases a note may expand; more is an alias bomb, not a note. */
const MAX_YAML_ALIASES = 100

/** A note, parsed: the tree, and the frontmatter (`undefined` when it has none or it broke). */
export interface ParsedNote {
  tree: Root
  frontmatter: Record<string, unknown> | undefined
  frontmatterNode: Yaml | undefined
}

/**
 * Decode the bytes of a note as UTF-8 (a BOM is dropped), or report why they are not.
 *
 * @returns The text, or `undefined` when the bytes are not UTF-8.
 */
export function decodeNote(file: VFile, bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', {fatal: true}).decode(bytes)
  } catch {
    report(file, 'error', 'not-utf8', 'Unexpected bytes that are not UTF-8, expected a UTF-8 note')
    return undefined
  }
}

/** Parse the markdown and frontmatter of `text`, reporting broken YAML on `file`. */
export function parseNote(file: VFile, text: string): ParsedNote {
  const tree = parseMarkdown(text)
  const frontmatterNode = tree.children[0]?.type === 'yaml' ? tree.children[0] : undefined
  const frontmatter = frontmatterNode ? parseFrontmatter(file, frontmatterNode) : undefined
  return {tree, frontmatter, frontmatterNode}
}

/**
 * Parse the YAML of the frontmatter node. Duplicate keys, syntax errors and alias bombs are
 * errors placed on the line and column of the note where the YAML went wrong.
 */
function parseFrontmatter(file: VFile, node: Yaml): Record<string, unknown> | undefined {
  const document = parseDocument(node.value, {uniqueKeys: true, prettyErrors: true})
  // The YAML text starts on the line after the opening `---`.
  const firstLine = (node.position?.start.line ?? 1) + 1

  for (const error of document.errors) {
    const at = error.linePos?.[0]
    const place = at ? {line: firstLine + at.line - 1, column: at.col} : node.position?.start
    const duplicate = error.code === 'DUPLICATE_KEY'
    report(
      file,
      'error',
      duplicate ? 'frontmatter-duplicate-key' : 'frontmatter-yaml',
      duplicate
        ? `Unexpected duplicate key in frontmatter, expected each key once`
        : `Unexpected YAML in frontmatter: ${firstSentence(error.message)}`,
      place
    )
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
      node.position?.start
    )
    return undefined
  }

  if (!isMap(document.contents) || data === null || typeof data !== 'object') {
    report(
      file,
      'error',
      'frontmatter-yaml',
      'Unexpected frontmatter that is not a mapping, expected `key: value` lines',
      node.position?.start
    )
    return undefined
  }

  return data as Record<string, unknown>
}

/** The first line of a library's error message, which is the part worth showing. */
function firstSentence(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '')
}
