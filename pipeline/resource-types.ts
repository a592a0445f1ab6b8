/**
 * The fenced JSON block of an action: resource types keyed by name, plus the `""` entry that
 * carries the action-level condition keys and dependent actions. Errors are placed on the line
 * and column of the note, mapped from the offset inside the block.
 */
import type {Code} from 'mdast'
import type {Node as JsonNode} from 'jsonc-parser'
import {parseTree, printParseErrorCode} from 'jsonc-parser'
import type {Point, Position} from 'unist'
import type {VFile} from 'vfile'
import {report} from './diagnostics.js'
import type {ResourceType} from './model.js'

/**
 * A condition key: `prefix:Name`. The prefix may be a host name with a path and a variable (as
 * the web identity keys of STS are: `token.actions.githubusercontent.com/${SubPath}:actor`) and
 * the name may hold `/`, `$`, `{`, `}`, `:` and the like.
 */
const CONDITION_KEY = /^[^\s:]+:[^\s:][^\s]*$/

/** A dependent action: `prefix:ActionName`. */
const DEPENDENT_ACTION = /^[a-zA-Z0-9-]+:[a-zA-Z0-9*]+$/

/** The content of a resource-types block, normalized. */
export interface ParsedResourceTypes {
  resourceTypes: ResourceType[]
  conditionKeys: string[]
  dependentActions: string[]
}

/**
 * Parse the resource-types block of `action`.
 *
 * @returns The named resource types in the order written and the lifted `""` entry, or
 *   `undefined` when the block has errors (which are reported on `file`).
 */
export function parseResourceTypes(
  file: VFile,
  code: Code,
  action: string
): ParsedResourceTypes | undefined {
  const locate = locator(code)
  const errors: {error: number; offset: number; length: number}[] = []
  const tree = parseTree(code.value, errors, {
    disallowComments: true,
    allowTrailingComma: false,
    allowEmptyContent: false
  })

  const syntaxError = errors[0]
  if (syntaxError || !tree) {
    const {offset, length} = syntaxError ?? {offset: 0, length: 0}
    const text = code.value.slice(offset, offset + length)
    const found = text === '' ? 'end of the block' : `\`${shorten(text)}\``
    const expected = syntaxError
      ? (JSON_EXPECTED[printParseErrorCode(syntaxError.error)] ?? 'valid JSON')
      : 'a JSON object'
    report(
      file,
      'error',
      'resource-types-json',
      `Unexpected ${found} in resource types of \`${action}\`, expected ${expected}`,
      {start: locate(offset), end: locate(offset + length)}
    )
    return undefined
  }

  const checker = new ShapeChecker(file, action, locate)
  const result = checker.entries(tree)
  return checker.failed ? undefined : result
}

/** Checks the shape of the block as it reads it, reporting each problem once with its place. */
class ShapeChecker {
  failed = false

  constructor(
    private readonly file: VFile,
    private readonly action: string,
    private readonly locate: (offset: number) => Point
  ) {}

  /** Read the top-level object of resource-type entries. */
  entries(tree: JsonNode): ParsedResourceTypes {
    const result: ParsedResourceTypes = {resourceTypes: [], conditionKeys: [], dependentActions: []}
    if (!this.expect(tree, 'object', 'the block', 'an object of resource types')) return result

    const seen = new Set<string>()
    for (const property of tree.children ?? []) {
      const [keyNode, valueNode] = property.children ?? []
      if (!keyNode || !valueNode) continue
      const key = String(keyNode.value)

      if (seen.has(key)) {
        this.error(
          'resource-types-shape',
          `duplicate resource type \`${key}\``,
          'each once',
          keyNode
        )
        continue
      }

      seen.add(key)
      const entry = this.entry(key, valueNode)
      if (!entry) continue

      if (key === '') {
        result.conditionKeys = entry.conditionKeys
        result.dependentActions = entry.dependentActions
      } else {
        result.resourceTypes.push(entry)
      }
    }

    return result
  }

  /** Read one entry: `{resource_type, required, condition_keys, dependent_actions}`. */
  private entry(key: string, node: JsonNode): ResourceType | undefined {
    const where = key === '' ? 'entry `""`' : `entry \`${key}\``
    if (!this.expect(node, 'object', where, 'an object')) return undefined

    const fields = new Map<string, JsonNode>()
    for (const property of node.children ?? []) {
      const [keyNode, valueNode] = property.children ?? []
      if (!keyNode || !valueNode) continue
      const field = String(keyNode.value)

      if (!ENTRY_FIELDS.has(field)) {
        this.warn(
          'resource-types-field',
          `Unexpected field \`${field}\` in ${where} in resource types of \`${this.action}\`, ` +
            'expected ' +
            '`resource_type`, `required`, `condition_keys` or `dependent_actions`; ' +
            'it is not compiled',
          keyNode
        )
      } else if (fields.has(field)) {
        this.error(
          'resource-types-shape',
          `duplicate field \`${field}\` in ${where}`,
          'once',
          keyNode
        )
      } else {
        fields.set(field, valueNode)
      }
    }

    const resourceType = fields.get('resource_type')
    if (resourceType && this.expect(resourceType, 'string', `\`resource_type\` of ${where}`)) {
      if (resourceType.value !== key) {
        this.error(
          'resource-type-mismatch',
          `\`resource_type\` \`${resourceType.value}\` in ${where}`,
          `\`${key}\`, the key of the entry`,
          resourceType
        )
      }
    }

    const required = fields.get('required')
    if (required) this.expect(required, 'boolean', `\`required\` of ${where}`)

    return {
      name: key,
      required: required?.value === true,
      conditionKeys: this.names(fields.get('condition_keys'), where, 'condition_keys'),
      dependentActions: this.names(fields.get('dependent_actions'), where, 'dependent_actions')
    }
  }

  /** Read a list of condition keys or dependent actions: distinct, in the order written. */
  private names(node: JsonNode | undefined, where: string, field: string): string[] {
    if (!node) return []
    if (!this.expect(node, 'array', `\`${field}\` of ${where}`, 'a list')) return []

    const pattern = field === 'condition_keys' ? CONDITION_KEY : DEPENDENT_ACTION
    const example = field === 'condition_keys' ? '`aws:RequestTag/${TagKey}`' : '`s3:GetObject`'
    const names: string[] = []

    for (const item of node.children ?? []) {
      if (!this.expect(item, 'string', `item of \`${field}\` in ${where}`)) continue
      const name = String(item.value)

      if (!pattern.test(name)) {
        this.error(
          field === 'condition_keys' ? 'condition-key-malformed' : 'dependent-action-malformed',
          `\`${name}\` in \`${field}\` of ${where}`,
          `\`prefix:Name\`, such as ${example}`,
          item
        )
      } else if (names.includes(name)) {
        this.warn(
          'duplicate-list-item',
          `Unexpected duplicate \`${name}\` in \`${field}\` of ${where} in resource types of ` +
            `\`${this.action}\`, expected each once; it is kept once`,
          item
        )
      } else {
        names.push(name)
      }
    }

    return names
  }

  /** Check that `node` is of `type`, reporting what was found otherwise. */
  private expect(node: JsonNode, type: JsonNode['type'], where: string, what?: string): boolean {
    if (node.type === type) return true
    this.error('resource-types-shape', `${node.type} for ${where}`, what ?? `a ${type}`, node)
    return false
  }

  private error(ruleId: string, found: string, expected: string, node: JsonNode): void {
    this.failed = true
    report(
      this.file,
      'error',
      ruleId,
      `Unexpected ${found} in resource types of \`${this.action}\`, expected ${expected}`,
      this.place(node)
    )
  }

  private warn(ruleId: string, reason: string, node: JsonNode): void {
    report(this.file, 'warning', ruleId, reason, this.place(node))
  }

  /** The span of a JSON node in the note. */
  private place(node: JsonNode): Position {
    return {start: this.locate(node.offset), end: this.locate(node.offset + node.length)}
  }
}

/** What the JSON grammar wanted where `jsonc-parser` stopped, by its error code. */
const JSON_EXPECTED: Record<string, string> = {
  InvalidSymbol: 'a JSON value',
  InvalidNumberFormat: 'a JSON number',
  PropertyNameExpected: 'a property name in double quotes',
  ValueExpected: 'a value',
  ColonExpected: '`:`',
  CommaExpected: '`,`',
  CloseBraceExpected: '`}`',
  CloseBracketExpected: '`]`',
  EndOfFileExpected: 'the end of the block after the object',
  InvalidCommentToken: 'JSON, which has no comments',
  UnexpectedEndOfComment: 'JSON, which has no comments',
  UnexpectedEndOfString: 'a closing `"`',
  UnexpectedEndOfNumber: 'a digit',
  InvalidUnicode: 'a `\\u` escape with four hexadecimal digits',
  InvalidEscapeCharacter: 'an escape such as `\\n` or `\\"`',
  InvalidCharacter: 'a string without control characters'
}

/** Cut long source text down to a size that reads in a message. */
function shorten(text: string): string {
  const line = text.split('\n')[0] ?? ''
  return line.length > 30 || line !== text ? `${line.slice(0, 29)}…` : line
}

const ENTRY_FIELDS = new Set(['resource_type', 'required', 'condition_keys', 'dependent_actions'])

/**
 * Map an offset inside the block's text to a point in the note. The text starts on the line
 * after the opening fence; inside a list item each line is indented like the fence.
 */
function locator(code: Code): (offset: number) => Point {
  const lineStarts = [0]
  for (let index = 0; index < code.value.length; index++) {
    if (code.value[index] === '\n') lineStarts.push(index + 1)
  }

  const fence = code.position?.start ?? {line: 1, column: 1}

  return (offset) => {
    let line = lineStarts.length - 1
    while (line > 0 && (lineStarts[line] ?? 0) > offset) line--
    return {line: fence.line + 1 + line, column: fence.column + offset - (lineStarts[line] ?? 0)}
  }
}
