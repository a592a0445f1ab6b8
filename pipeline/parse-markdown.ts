/**
 * Markdown to mdast with remark, with the content of fenced code set aside while remark runs.
 *
 * Why: half the bytes of a catalog note are the lines of its JSON blocks, and remark spends
 * about half its time on them (on the 2020 vault, 6.9 s to parse the notes as they are and
 * 3.5 s without those lines), though to markdown they are opaque text. So the content lines of
 * each fenced block at the top level are taken out, remark parses the rest, and each code node
 * gets its lines back while every position after it is moved down by the lines taken out. The
 * tree is the one remark gives for the whole note, positions included, so every problem is
 * still reported at its exact place.
 *
 * It is only done where it cannot change the tree:
 * - a block is set aside only when its opening fence is at column 1 and none of its content
 *   lines could be read as a code fence, so the block ends at the same line with or without
 *   them, nor as a frontmatter fence, so frontmatter ends at the same line too (it is the one
 *   construct whose start depends on a line after it);
 * - after parsing, each block set aside must be a code node of the root from its opening to its
 *   closing line, with nothing in it; otherwise (the fence was in frontmatter, HTML or another
 *   block) the note is parsed again whole;
 * - notes with carriage returns or NUL characters, which remark rewrites, are parsed whole.
 */
import type {Code, Root} from 'mdast'
import remarkFrontmatter from 'remark-frontmatter'
import remarkParse from 'remark-parse'
import {unified} from 'unified'
import type {Node, Point} from 'unist'

const processor = unified().use(remarkParse).use(remarkFrontmatter, ['yaml'])

/** An opening fence at column 1: three or more backticks or tildes, then an info string. */
const OPENING_FENCE = /^(`{3,}|~{3,})(.*)$/

/** A line remark might take for a fence of code or frontmatter: what no content line may be. */
const FENCE_LIKE = /^[ \t]*(`{3,}|~{3,}|-{3,})/

/** A block set aside: where its fences are in the text given to remark, and its content. */
export interface AsideBlock {
  /** The line of the opening fence in the shortened text (1-based). */
  openingLine: number
  /** The content lines taken out, joined by `\n`. */
  value: string
  lines: number
  chars: number
}

/** Parse `text` into an mdast tree, exactly as `remark-parse` with frontmatter would. */
export function parseMarkdown(text: string): Root {
  if (text.includes('\r') || text.includes('\0')) return processor.parse(text)

  const {shortened, blocks} = setAside(text)
  if (blocks.length === 0) return processor.parse(text)

  const tree = processor.parse(shortened)
  return restore(tree, blocks) ? tree : processor.parse(text)
}

/**
 * Take out the content lines of the fenced blocks at the top level that are safe to.
 *
 * @returns The shortened text, and the blocks taken out of it in order.
 */
export function setAside(text: string): {shortened: string; blocks: AsideBlock[]} {
  const lines = text.split('\n')
  const kept: string[] = []
  const blocks: AsideBlock[] = []
  let index = 0

  while (index < lines.length) {
    const line = lines[index] as string
    kept.push(line)
    index++

    const closing = closingLineOf(lines, index - 1)
    if (closing === undefined) continue

    const content = lines.slice(index, closing)
    blocks.push({
      openingLine: kept.length,
      value: content.join('\n'),
      lines: content.length,
      chars: content.reduce((sum, contentLine) => sum + contentLine.length + 1, 0)
    })
    // The closing fence is kept, and is not read again as an opening one.
    kept.push(lines[closing] as string)
    index = closing + 1
  }

  return {shortened: kept.join('\n'), blocks}
}

/**
 * When line `opening` opens a fence at column 1 whose content lines are none of them like a
 * fence, the index of its closing line; otherwise `undefined`.
 */
function closingLineOf(lines: string[], opening: number): number | undefined {
  const match = OPENING_FENCE.exec(lines[opening] as string)
  if (!match) return undefined
  const fence = match[1] as string
  if (fence[0] === '`' && (match[2] as string).includes('`')) return undefined

  const closing = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`)
  for (let index = opening + 1; index < lines.length; index++) {
    const line = lines[index] as string
    if (closing.test(line)) return index
    if (FENCE_LIKE.test(line)) return undefined
  }

  return undefined
}

/**
 * Put the content of `blocks` back into `tree` and move the positions after each block.
 *
 * @returns Whether every block was found as an empty code node of the root where expected.
 */
function restore(tree: Root, blocks: AsideBlock[]): boolean {
  const codeByLine = new Map<number, Code>()
  for (const node of tree.children) {
    if (node.type === 'code' && node.position) codeByLine.set(node.position.start.line, node)
  }

  const found: Code[] = []
  for (const block of blocks) {
    const code = codeByLine.get(block.openingLine)
    const position = code?.position
    if (!code || !position || code.value !== '' || position.start.column !== 1) return false
    if (position.end.line !== block.openingLine + 1) return false
    found.push(code)
  }

  // How far each line of the shortened text moves: the lines and characters taken out above it.
  const lineCount = tree.position?.end.line ?? 1
  const linesAbove = new Int32Array(lineCount + 2)
  const charsAbove = new Int32Array(lineCount + 2)
  for (const block of blocks) {
    linesAbove[block.openingLine + 1] = block.lines
    charsAbove[block.openingLine + 1] = block.chars
  }
  for (let line = 1; line < linesAbove.length; line++) {
    linesAbove[line] = (linesAbove[line] ?? 0) + (linesAbove[line - 1] ?? 0)
    charsAbove[line] = (charsAbove[line] ?? 0) + (charsAbove[line - 1] ?? 0)
  }

  const move = (point: Point) => {
    const line = point.line
    point.line += linesAbove[line] as number
    if (point.offset !== undefined) point.offset += charsAbove[line] as number
  }

  const visit = (node: Node) => {
    if (node.position) {
      move(node.position.start)
      move(node.position.end)
    }
    const children = (node as {children?: Node[]}).children
    if (children) for (const child of children) visit(child)
  }

  visit(tree)
  for (const [index, code] of found.entries()) code.value = (blocks[index] as AsideBlock).value
  return true
}
