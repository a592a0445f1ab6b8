/**
 * `parseMarkdown` sets the content of fenced code aside while remark runs; the tree it gives
 * must be the very tree remark gives for the whole note, positions and values included.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import * as fc from 'fast-check'
import remarkFrontmatter from 'remark-frontmatter'
import remarkParse from 'remark-parse'
import {unified} from 'unified'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {parseMarkdown, setAside} from '../pipeline/parse-markdown.js'
import {corpusVault as vault} from './helpers.js'

const remark = unified().use(remarkParse).use(remarkFrontmatter, ['yaml'])
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')

function assertSameTree(text: string): void {
  assert.equal(parseMarkdown(text), remark.parse(text), JSON.stringify(text))
}

const json = '{\n    "a": {\n        "required": true\n    }\n}'

const cases: Record<string, string> = {
  'a block after a list item': `# S\n- resource types\n\`\`\`\n${json}\n\`\`\`\n### B\n- x: y\n`,
  'two blocks in a row': '```\na\n```\n```json\nb\n\nc\n```\ntext',
  'an empty block': '```\n```\n\n```\n\n```\n',
  'a block at the end without a newline': 'x\n\n```\n{}\n```',
  'an unclosed block': 'x\n```\n{\n  "a": 1\n',
  'a fence in frontmatter': '---\nid: a\nx: |\n  ```\n  b\n  ```\n---\n# T\n```\nc\n```\n',
  'frontmatter that would end inside a block': '---\n```\n---\n```\n',
  'a longer fence around a shorter one': '````\n```\ninner\n```\n````\n',
  'tildes around backticks': '~~~\n```\n~~~\nafter\n',
  'a closing fence indented by three spaces': '```\na\n   ```\nb',
  'a closing fence indented by four spaces': '```\na\n    ```\nb\n```\n',
  'a fence-like line with text after it': '```\n``` not a fence\nb\n```\n',
  'a backtick in the info string': '```a`b\nc\n```\n',
  'a fence in a list item': '- a\n  ```\n  b\n  ```\n- c\n',
  'a fence in a block quote': '> ```\n> a\n> ```\n',
  'a fence in an HTML block': '<div>\n```\na\n```\n</div>\n\ntext\n',
  'tabs in code': '```\n\ta\n  \tb\n```\n',
  'carriage returns': '```\r\na\r\n```\r\ntext\r\n',
  'a paragraph right after a block': '```\na\n```\ntext *em*\n## H\n',
  'a block that interrupts a paragraph': 'text\n```\na\n```\n'
}

test('should set aside the content of each JSON block of a catalog note', () => {
  const text = cases['a block after a list item'] as string
  const {shortened, blocks} = setAside(`${text}\`\`\`\n{}\n\`\`\`\n`)
  assert.is(shortened, '# S\n- resource types\n```\n```\n### B\n- x: y\n```\n```\n')
  assert.equal(
    blocks.map((block) => [block.openingLine, block.value, block.lines, block.chars]),
    [
      [3, json, 5, json.length + 1],
      [7, '{}', 1, 3]
    ]
  )
})

test('should take nothing out where a content line could be a fence', () => {
  for (const text of ['```\na\n``` b\n```\n', '---\n```\n---\n```\n', '```\na\n  ~~~\n```\n']) {
    assert.is(setAside(text).shortened, text)
  }
})

for (const [name, text] of Object.entries(cases)) {
  test(`should parse ${name} as remark does`, () => {
    assertSameTree(text)
  })
}

test('should parse any mix of fences, lists, quotes and text as remark does', () => {
  const line = fc.constantFrom(
    '```',
    '```json',
    '````',
    '~~~',
    '   ```',
    '    ```',
    '``` x',
    '- item',
    '  - nested',
    '  ```',
    '> quote',
    '## Heading',
    '---',
    '<div>',
    '',
    'text with `code`',
    '\tindented',
    '    "key": [1, 2]'
  )
  fc.assert(
    fc.property(fc.array(line, {maxLength: 30}), (lines) => {
      const text = lines.join('\n')
      assert.equal(parseMarkdown(text), remark.parse(text))
    }),
    {numRuns: 1000}
  )
})

if (existsSync(vault)) {
  test('should parse every note of the 2020 vault as remark does', () => {
    for (const name of readdirSync(vault).filter((file) => file.endsWith('.md'))) {
      assertSameTree(readFileSync(path.join(vault, name), 'utf8'))
    }
  })
} else {
  console.log('parse-markdown.test: ../shared/corpus is absent, so its notes are not checked')
}

test.run()
