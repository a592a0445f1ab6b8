/**
 * Every rule has a folder of fixtures under `test/fixtures/broken/`, named by its rule id: small
 * notes, each sound but for one mistake. Each folder is built as a vault and must give exactly
 * the messages stated here: the note, the place (`line:column-endLine:endColumn`, as
 * `vfile-reporter` prints it), the severity, the rule and the text.
 */
import {copyFile, mkdir, mkdtemp, readdir, readFile, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {build} from '../pipeline/build.js'
import type {Severity} from '../pipeline/diagnostics.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const sound = path.join(root, 'test/fixtures/sound')
const broken = path.join(root, 'test/fixtures/broken')

const LEVELS = '`List`, `Permissions management`, `Read`, `Tagging`, `Write`'

/** One expected message: the note it is on, its place, severity and text. */
interface Expected {
  note: string
  at: string
  severity: Severity
  reason: string
}

/** The messages each fixture folder gives, by the rule the folder is named for. */
// A table reads best one message to two lines, which Prettier would spread out.
// prettier-ignore
const expectedByRule: Record<string, Expected[]> = {
  'access-level-missing': [
    {note: 'iam.empty.md', at: '35:1-35:16', severity: 'error', reason:
      'Missing value of `- access level:` in action `ListWidgets`, expected one of ' + LEVELS},
    {note: 'iam.example.md', at: '33:1-33:16', severity: 'error', reason:
      'Missing `- access level:` item in action `ListWidgets`, expected one under its heading'},
  ],
  'access-level-unknown': [
    {note: 'iam.compound.md', at: '35:1-35:29', severity: 'error', reason:
      'Unexpected access level `Browse` in action `ListWidgets`, expected one of ' + LEVELS},
    {note: 'iam.example.md', at: '35:1-35:23', severity: 'error', reason:
      'Unexpected access level `Delete` in action `ListWidgets`, expected one of ' + LEVELS},
  ],
  'condition-key-malformed': [
    {note: 'iam.example.md', at: '22:28-22:41', severity: 'error', reason:
      'Unexpected `WidgetColor` in `condition_keys` of entry `widget` in resource types of ' +
        '`GetWidget`, expected `prefix:Name`, such as `aws:RequestTag/${TagKey}`'},
  ],
  'dependent-action-malformed': [
    {note: 'iam.example.md', at: '29:31-29:56', severity: 'error', reason:
      'Unexpected `example: DescribeWidget` in `dependent_actions` of entry `""` in resource ' +
        'types of `GetWidget`, expected `prefix:Name`, such as `s3:GetObject`'},
  ],
  'description-missing': [
    {note: 'iam.example.md', at: '33:1-33:16', severity: 'error', reason:
      'Missing `- description:` item in action `ListWidgets`, expected one under its heading'},
  ],
  'duplicate-action': [
    {note: 'iam.example.md', at: '33:1-33:14', severity: 'error', reason:
      'Unexpected duplicate action `GetWidget`, expected each action once (first at line 13)'},
  ],
  'duplicate-list-item': [
    {note: 'iam.example.md', at: '22:51-22:72', severity: 'warning', reason:
      'Unexpected duplicate `example:WidgetColor` in `condition_keys` of entry `widget` in ' +
        'resource types of `GetWidget`, expected each once; it is kept once'},
  ],
  'duplicate-prefix': [
    {note: 'iam.example2.md', at: '10:1-10:18', severity: 'error', reason:
      'Unexpected prefix `example` again, expected each prefix in one note (also in ' +
        '`iam.example.md`)'},
  ],
  'frontmatter-duplicate-key': [
    {note: 'iam.example.md', at: '4:1-4:6', severity: 'error', reason:
      'Unexpected duplicate key `title` in frontmatter, expected each key once'},
  ],
  'frontmatter-id': [
    {note: 'iam.empty.md', at: '2:1-2:7', severity: 'error', reason:
      'Unexpected empty `id` in frontmatter, expected a non-empty string'},
    {note: 'iam.example.md', at: '1:1-7:4', severity: 'error', reason:
      'Missing `id` in frontmatter, expected a non-empty string'},
  ],
  'frontmatter-missing': [
    {note: 'iam.example.md', at: '1:1', severity: 'error', reason:
      'Missing frontmatter, expected a `---` block with `id` and `title` at the top'},
  ],
  'frontmatter-timestamp': [
    {note: 'iam.example.md', at: '5:1-5:19', severity: 'warning', reason:
      'Unexpected `updated` `yesterday` (string), expected epoch milliseconds; stored as ' +
        'unknown'},
  ],
  'frontmatter-title': [
    {note: 'iam.example.md', at: '1:1-7:4', severity: 'error', reason:
      'Missing `title` in frontmatter, expected a non-empty string'},
    {note: 'iam.list.md', at: '3:1-4:12', severity: 'error', reason:
      'Unexpected `title` list in frontmatter, expected a non-empty string'},
  ],
  'frontmatter-unclosed': [
    {note: 'iam.example.md', at: '1:1-1:4', severity: 'error', reason:
      'Unexpected frontmatter without a closing `---`, expected a `---` line after the YAML'},
  ],
  'frontmatter-yaml': [
    {note: 'iam.crlf.md', at: '3:8-3:9', severity: 'error', reason:
      'Unexpected YAML in frontmatter: Nested mappings are not allowed in compact mappings'},
    {note: 'iam.example.md', at: '3:8-3:9', severity: 'error', reason:
      'Unexpected YAML in frontmatter: Nested mappings are not allowed in compact mappings'},
    {note: 'iam.list.md', at: '1:1-4:4', severity: 'error', reason:
      'Unexpected frontmatter that is not a mapping, expected `key: value` lines'},
  ],
  'heading-level': [
    {note: 'iam.example.md', at: '33:1-33:17', severity: 'error', reason:
      'Unexpected `####` heading for action `ListWidgets`, expected `###`'},
    {note: 'iam.h2.md', at: '33:1-33:15', severity: 'error', reason:
      'Unexpected `##` heading for action `ListWidgets`, expected `###`'},
  ],
  'item-repeated': [
    {note: 'iam.example.md', at: '36:1-36:33', severity: 'error', reason:
      'Unexpected second `- description` item in action `ListWidgets`, expected one (first ' +
        'at line 34)'},
  ],
  'not-a-catalog-note': [
    {note: 'iam.md', at: '', severity: 'info', reason:
      'Not a catalog note: no `## Privileges` section'},
  ],
  'not-utf8': [
    {note: 'iam.example.md', at: '14:27', severity: 'error', reason:
      'Unexpected byte `0xE9` that is not UTF-8, expected a UTF-8 note'},
  ],
  'prefix-malformed': [
    {note: 'iam.example.md', at: '10:1-10:26', severity: 'error', reason:
      'Unexpected prefix `Example Widgets`, expected lower case letters, digits and `-`, ' +
        'such as `s3` or `access-analyzer`'},
  ],
  'prefix-missing': [
    {note: 'iam.example.md', at: '11:1-11:14', severity: 'error', reason:
      'Missing `- prefix: <prefix>` item, expected one before `## Privileges`'},
  ],
  'prefix-repeated': [
    {note: 'iam.example.md', at: '11:1-11:18', severity: 'error', reason:
      'Unexpected second `- prefix:` item, expected one (first at line 10)'},
  ],
  'privileges-empty': [
    {note: 'iam.example.md', at: '12:1-12:14', severity: 'error', reason:
      'Unexpected empty `## Privileges` section, expected `###` action headings'},
  ],
  'privileges-repeated': [
    {note: 'iam.example.md', at: '34:1-34:14', severity: 'error', reason:
      'Unexpected second `## Privileges` section, expected one; move its actions under the ' +
        'first'},
  ],
  'resource-type-mismatch': [
    {note: 'iam.example.md', at: '20:26-20:34', severity: 'error', reason:
      'Unexpected `resource_type` `gadget` in entry `widget` in resource types of ' +
        '`GetWidget`, expected `widget`, the key of the entry'},
  ],
  'resource-types-field': [
    {note: 'iam.example.md', at: '22:9-22:14', severity: 'warning', reason:
      'Unexpected field `arn` in entry `widget` in resource types of `GetWidget`, expected ' +
        '`resource_type`, `required`, `condition_keys` or `dependent_actions`; it is not compiled'},
  ],
  'resource-types-json': [
    {note: 'iam.comment.md', at: '42:30-42:37', severity: 'error', reason:
      'Unexpected `// none` in resource types of `ListWidgets`, expected JSON, which has no ' +
        'comments'},
    {note: 'iam.crlf.md', at: '24:5-24:6', severity: 'error', reason:
      'Unexpected `}` in resource types of `GetWidget`, expected a property name in double ' +
        'quotes'},
    {note: 'iam.example.md', at: '24:5-24:6', severity: 'error', reason:
      'Unexpected `}` in resource types of `GetWidget`, expected a property name in double ' +
        'quotes'},
    {note: 'iam.indented.md', at: '24:7-24:8', severity: 'error', reason:
      'Unexpected `}` in resource types of `GetWidget`, expected a property name in double ' +
        'quotes'},
  ],
  'resource-types-missing': [
    {note: 'iam.example.md', at: '36:1-36:17', severity: 'error', reason:
      'Missing resource types block in action `ListWidgets`, expected a fenced JSON block ' +
        'after `- resource types`'},
  ],
  'resource-types-shape': [
    {note: 'iam.example.md', at: '21:21-21:26', severity: 'error', reason:
      'Unexpected string for `required` of entry `widget` in resource types of `GetWidget`, ' +
        'expected a boolean'},
    {note: 'iam.field.md', at: '42:9-42:19', severity: 'error', reason:
      'Unexpected duplicate field `required` in entry `""` in resource types of ' +
        '`ListWidgets`, expected once'},
    {note: 'iam.item.md', at: '42:28-42:29', severity: 'error', reason:
      'Unexpected number for item of `condition_keys` in entry `""` in resource types of ' +
        '`ListWidgets`, expected a string'},
    {note: 'iam.keys.md', at: '22:27-22:48', severity: 'error', reason:
      'Unexpected string for `condition_keys` of entry `widget` in resource types of ' +
        '`GetWidget`, expected a list'},
    {note: 'iam.list.md', at: '38:1-38:3', severity: 'error', reason:
      'Unexpected array for the block in resource types of `ListWidgets`, expected an object ' +
        'of resource types'},
  ],
  'stub-with-content': [
    {note: 'iam.example.md', at: '7:1-7:11', severity: 'warning', reason:
      'Unexpected content in a note marked `stub: true`, expected an empty stub; the content ' +
        'is compiled, so remove `stub: true`'},
  ],
  'unexpected-content': [
    {note: 'iam.before.md', at: '13:1-13:21', severity: 'warning', reason:
      'Unexpected paragraph `Every widget action.` before the first action, expected a `###` ' +
        'action heading; it is not compiled'},
    {note: 'iam.example.md', at: '37:1-37:22', severity: 'warning', reason:
      'Unexpected paragraph `See the widget guide.` in action `ListWidgets`, expected its ' +
        'items and one JSON block; it is not compiled'},
    {note: 'iam.head.md', at: '10:1-10:9', severity: 'warning', reason:
      'Unexpected paragraph `Widgets.` before `## Privileges`, expected the `#` title and `- ' +
        'prefix:`; it is not compiled'},
  ],
  'unknown-item': [
    {note: 'iam.action.md', at: '36:1-36:19', severity: 'warning', reason:
      'Unexpected item `deprecated: true` in action `ListWidgets`, expected `description`, ' +
        '`access level` or `resource types`; it is not compiled'},
    {note: 'iam.example.md', at: '11:1-11:22', severity: 'warning', reason:
      'Unexpected item `owner: widgets team` before `## Privileges`, expected `- prefix: ' +
        '<prefix>`; it is not compiled'},
  ],
  'unknown-section': [
    {note: 'iam.example.md', at: '47:1-47:9', severity: 'warning', reason:
      'Unexpected section `Notes`, expected `Summary`, `Table of Contents` or `Privileges`; ' +
        'its content is not compiled'},
  ],
}

let scratch: string

test.before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'iam-catalog-diagnostics-'))
})

test.after(async () => {
  await rm(scratch, {recursive: true, force: true})
})

/** Build `sources` into a scratch folder; the messages as `Expected` records with rule ids. */
async function buildMessages(sources: string) {
  const out = await mkdtemp(path.join(scratch, 'out-'))
  const result = await build({sources, out: path.join(out, 'dist')})
  const messages = [...result.messages].flatMap(([note, messages]) =>
    messages.map((message) => {
      const start = message.line === null ? '' : `${message.line}:${message.column}`
      const end = message.endLine === null ? '' : `-${message.endLine}:${message.endColumn}`
      return {
        note,
        at: start + end,
        severity: message.severity,
        ruleId: message.ruleId,
        reason: message.reason
      }
    })
  )
  return {ok: result.ok, result, messages}
}

test('should compile the sound note that the fixtures vary, without a message', async () => {
  const {ok, result, messages} = await buildMessages(sound)
  assert.equal(messages, [])
  assert.ok(ok)
  assert.equal(
    result.catalog.services.map((service) => [service.prefix, service.actions.length]),
    [['example', 2]]
  )
})

test('should have a rule for every fixture folder and a fixture for every rule', async () => {
  const folders = (await readdir(broken)).sort()
  assert.equal(folders, [...Object.keys(expectedByRule), 'no-catalog-notes', 'vault-empty'].sort())
})

for (const [ruleId, expected] of Object.entries(expectedByRule)) {
  test(`should report \`${ruleId}\` at its exact place, with its exact text`, async () => {
    const {ok, messages} = await buildMessages(path.join(broken, ruleId))
    assert.equal(
      messages,
      expected.map((message) => ({...message, ruleId}))
    )
    // Errors stop the build; warnings and info do not.
    assert.is(ok, !expected.some((message) => message.severity === 'error'))
  })
}

test('should list every rule in the README, with the severity it reports', async () => {
  const readme = await readFile(path.join(root, 'README.md'), 'utf8')
  // The build's rules alone: the refresh has a table of its own further on.
  const rules = readme.slice(
    readme.indexOf('### Rules'),
    readme.indexOf('\n## ', readme.indexOf('### Rules'))
  )
  const listed = [...rules.matchAll(/^\| `([a-z0-9-]+)` \| (error|warning|info) \|/gm)].map(
    (match) => [match[1], match[2]]
  )
  const reported = [
    ...Object.entries(expectedByRule).map(([ruleId, expected]) => [ruleId, expected[0]?.severity]),
    ['no-catalog-notes', 'warning'],
    ['note-unreadable', 'error'],
    ['vault-empty', 'error']
  ]
  assert.equal(listed.sort(), reported.sort())
})

test('should report `vault-empty` on a folder with no notes at all', async () => {
  const vault = path.join(broken, 'vault-empty')
  const {ok, messages} = await buildMessages(vault)
  assert.equal(messages, [
    {
      note: vault,
      at: '',
      severity: 'error',
      ruleId: 'vault-empty',
      reason: 'Missing notes in the folder, expected at least one `*.md` note'
    }
  ])
  assert.not.ok(ok)
})

test('should report `no-catalog-notes` on a vault whose notes are all skipped', async () => {
  const vault = path.join(broken, 'no-catalog-notes')
  const {ok, result, messages} = await buildMessages(vault)
  assert.equal(messages, [
    {
      note: 'iam.md',
      at: '',
      severity: 'info',
      ruleId: 'not-a-catalog-note',
      reason: 'Not a catalog note: no `## Privileges` section'
    },
    {
      note: vault,
      at: '',
      severity: 'warning',
      ruleId: 'no-catalog-notes',
      reason: 'No catalog notes in the vault, expected notes with a `## Privileges` section'
    }
  ])
  // A warning: the empty catalog is still written, and `--frail` fails on it.
  assert.ok(ok)
  assert.equal(result.catalog.services, [])
})

test('should report `note-unreadable` on a note that cannot be read as a file', async () => {
  const vault = await mkdtemp(path.join(scratch, 'vault-'))
  await copyFile(path.join(sound, 'iam.example.md'), path.join(vault, 'iam.example.md'))
  await mkdir(path.join(vault, 'iam.folder.md'))

  const {ok, messages} = await buildMessages(vault)
  assert.equal(messages, [
    {
      note: 'iam.folder.md',
      at: '',
      severity: 'error',
      ruleId: 'note-unreadable',
      reason: 'Cannot read note: not a regular file'
    }
  ])
  assert.not.ok(ok)
})

test.run()
