/**
 * The compiled command line, run as users run it: what it prints for broken notes, the JSON
 * report, and its exit codes (0 built, 1 errors in the notes, 2 bad usage or I/O). A failed
 * build must leave an existing output folder exactly as it was.
 */
import {spawnSync} from 'node:child_process'
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const cli = path.join(root, 'lib/pipeline/cli.js')
const fixtures = path.join(root, 'test/fixtures')

let scratch: string

test.before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'iam-catalog-cli-'))
})

test.after(async () => {
  await rm(scratch, {recursive: true, force: true})
})

/** Run the CLI without colors, so its output is the same on a terminal and in CI. */
function run(...args: string[]) {
  const child = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: {...process.env, FORCE_COLOR: '0', NO_COLOR: '1'}
  })
  return {code: child.status, stdout: child.stdout, stderr: child.stderr}
}

/** A fresh folder holding an output folder from an earlier build, to see it survive. */
async function previousOut(): Promise<{parent: string; out: string}> {
  const parent = await mkdtemp(path.join(scratch, 'previous-'))
  const out = path.join(parent, 'dist')
  await mkdir(path.join(out, 'services'), {recursive: true})
  await writeFile(path.join(out, 'catalog.json'), '{"format": "iam-catalog/1", "services": []}\n')
  await writeFile(path.join(out, 'services/example.json'), '{}\n')
  return {parent, out}
}

/** Everything under `folder`, as sorted relative paths and their text. */
async function snapshot(folder: string): Promise<[string, string][]> {
  const entries = await readdir(folder, {recursive: true, withFileTypes: true})
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
    .sort()
  return Promise.all(
    files.map(
      async (file) => [file, await readFile(path.join(folder, file), 'utf8')] as [string, string]
    )
  )
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The bad inputs every vault meets first, each with the line `vfile-reporter` prints for it. */
const firstKinds = [
  {
    ruleId: 'frontmatter-yaml',
    note: 'iam.example.md',
    at: '3:8-3:9',
    reason: 'Unexpected YAML in frontmatter: Nested mappings are not allowed in compact mappings'
  },
  {
    ruleId: 'prefix-missing',
    note: 'iam.example.md',
    at: '11:1-11:14',
    reason: 'Missing `- prefix: <prefix>` item, expected one before `## Privileges`'
  },
  {
    ruleId: 'resource-types-json',
    note: 'iam.example.md',
    at: '24:5-24:6',
    reason:
      'Unexpected `}` in resource types of `GetWidget`, expected a property name in double quotes'
  },
  {
    ruleId: 'access-level-unknown',
    note: 'iam.example.md',
    at: '35:1-35:23',
    reason:
      'Unexpected access level `Delete` in action `ListWidgets`, expected one of `List`, ' +
      '`Permissions management`, `Read`, `Tagging`, `Write`'
  },
  {
    ruleId: 'duplicate-action',
    note: 'iam.example.md',
    at: '33:1-33:14',
    reason: 'Unexpected duplicate action `GetWidget`, expected each action once (first at line 13)'
  },
  {
    ruleId: 'duplicate-prefix',
    note: 'iam.example2.md',
    at: '10:1-10:18',
    reason:
      'Unexpected prefix `example` again, expected each prefix in one note ' +
      '(also in `iam.example.md`)'
  }
]

for (const kind of firstKinds) {
  const name = `should print \`${kind.ruleId}\` with its place, exit 1 and leave OUT untouched`
  test(name, async () => {
    const {parent, out} = await previousOut()
    const before = await snapshot(out)

    const result = run(
      'build',
      '--sources',
      path.join(fixtures, 'broken', kind.ruleId),
      '--out',
      out
    )

    const line = new RegExp(
      `^${kind.note}\\n(?:.*\\n)*?${escape(kind.at)} +error +${escape(kind.reason)} +` +
        `${kind.ruleId} +iam-catalog$`,
      'm'
    )
    assert.match(result.stderr, line)
    assert.is(result.code, 1)
    assert.equal(await snapshot(out), before)
    assert.equal(await readdir(parent), ['dist'])
  })
}

test('should print the same messages as JSON with `--report json`', () => {
  const out = path.join(scratch, 'json-report')
  const sources = path.join(fixtures, 'broken/frontmatter-id')
  const result = run('build', '--sources', sources, '--out', out, '--report', 'json')

  assert.equal(JSON.parse(result.stdout), [
    {
      path: 'iam.empty.md',
      messages: [
        {
          severity: 'error',
          ruleId: 'frontmatter-id',
          reason: 'Unexpected empty `id` in frontmatter, expected a non-empty string',
          line: 2,
          column: 1,
          endLine: 2,
          endColumn: 7,
          source: 'iam-catalog'
        }
      ]
    },
    {
      path: 'iam.example.md',
      messages: [
        {
          severity: 'error',
          ruleId: 'frontmatter-id',
          reason: 'Missing `id` in frontmatter, expected a non-empty string',
          line: 1,
          column: 1,
          endLine: 7,
          endColumn: 4,
          source: 'iam-catalog'
        }
      ]
    }
  ])
  assert.match(
    result.stderr,
    /^iam-catalog: 2 notes read, 0 skipped, 2 failed, .*; wrote nothing\n$/
  )
  assert.is(result.code, 1)
})

test('should exit 0 and write OUT when the notes are sound', async () => {
  const out = path.join(scratch, 'sound')
  const result = run('build', '--sources', path.join(fixtures, 'sound'), '--out', out)

  assert.is(result.code, 0)
  assert.is(result.stdout, '')
  assert.match(result.stderr, /^iam-catalog: 1 note read, 0 skipped, 1 service, 2 actions, /)
  assert.match(result.stderr, / services\/ \(1 file\) /)
  assert.equal((await readdir(out)).sort(), [
    'catalog.json',
    'catalog.sqlite',
    'csv',
    'manifest.json',
    'report.json',
    'services'
  ])
})

test('should pass warnings, fail on them with `--frail` and hide them with `--quiet`', async () => {
  const sources = path.join(fixtures, 'broken/unknown-section')
  const {out} = await previousOut()
  const before = await snapshot(out)

  const frail = run('build', '--sources', sources, '--out', out, '--frail')
  assert.is(frail.code, 1)
  assert.match(frail.stderr, /^47:1-47:9 +warning +Unexpected section `Notes`/m)
  assert.equal(await snapshot(out), before)

  const lenient = run('build', '--sources', sources, '--out', out)
  assert.is(lenient.code, 0)
  assert.match(lenient.stderr, /^47:1-47:9 +warning +Unexpected section `Notes`/m)
  assert.not.equal(await snapshot(out), before)

  const quiet = run('build', '--sources', sources, '--out', out, '--quiet')
  assert.is(quiet.code, 0)
  assert.not.match(quiet.stderr, /warning/)
  assert.match(quiet.stderr, /^iam-catalog: 1 note read, 0 skipped, 1 service, 2 actions, /)
})

test('should still print the warnings that fail a `--frail` build with `--quiet`', async () => {
  const sources = path.join(fixtures, 'broken/unknown-section')
  const {out} = await previousOut()

  const result = run('build', '--sources', sources, '--out', out, '--frail', '--quiet')
  assert.is(result.code, 1)
  assert.match(result.stderr, /^47:1-47:9 +warning +Unexpected section `Notes`/m)
})

test('should show info messages, such as skipped notes, only with `--verbose`', () => {
  const sources = path.join(fixtures, 'broken/not-a-catalog-note')
  const out = path.join(scratch, 'verbose')

  const quiet = run('build', '--sources', sources, '--out', out)
  assert.is(quiet.code, 0)
  assert.not.match(quiet.stderr, /not-a-catalog-note/)

  const verbose = run('build', '--sources', sources, '--out', out, '--verbose')
  assert.is(verbose.code, 0)
  assert.match(
    verbose.stderr,
    /^iam\.md\n +info +Not a catalog note: no `## Privileges` section +not-a-catalog-note/m
  )
})

test('should exit 2 with commander’s one line on bad usage', () => {
  assert.equal(run('build', '--nope'), {
    code: 2,
    stdout: '',
    stderr: "error: unknown option '--nope'\n"
  })
  assert.equal(run('build', '--report', 'xml'), {
    code: 2,
    stdout: '',
    stderr:
      "error: option '--report <format>' argument 'xml' is invalid. Allowed choices are " +
      'text, json.\n'
  })
  assert.equal(run('bogus').code, 2)
  assert.is(run('--help').code, 0)
})

test('should exit 2 with one clear line when the sources folder is missing', () => {
  const sources = path.join(scratch, 'no-such-vault')
  assert.equal(run('build', '--sources', sources, '--out', path.join(scratch, 'unused')), {
    code: 2,
    stdout: '',
    stderr:
      `iam-catalog: cannot read the sources folder \`${sources}\`: ` +
      'no such file or directory (ENOENT)\n'
  })
})

test('should exit 2 with one clear line when OUT cannot be written', async () => {
  const sources = path.join(fixtures, 'sound')
  const file = path.join(scratch, 'a-file')
  await writeFile(file, 'not a folder\n')

  assert.equal(run('build', '--sources', sources, '--out', file), {
    code: 2,
    stdout: '',
    stderr: `iam-catalog: cannot write the output folder \`${file}\`: not a folder\n`
  })
  assert.equal(run('build', '--sources', sources, '--out', path.join(file, 'dist')), {
    code: 2,
    stdout: '',
    stderr: `iam-catalog: cannot make the output folder \`dist\` in \`${file}\`: not a folder\n`
  })
})

test.run()
