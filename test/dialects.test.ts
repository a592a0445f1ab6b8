/**
 * Dendron has written IAM notes in several shapes over the years. Each fixture under
 * `fixtures/dialects/` is the same service written in one of them, and each must compile to
 * exactly the same service; only the note id differs where the dialect writes another.
 */
import {readFileSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import type {BuildResult} from '../pipeline/build.js'
import {build} from '../pipeline/build.js'
import type {Service} from '../pipeline/model.js'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')
const dialects = path.join(root, 'test/fixtures/dialects')

/** Every dialect, with the note id it writes and what makes it a dialect. */
const DIALECTS = [
  {
    folder: 'tight',
    id: 'iam-Example Service',
    shape: 'tight lists, an empty table of contents and blocks after the list'
  },
  {
    folder: 'loose',
    id: '4f1c2a7e-9b3d-4e8a-a1f0-6c2d8e9b7a15',
    shape: 'loose lists, blocks inside the item, a wrapped description and a UUID id'
  },
  {
    folder: 'loose-fence-after',
    id: 'iam-Example Service',
    shape: 'loose lists with blocks after the list and an empty summary'
  },
  {
    folder: 'tight-fence-inside',
    id: 'iam-Example Service',
    shape: 'tight lists with blocks inside the item and no title heading'
  },
  {
    folder: 'navigation-links',
    id: 'iam-Example Service',
    shape: 'a summary and a table of contents filled with links'
  },
  {
    folder: 'frontmatter',
    id: 'c3b1e5f2-0d4a-4c6e-9f8b-2a7d1e3c5b90',
    shape: 'frontmatter keys in another order, extra keys and timestamps of the other types'
  },
  {folder: 'crlf', id: 'iam-Example Service', shape: 'CRLF line endings'},
  {folder: 'bom', id: 'iam-Example Service', shape: 'a UTF-8 byte order mark'},
  {
    folder: 'loose-crlf-bom',
    id: '4f1c2a7e-9b3d-4e8a-a1f0-6c2d8e9b7a15',
    shape: 'loose lists and a wrapped description with CRLF and a byte order mark'
  },
  {folder: 'plain-text', id: 'iam-Example Service', shape: 'descriptions without markup'},
  {
    folder: 'access-level-spelling',
    id: 'iam-Example Service',
    shape: 'access levels in other case, spacing, order and with hyphens'
  },
  {
    folder: 'resource-types-shapes',
    id: 'iam-Example Service',
    shape: 'compact JSON blocks, `""` first, last or absent, and `{}`'
  }
]

/** The one service every dialect describes, as the compiler must give it. */
function exampleService(id: string): Service {
  const all = (name: string, required: boolean) => ({
    name,
    required,
    conditionKeys: [],
    dependentActions: []
  })

  return {
    prefix: 'example',
    name: 'Example Service',
    note: {
      id,
      fname: 'iam.example',
      path: 'iam.example.md',
      parent: 'iam',
      desc: '',
      created: '2020-09-15T02:36:26.045Z',
      updated: null,
      sources: [
        {
          name: 'Policy Sentry',
          url: 'https://github.com/salesforce/policy_sentry',
          license: 'MIT'
        }
      ]
    },
    actions: [
      {
        name: 'CreateWidget',
        description: 'Grants permission to create a widget through www.example.com',
        accessLevels: ['Write'],
        resourceTypes: [
          {
            name: 'widget',
            required: true,
            conditionKeys: ['example:WidgetColor'],
            dependentActions: ['example:TagResource']
          }
        ],
        conditionKeys: ['aws:RequestTag/${TagKey}', 'aws:TagKeys'],
        dependentActions: ['iam:PassRole']
      },
      {
        name: 'DescribeWidget',
        description: 'Grants permission to describe the widgets that SendTask* returns',
        accessLevels: ['Read'],
        resourceTypes: [all('widget', true)],
        conditionKeys: [],
        dependentActions: []
      },
      {
        name: 'ListWidgets',
        description: 'Grants permission to list all widgets',
        accessLevels: ['List'],
        resourceTypes: [all('*', false)],
        conditionKeys: [],
        dependentActions: []
      },
      {
        name: 'PutWidgetPolicy',
        description: 'Grants permission to attach a policy to a widget or a policy document',
        accessLevels: ['Permissions management'],
        resourceTypes: [all('widget', false), all('policy', false)],
        conditionKeys: [],
        dependentActions: []
      },
      {
        name: 'TagResource',
        description: 'Grants permission to tag a widget',
        accessLevels: ['Tagging', 'Write'],
        resourceTypes: [all('widget', false)],
        conditionKeys: ['aws:TagKeys'],
        dependentActions: []
      }
    ]
  }
}

let out: string

test.before(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'iam-catalog-dialects-'))
})

test.after(async () => {
  await rm(out, {recursive: true, force: true})
})

/** Build one fixture vault into its own output folder. */
function buildFixture(folder: string): Promise<BuildResult> {
  return build({sources: path.join(dialects, folder), out: path.join(out, folder)})
}

for (const dialect of DIALECTS) {
  test(`should compile ${dialect.shape} to the same service`, async () => {
    const result = await buildFixture(dialect.folder)

    assert.equal([...result.messages.values()].flat(), [])
    assert.ok(result.ok)
    assert.equal(result.catalog.services, [exampleService(dialect.id)])
  })
}

test('should keep the line endings and byte order marks the fixtures are about', () => {
  const bytes = (folder: string) => readFileSync(path.join(dialects, folder, 'iam.example.md'))
  const bom = Buffer.from([0xef, 0xbb, 0xbf])
  const crlfOnly = (text: string) => !/(^|[^\r])\n/.test(text) && text.includes('\r\n')

  assert.ok(crlfOnly(bytes('crlf').toString('utf8')))
  assert.ok(crlfOnly(bytes('loose-crlf-bom').toString('utf8')))
  assert.ok(bytes('bom').subarray(0, 3).equals(bom))
  assert.ok(bytes('loose-crlf-bom').subarray(0, 3).equals(bom))
  assert.not.ok(bytes('tight').toString('utf8').includes('\r'))
  assert.not.ok(bytes('tight').subarray(0, 3).equals(bom))
})

test('should skip the hierarchy root, the home note and a guide as info', async () => {
  const result = await buildFixture('hierarchy')
  const kinds = Object.fromEntries(result.notes.map((note) => [note.path, note.kind]))
  const skipped = {
    severity: 'info',
    ruleId: 'not-a-catalog-note',
    reason: 'Not a catalog note: no `## Privileges` section',
    line: null,
    column: null,
    endLine: null,
    endColumn: null
  }

  assert.equal(kinds, {
    'iam.example.md': 'service',
    'iam.example.preview.md': 'service',
    'iam.md': 'skipped',
    'root.md': 'skipped',
    's.guide.md': 'skipped'
  })
  assert.equal(Object.fromEntries(result.messages), {
    'iam.example.md': [],
    'iam.example.preview.md': [],
    'iam.md': [skipped],
    'root.md': [skipped],
    's.guide.md': [skipped]
  })
  assert.ok(result.ok)
})

test('should never take the headings of a guide for actions', async () => {
  const result = await buildFixture('hierarchy')
  const actions = result.catalog.services.flatMap((service) =>
    service.actions.map((action) => `${service.prefix}:${action.name}`)
  )

  assert.equal(actions, [
    'example:CreateWidget',
    'example:DescribeWidget',
    'example:ListWidgets',
    'example:PutWidgetPolicy',
    'example:TagResource',
    'example-preview:TryWidget'
  ])
})

test('should store a hard line break in a description as a new line', async () => {
  const result = await buildFixture('hierarchy')
  const preview = result.catalog.services.find((service) => service.prefix === 'example-preview')

  assert.is(
    preview?.actions[0]?.description,
    'Grants permission to try a widget\nbefore it ships, as TryWidget'
  )
})

test('should take the Dendron parent and timestamps of each note', async () => {
  const result = await buildFixture('hierarchy')
  const notes = result.catalog.services.map((service) => ({
    prefix: service.prefix,
    name: service.name,
    parent: service.note.parent,
    desc: service.note.desc,
    created: service.note.created,
    updated: service.note.updated
  }))

  assert.equal(notes, [
    {
      prefix: 'example',
      name: 'Example Service',
      parent: 'iam',
      desc: '',
      created: '2020-09-15T02:36:26.045Z',
      updated: null
    },
    {
      prefix: 'example-preview',
      name: 'Example Service (Preview)',
      parent: 'iam.example',
      desc: 'The preview of Example Service',
      created: '2020-10-19T22:26:05.180Z',
      updated: '2020-10-19T22:26:05.180Z'
    }
  ])
})

test.run()
