/**
 * Hostile notes are harmless: formulas in CSV cells, YAML alias bombs, huge notes, keys named
 * `__proto__` or `constructor`, prefixes that climb out of the output, and symbolic links that
 * leave the vault.
 */
import {mkdir, readFile, rm, symlink, truncate, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {build} from '../pipeline/build.js'
import {compileNote} from '../pipeline/compile-note.js'
import {neutralizeCell} from '../pipeline/emit/csv.js'
import {emitJson} from '../pipeline/emit/json.js'
import type {Catalog, Service} from '../pipeline/model.js'
import {listFiles} from '../pipeline/publish.js'
import {readVault} from '../pipeline/read.js'
import {soundVault, temporaryFolder} from './helpers.js'

let work: string
let gadget: string

test.before(async () => {
  work = await temporaryFolder('hostile')
  gadget = await readFile(path.join(soundVault, 'iam.gadget.md'), 'utf8')
})

test.after(async () => {
  await rm(work, {recursive: true, force: true})
})

/** A vault in a new folder of `work` holding `notes` by name. */
async function vaultOf(name: string, notes: Record<string, string>): Promise<string> {
  const folder = path.join(work, name)
  await mkdir(folder, {recursive: true})
  for (const [file, text] of Object.entries(notes)) {
    await mkdir(path.dirname(path.join(folder, file)), {recursive: true})
    await writeFile(path.join(folder, file), text)
  }

  return folder
}

const formulaNote = () =>
  gadget
    .replace('Grants permission to create a gadget', '=HYPERLINK("https://example.com","click")')
    .replace('Grants permission to list gadgets', '+1+1')
    .replace('Grants permission to tag a gadget', '@SUM(A1:A2)')

test('should neutralize cells a spreadsheet would run as formulas', async () => {
  const vault = await vaultOf('formulas', {'iam.gadget.md': formulaNote()})
  await build({sources: vault, out: path.join(vault, 'out')})
  const csv = await readFile(path.join(vault, 'out/csv/actions.csv'), 'utf8')

  assert.is(
    csv,
    'service,action,description,access_level\r\n' +
      `gadget,CreateGadget,"'=HYPERLINK(""https://example.com"",""click"")",Write\r\n` +
      "gadget,ListGadgets,'+1+1,List\r\n" +
      `gadget,TagGadget,'@SUM(A1:A2),"Tagging, Write"\r\n`
  )
})

test('should write cells as they are with csvRaw', async () => {
  const vault = await vaultOf('formulas-raw', {'iam.gadget.md': formulaNote()})
  await build({sources: vault, out: path.join(vault, 'out'), csvRaw: true})
  const csv = await readFile(path.join(vault, 'out/csv/actions.csv'), 'utf8')

  assert.ok(csv.includes('gadget,ListGadgets,+1+1,List\r\n'))
  assert.ok(csv.includes('gadget,TagGadget,@SUM(A1:A2),'))
})

test('should neutralize cells that start with -, tab or carriage return, and no others', () => {
  assert.equal(['-2', '\tx', '\rx', 'a=b', '', 'Write', 3, null].map(neutralizeCell), [
    "'-2",
    "'\tx",
    "'\rx",
    'a=b',
    '',
    'Write',
    3,
    null
  ])
})

test('should refuse a YAML alias bomb with a clear error', () => {
  const lines = ['---', 'id: bomb', 'title: Bomb', 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol]']
  for (let level = 1; level < 9; level++) {
    lines.push(
      `a${level}: &a${level} [${Array(9)
        .fill(`*a${level - 1}`)
        .join(', ')}]`
    )
  }
  const text = [...lines, '---', gadget.split('---\n')[2]].join('\n')
  const result = compileNote('iam.bomb.md', new TextEncoder().encode(text))

  assert.is(result.kind, 'failed')
  assert.equal(
    result.messages.map((message) => [message.ruleId, message.reason, message.line]),
    [
      [
        'frontmatter-yaml',
        'Unexpected YAML in frontmatter: Excessive alias count indicates a resource exhaustion ' +
          'attack',
        1
      ]
    ]
  )
})

test('should refuse a note larger than 16 MiB without reading it', async () => {
  const vault = await vaultOf('huge', {'iam.huge.md': ''})
  // A sparse file: the size is what counts, and no memory or disk is spent on it.
  await truncate(path.join(vault, 'iam.huge.md'), 17 * 1024 * 1024)
  const notes = await readVault(vault)

  assert.equal(notes, [
    {
      path: 'iam.huge.md',
      fname: 'iam.huge',
      bytes: undefined,
      problem: '17.0 MiB, more than the 16 MiB a note may have'
    }
  ])
})

test('should keep `__proto__` and `constructor` keys as data and pollute nothing', async () => {
  const [head = '', tagAction = ''] = gadget
    .replace('sources:\n', 'sources:\n  - __proto__: {polluted: yes}\n    constructor: {a: b}\n')
    .split('### TagGadget')
  const note = `${head}### TagGadget${tagAction.replaceAll('"gadget"', '"__proto__"')}`
  const vault = await vaultOf('proto', {'iam.gadget.md': note})
  const result = await build({sources: vault, out: path.join(vault, 'out')})
  const written = JSON.parse(
    await readFile(path.join(vault, 'out/catalog.json'), 'utf8')
  ) as Catalog

  assert.ok(result.ok)
  assert.is(({} as Record<string, unknown>).polluted, undefined)
  assert.equal(Object.getOwnPropertyNames(Object.prototype).includes('polluted'), false)
  const service = written.services[0] as Service
  assert.equal(
    JSON.stringify(service.note.sources[0]),
    '{"__proto__":{"polluted":"yes"},"constructor":{"a":"b"}}'
  )
  assert.equal(
    service.actions
      .find((action) => action.name === 'TagGadget')
      ?.resourceTypes.map((type) => type.name),
    ['__proto__']
  )
})

test('should never write outside out, whatever the prefix', async () => {
  const vault = await vaultOf('escape', {
    'iam.gadget.md': gadget,
    'iam.up.md': gadget.replace('- prefix: gadget', '- prefix: ../../escaped'),
    'iam.root.md': gadget.replace('- prefix: gadget', '- prefix: /escaped')
  })
  const result = await build({sources: vault, out: path.join(vault, 'out'), keepGoing: true})

  assert.equal(
    result.notes.map((note) => [note.path, note.kind, note.messages[0]?.ruleId]),
    [
      ['iam.gadget.md', 'service', undefined],
      ['iam.root.md', 'failed', 'prefix-malformed'],
      ['iam.up.md', 'failed', 'prefix-malformed']
    ]
  )
  const files = (await listFiles(work)).filter((file) => /escaped/.test(file))
  assert.equal(files, [])
})

test('should refuse to emit a service whose prefix is not a plain file name', async () => {
  const folder = path.join(work, 'emit')
  await mkdir(folder)
  const catalog = {format: 'iam-catalog/1', services: [{prefix: '../escaped'}]} as Catalog

  try {
    await emitJson(catalog, folder)
    assert.unreachable('emitJson should throw')
  } catch (error) {
    assert.is(
      (error as Error).message,
      'Unexpected prefix `../escaped` for a file name, expected [a-z0-9-]'
    )
  }
  assert.equal(await listFiles(work).then((files) => files.filter((f) => /escaped/.test(f))), [])
})

test('should follow a symbolic link inside the vault and refuse one that leaves it', async () => {
  const outside = await vaultOf('outside', {'iam.secret.md': gadget})
  const widget = await readFile(path.join(soundVault, 'iam.widget.md'), 'utf8')
  const vault = await vaultOf('links', {'kept/iam.widget.txt': widget})
  await symlink('kept/iam.widget.txt', path.join(vault, 'iam.widget.md'))
  await symlink(path.join(outside, 'iam.secret.md'), path.join(vault, 'iam.secret.md'))
  await symlink('../outside/iam.secret.md', path.join(vault, 'iam.relative.md'))
  const notes = await readVault(vault)

  assert.equal(
    notes.map((note) => [note.path, note.bytes === undefined ? note.problem : 'read']),
    [
      ['iam.relative.md', 'a symbolic link that leaves the vault'],
      ['iam.secret.md', 'a symbolic link that leaves the vault'],
      ['iam.widget.md', 'read']
    ]
  )
})

test.run()
