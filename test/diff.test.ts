/**
 * The diff of two catalogs: each kind of change on small catalogs written for the purpose, the
 * command's formats and exit codes, and the 2020 corpus against `sources/`, whose figures are
 * counted here again from the notes' text and the upstream JSON rather than from any catalog.
 */
import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {parse as parseYaml} from 'yaml'
import type {CatalogDiff} from '../pipeline/diff.js'
import {diffCatalogs, diffToMarkdown, readCatalog} from '../pipeline/diff.js'
import type {Action, Catalog, Service} from '../pipeline/model.js'
import {locateUpstream} from '../pipeline/upstream.js'
import {buildOnce, root} from './support/builds.js'
import {corpusVault as corpus} from './helpers.js'

const run = promisify(execFile)
const cli = path.join(root, 'lib/pipeline/cli.js')
const star = {name: '*', required: false, conditionKeys: [], dependentActions: []}

function action(name: string, overrides: Partial<Action> = {}): Action {
  return {
    name,
    description: `Grants permission to ${name}`,
    accessLevels: ['Read'],
    resourceTypes: [star],
    conditionKeys: [],
    dependentActions: [],
    ...overrides
  }
}

function service(prefix: string, name: string, actions: Action[]): Service {
  const note = {
    id: prefix,
    fname: `iam.${prefix}`,
    path: `iam.${prefix}.md`,
    parent: 'iam',
    desc: '',
    created: null,
    updated: null,
    sources: []
  }
  return {prefix, name, note, actions}
}

const before: Catalog = {
  format: 'iam-catalog/1',
  services: [
    service('gone', 'Gone Service', [action('Old')]),
    service('s3', 'Simple Storage Service', [
      action('GetObject', {
        resourceTypes: [
          {name: 'object', required: true, conditionKeys: ['s3:Tls'], dependentActions: []}
        ],
        conditionKeys: ['s3:authType']
      }),
      action('ListBuckets', {accessLevels: ['List']}),
      action('PutObject', {accessLevels: ['Write']}),
      action('Removed')
    ])
  ]
}

const after: Catalog = {
  format: 'iam-catalog/1',
  services: [
    service('new', 'New Service', [action('One'), action('Two')]),
    service('s3', 'Amazon S3', [
      action('GetObject', {
        description: 'Grants permission to retrieve objects',
        resourceTypes: [
          {name: 'object', required: false, conditionKeys: [], dependentActions: []},
          {name: 'accesspoint', required: false, conditionKeys: [], dependentActions: []}
        ],
        conditionKeys: ['s3:authType', 's3:Tls'],
        dependentActions: ['kms:Decrypt']
      }),
      action('ListBuckets', {accessLevels: ['List']}),
      action('PutObject', {accessLevels: ['Tagging', 'Write']}),
      action('Added')
    ])
  ]
}

test('should find services and actions added, removed, renamed and changed', () => {
  const diff = diffCatalogs(before, after)

  assert.equal(diff.services, {
    added: [{prefix: 'new', name: 'New Service', actions: 2}],
    removed: [{prefix: 'gone', name: 'Gone Service', actions: 1}],
    renamed: [{prefix: 's3', from: 'Simple Storage Service', to: 'Amazon S3'}]
  })
  assert.equal(diff.actions.added, [{service: 's3', action: 'Added'}])
  assert.equal(diff.actions.removed, [{service: 's3', action: 'Removed'}])
  assert.equal(diff.actions.changed, [
    {
      service: 's3',
      action: 'GetObject',
      description: {
        from: 'Grants permission to GetObject',
        to: 'Grants permission to retrieve objects'
      },
      resourceTypes: {
        added: ['accesspoint'],
        removed: [],
        required: [{name: 'object', from: true, to: false}]
      },
      conditionKeys: {
        added: [{resourceType: '', name: 's3:Tls'}],
        removed: [{resourceType: 'object', name: 's3:Tls'}]
      },
      dependentActions: {added: [{resourceType: '', name: 'kms:Decrypt'}], removed: []}
    },
    {
      service: 's3',
      action: 'PutObject',
      accessLevels: {from: ['Write'], to: ['Tagging', 'Write']}
    }
  ])
  assert.equal(diff.counts, {
    servicesAdded: 1,
    servicesRemoved: 1,
    servicesRenamed: 1,
    actionsAdded: 1,
    actionsRemoved: 1,
    actionsChanged: 2,
    changedFields: {
      accessLevels: 1,
      description: 1,
      resourceTypes: 1,
      conditionKeys: 1,
      dependentActions: 1
    }
  })
})

test('should write the changes as markdown', () => {
  assert.is(
    diffToMarkdown(diffCatalogs(before, after)),
    [
      '# Catalog changes',
      '',
      '2 → 2 services, 5 → 6 actions.',
      '',
      '| | added | removed | changed |',
      '| --- | --- | --- | --- |',
      '| services | 1 | 1 | 1 renamed |',
      '| actions | 1 | 1 | 2 |',
      '',
      '## Services added',
      '',
      '- `new`: New Service (2 actions)',
      '',
      '## Services removed',
      '',
      '- `gone`: Gone Service (1 action)',
      '',
      '## Services renamed',
      '',
      '- `s3`: Simple Storage Service → Amazon S3',
      '',
      '## Actions added',
      '',
      '- `s3:Added`',
      '',
      '## Actions removed',
      '',
      '- `s3:Removed`',
      '',
      '## Actions changed',
      '',
      '- `s3:GetObject`',
      '  - description: Grants permission to GetObject → Grants permission to retrieve objects',
      '  - resource types: added `accesspoint`; `object` no longer required',
      '  - condition keys: added `s3:Tls`; removed `s3:Tls` (on `object`)',
      '  - dependent actions: added `kms:Decrypt`',
      '- `s3:PutObject`',
      '  - access level: Write → Tagging, Write',
      ''
    ].join('\n')
  )
})

test('should say so when nothing changed', () => {
  assert.is(
    diffToMarkdown(diffCatalogs(after, after)),
    '# Catalog changes\n\n2 → 2 services, 6 → 6 actions.\n\nNo changes.\n'
  )
})

test('should read a build folder or a catalog.json, and refuse another format', async () => {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'iam-catalog-diff-'))
  try {
    await writeFile(path.join(folder, 'catalog.json'), JSON.stringify(before))
    await writeFile(path.join(folder, 'other.json'), JSON.stringify({format: 'other/2'}))

    assert.equal(await readCatalog(folder), before)
    assert.equal(await readCatalog(path.join(folder, 'catalog.json')), before)
    await readCatalog(path.join(folder, 'other.json')).then(
      () => assert.unreachable('should refuse another format'),
      (error: Error) => assert.match(error.message, /Unexpected format `other\/2`/)
    )
  } finally {
    await rm(folder, {recursive: true, force: true})
  }
})

test('should exit with 1 on differences with `--exit-code`, and print JSON', async () => {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'iam-catalog-diff-'))
  try {
    const old = path.join(folder, 'old.json')
    const current = path.join(folder, 'new.json')
    await writeFile(old, JSON.stringify(before))
    await writeFile(current, JSON.stringify(after))

    const same = await run('node', [cli, 'diff', current, current, '--exit-code'])
    const differs = await run('node', [cli, 'diff', old, current, '--exit-code']).then(
      () => undefined,
      (error: {code: number}) => error.code
    )
    const json = await run('node', [cli, 'diff', old, current, '--format', 'json'])

    assert.ok(same.stdout.endsWith('No changes.\n'))
    assert.is(differs, 1)
    assert.equal(JSON.parse(json.stdout), diffCatalogs(before, after))
  } finally {
    await rm(folder, {recursive: true, force: true})
  }
})

test('should exit 2 with one line naming the path when a catalog cannot be read', async () => {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'iam-catalog-diff-'))
  try {
    const missing = path.join(folder, 'nope')
    const garbage = path.join(folder, 'garbage.json')
    const empty = path.join(folder, 'empty')
    await writeFile(garbage, 'garbage\nand more\n')
    await mkdir(empty)
    const failure = (location: string) =>
      run('node', [cli, 'diff', location, location]).then(
        () => assert.unreachable('should fail'),
        (error: {code: number; stdout: string; stderr: string}) => [
          error.code,
          error.stdout,
          error.stderr
        ]
      )

    assert.equal(await failure(missing), [
      2,
      '',
      `iam-catalog: Missing \`${missing}\`, expected a \`catalog.json\` or a build folder that ` +
        'holds one\n'
    ])
    assert.equal(await failure(garbage), [
      2,
      '',
      `iam-catalog: Unexpected content in \`${garbage}\` that is not JSON (Unexpected token ` +
        `'g', "garbage and more " is not valid JSON), expected a \`catalog.json\`\n`
    ])
    assert.equal(await failure(empty), [
      2,
      '',
      `iam-catalog: Missing \`catalog.json\` in folder \`${empty}\`, expected the output ` +
        'folder of a build\n'
    ])
  } finally {
    await rm(folder, {recursive: true, force: true})
  }
})

if (!existsSync(corpus)) {
  console.log(
    'diff.test: ../shared/corpus is absent, so the corpus against sources/ is not checked'
  )
} else {
  test('should count the corpus to sources/ changes as the raw data counts them', async () => {
    const [old, current] = await Promise.all([
      buildOnce(corpus),
      buildOnce(path.join(root, 'sources'))
    ])
    const {stdout} = await run('node', [cli, 'diff', old.out, current.out, '--format', 'json'], {
      maxBuffer: 256 * 1024 * 1024
    })
    const diff = JSON.parse(stdout) as CatalogDiff

    const expected = independentCounts(await corpusActions(corpus), await upstreamActions())
    console.log(`diff.test: corpus → sources/ ${JSON.stringify(diff.counts)}`)
    assert.equal(diff.counts, expected)
  })
}

/** An action reduced to what a diff compares, each field as a comparable string. */
interface Facts {
  accessLevels: string
  description: string
  resourceTypes: string
  conditionKeys: string
  dependentActions: string
}

interface RawService {
  name: string
  actions: Map<string, Facts>
}

/** An entry of a resource-types block, by its name; `""` is the action itself. */
type Entry = [string, {required: boolean; conditionKeys: string[]; dependentActions: string[]}]

/** The facts of a resource-types block keyed by resource type, `""` for the action itself. */
function facts(description: string, accessLevels: string[], entries: Entry[]): Facts {
  const named = entries.filter(([name]) => name !== '')
  const types = named.length > 0 ? named : [['*', {required: false}] as const]
  const placed = (field: 'conditionKeys' | 'dependentActions') =>
    [...new Set(entries.flatMap(([name, entry]) => entry[field].map((key) => `${name} ${key}`)))]
      .sort()
      .join('\n')

  return {
    accessLevels: [...accessLevels].sort().join(),
    description,
    resourceTypes: [...new Set(types.map(([name, entry]) => `${name} ${entry.required}`))]
      .sort()
      .join('\n'),
    conditionKeys: placed('conditionKeys'),
    dependentActions: placed('dependentActions')
  }
}

/** The corpus notes, read by their text: frontmatter, `- prefix:`, and each action's lines. */
async function corpusActions(vault: string): Promise<Map<string, RawService>> {
  const services = new Map<string, RawService>()

  for (const name of (await readdir(vault)).filter((file) => file.endsWith('.md'))) {
    const text = await readFile(path.join(vault, name), 'utf8')
    const prefix = /^- prefix: (\S+)$/m.exec(text)?.[1]
    const privileges = text.split(/^## Privileges$/m)[1]
    if (!prefix || privileges === undefined) continue

    const frontmatter = parseYaml(text.split(/^---$/m)[1] ?? '') as {title: string}
    const actions = new Map<string, Facts>()
    for (const chunk of privileges.split(/^### /m).slice(1)) {
      const json = /^```\n([\s\S]*?)^```$/m.exec(chunk)?.[1] ?? '{}'
      const block = JSON.parse(json) as Record<
        string,
        {required: boolean; condition_keys: string[]; dependent_actions: string[]}
      >
      const entries = Object.entries(block).map(([key, entry]): Entry => [
        key,
        {
          required: entry.required,
          conditionKeys: entry.condition_keys,
          dependentActions: entry.dependent_actions
        }
      ])
      const description = /^- description: (.*)$/m.exec(chunk)?.[1] ?? ''
      const levels = (/^- access level: (.*)$/m.exec(chunk)?.[1] ?? '').split(', ')
      actions.set(chunk.split('\n')[0]?.trim() ?? '', facts(description, levels, entries))
    }

    services.set(prefix, {name: frontmatter.title, actions})
  }

  return services
}

/** The upstream package, read from its JSON files. */
async function upstreamActions(): Promise<Map<string, RawService>> {
  const dataFolder = path.join(await locateUpstream(), 'data')
  const read = async (file: string) =>
    JSON.parse(await readFile(path.join(dataFolder, file), 'utf8'))
  const names = (await read('serviceNames.json')) as Record<string, string>
  const services = new Map<string, RawService>()

  for (const prefix of (await read('services.json')) as string[]) {
    const actions = new Map<string, Facts>()
    const raw = (await read(`actions/${prefix}.json`)) as Record<
      string,
      {
        name: string
        description: string
        accessLevel: string
        resourceTypes: {
          name: string
          required: boolean
          conditionKeys: string[]
          dependentActions: string[]
        }[]
        conditionKeys: string[]
        dependentActions: string[]
      }
    >
    for (const each of Object.values(raw)) {
      const entries: Entry[] = [
        ...each.resourceTypes.map((type): Entry => [type.name, type]),
        [
          '',
          {
            required: false,
            conditionKeys: each.conditionKeys,
            dependentActions: each.dependentActions
          }
        ]
      ]
      actions.set(each.name, facts(each.description, each.accessLevel.split(', '), entries))
    }

    services.set(prefix, {name: names[prefix] ?? '', actions})
  }

  return services
}

/** The counts a diff should give, by comparing the facts of the two readings. */
function independentCounts(
  old: Map<string, RawService>,
  current: Map<string, RawService>
): CatalogDiff['counts'] {
  const fields = [
    'accessLevels',
    'description',
    'resourceTypes',
    'conditionKeys',
    'dependentActions'
  ] as const
  const changedFields = {
    accessLevels: 0,
    description: 0,
    resourceTypes: 0,
    conditionKeys: 0,
    dependentActions: 0
  }
  const counts = {
    servicesAdded: [...current.keys()].filter((prefix) => !old.has(prefix)).length,
    servicesRemoved: [...old.keys()].filter((prefix) => !current.has(prefix)).length,
    servicesRenamed: 0,
    actionsAdded: 0,
    actionsRemoved: 0,
    actionsChanged: 0,
    changedFields
  }

  for (const [prefix, before] of old) {
    const now = current.get(prefix)
    if (!now) continue
    if (before.name !== now.name) counts.servicesRenamed++
    counts.actionsAdded += [...now.actions.keys()].filter(
      (name) => !before.actions.has(name)
    ).length

    for (const [name, was] of before.actions) {
      const is = now.actions.get(name)
      if (!is) {
        counts.actionsRemoved++
        continue
      }

      const changed = fields.filter((field) => was[field] !== is[field])
      for (const field of changed) changedFields[field]++
      if (changed.length > 0) counts.actionsChanged++
    }
  }

  return counts
}

test.run()
