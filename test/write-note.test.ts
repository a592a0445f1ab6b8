/**
 * The note writer: escaping, the dialect of an action, and the round trip through the compiler
 * for hand-picked and generated records of awkward text.
 */
import fc from 'fast-check'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {compileNote} from '../pipeline/compile-note.js'
import type {Action, ResourceType} from '../pipeline/model.js'
import {ACCESS_LEVELS} from '../pipeline/model.js'
import {scanNote} from '../pipeline/note-layout.js'
import type {NoteService} from '../pipeline/write-note.js'
import {actionLines, escapeMarkdown, newNoteLayout, renderNote} from '../pipeline/write-note.js'

const source = {name: 'upstream-data', url: 'https://example.com/upstream-data', license: 'MIT'}
const created = Date.UTC(2026, 0, 2, 3, 4, 5)

/** Write `service` as a new note and compile it back. */
function roundTrip(service: NoteService) {
  const text = renderNote(newNoteLayout(service, created), service, source)
  const result = compileNote('iam.test.md', new TextEncoder().encode(text))
  return {text, result}
}

function action(overrides: Partial<Action>): Action {
  return {
    name: 'GetThing',
    description: 'Grants permission to get a thing',
    accessLevels: ['Read'],
    resourceTypes: [{name: '*', required: false, conditionKeys: [], dependentActions: []}],
    conditionKeys: [],
    dependentActions: [],
    ...overrides
  }
}

test('should leave plain text and words with `_` as they are', () => {
  assert.is(
    escapeMarkdown('Grants permission to set UPDATE_ROLLBACK_FAILED b/w a source & target'),
    'Grants permission to set UPDATE_ROLLBACK_FAILED b/w a source & target'
  )
})

test('should escape what markdown would read as syntax', () => {
  assert.is(
    escapeMarkdown('*a* `b` [c](d) <e> \\ &amp; _f_ #g'),
    '\\*a\\* \\`b\\` \\[c\\](d) \\<e> \\\\ \\&amp; \\_f\\_ \\#g'
  )
})

test('should write line breaks, tabs and spaces at either end as character references', () => {
  assert.is(escapeMarkdown('  two\tlines\r\nend '), '&#32;&#32;two&#9;lines&#13;&#10;end&#32;')
})

test('should write an action in the dialect of the vault', () => {
  const lines = actionLines(
    action({
      name: 'DisableRegion',
      description: 'Grants permission to disable a region',
      accessLevels: ['Tagging', 'Write'],
      resourceTypes: [
        {name: 'region', required: true, conditionKeys: [], dependentActions: ['ec2:Describe']}
      ],
      conditionKeys: ['account:TargetRegion']
    })
  )

  assert.is(
    lines.join('\n'),
    [
      '### DisableRegion',
      '- description: Grants permission to disable a region',
      '- access level: Tagging, Write',
      '- resource types',
      '```',
      '{',
      '    "region": {',
      '        "resource_type": "region",',
      '        "required": true,',
      '        "condition_keys": [],',
      '        "dependent_actions": [',
      '            "ec2:Describe"',
      '        ]',
      '    },',
      '    "": {',
      '        "resource_type": "",',
      '        "required": false,',
      '        "condition_keys": [',
      '            "account:TargetRegion"',
      '        ],',
      '        "dependent_actions": []',
      '    }',
      '}',
      '```'
    ].join('\n')
  )
})

test('should refuse a resource type `*` beside named ones, which no note can hold', () => {
  const star: ResourceType = {name: '*', required: true, conditionKeys: [], dependentActions: []}
  assert.throws(() => actionLines(action({resourceTypes: [star]})), /Unexpected resource type `\*`/)
})

test('should compile awkward text back exactly as written', () => {
  const descriptions = [
    '',
    ' leading and trailing spaces ',
    '# not a heading',
    '- not a list',
    '> not a quote',
    '1. not a list either',
    'two\nlines, and a tab\there',
    'a\\b\\\\c\\',
    '<region>.amazonaws.com <http://example.com> <b>bold</b> <!-- c -->',
    '&amp; &#32; &copy &',
    '**strong** _em_ __x__ a_b a__b_ _a `code` ``two``',
    '[link](http://example.com) ![image](x.png) [ref]',
    'trailing backslash and hash \\ #',
    'unicode: é 😀 \u00a0 \u2028 \u3000 \ufeff \ufffe',
    'x'.repeat(5000)
  ]

  for (const description of descriptions) {
    const {result} = roundTrip({
      prefix: 'test',
      name: 'Test & <Service>',
      actions: [action({description})]
    })
    assert.is(result.kind, 'service', `${JSON.stringify(description)} should compile`)
    assert.is(result.service?.actions[0]?.description, description)
    assert.is(result.service?.name, 'Test & <Service>')
  }
})

/** Text of every kind: any code point a note can hold, and pieces that mean something. */
const awkwardText = fc
  .array(
    fc.oneof(
      fc.string({unit: 'binary', maxLength: 12}),
      fc.constantFrom(
        ...['\\', '*', '_', '__', '`', '<', '>', '&', '&amp;', '&#32;', '#', '- ', '+ ', '1. '],
        ...['[', ']', '(', ')', '!', '|', '~', ' ', '  ', '\t', '\n', '\r', '\r\n', '---', '==='],
        ...['```', '<b>', '<http://a.b>', 'é', '😀', '\u00a0', '\u2028', '\u3000', ':', '$']
      ),
      fc.string({minLength: 200, maxLength: 400})
    ),
    {maxLength: 12}
  )
  .map((parts) => parts.join('').replace(/[\u0000]/g, ''))

const actionName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9*_#`<&\\[\]-]{0,20}[A-Za-z0-9]$/)
const conditionKey = fc.stringMatching(
  /^[a-z0-9.${}/-]{1,12}:[A-Za-z0-9${}<>/_-][A-Za-z0-9${}<>/:_-]{0,20}$/
)
const dependentAction = fc.stringMatching(/^[a-z0-9-]{1,10}:[A-Za-z0-9*]{1,20}$/)
const resourceTypeName = awkwardText.filter((name) => name !== '' && name !== '*')

const plain = {noNullPrototype: true}

const resourceType = fc.record(
  {
    name: resourceTypeName,
    required: fc.boolean(),
    conditionKeys: fc.uniqueArray(conditionKey, {maxLength: 3}),
    dependentActions: fc.uniqueArray(dependentAction, {maxLength: 2})
  },
  plain
)

const generatedAction: fc.Arbitrary<Action> = fc
  .record(
    {
      name: actionName,
      description: awkwardText,
      accessLevels: fc.subarray([...ACCESS_LEVELS], {minLength: 1}),
      resourceTypes: fc.uniqueArray(resourceType, {maxLength: 3, selector: (type) => type.name}),
      conditionKeys: fc.uniqueArray(conditionKey, {maxLength: 4}),
      dependentActions: fc.uniqueArray(dependentAction, {maxLength: 2})
    },
    plain
  )
  .map((record) => ({
    ...record,
    resourceTypes:
      record.resourceTypes.length > 0
        ? record.resourceTypes
        : [{name: '*', required: false, conditionKeys: [], dependentActions: []}]
  }))

const generatedService: fc.Arbitrary<NoteService> = fc.record(
  {
    prefix: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,15}$/),
    name: awkwardText.filter((name) => name.trim() !== ''),
    actions: fc.uniqueArray(generatedAction, {
      minLength: 1,
      maxLength: 4,
      selector: (each) => each.name.toLowerCase()
    })
  },
  plain
)

test('should compile generated records of awkward text back to the same service', () => {
  fc.assert(
    fc.property(generatedService, (service) => {
      const {result} = roundTrip(service)
      const errors = result.messages.filter((message) => message.severity !== 'info')
      assert.equal(errors, [])
      assert.equal(
        {
          prefix: result.service?.prefix,
          name: result.service?.name,
          actions: result.service?.actions
        },
        service
      )
      assert.is(result.service?.note.updated, new Date(created).toISOString())
    }),
    {numRuns: 150}
  )
})

test('should give the same bytes when a written note is read and written again', () => {
  fc.assert(
    fc.property(generatedService, (service) => {
      const {text} = roundTrip(service)
      const scanned = scanNote(text)
      assert.is(scanned.kind, 'catalog')
      if (scanned.kind === 'catalog') assert.is(renderNote(scanned.layout, service, source), text)
    }),
    {numRuns: 30}
  )
})

test.run()
