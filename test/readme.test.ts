/**
 * The README documents the schema and the command line as a contract, so it must say what the
 * code does: its SQL block is the schema the SQLite emitter creates, and its help blocks are
 * what the CLI prints.
 */
import {execFile} from 'node:child_process'
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {schemaStatements} from '../pipeline/emit/sqlite.js'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')
const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
const cli = path.join(root, 'lib/pipeline/cli.js')

/** The fenced block of `language` that follows `marker` in the README. */
function blockAfter(marker: string, language = ''): string {
  const start = readme.indexOf(marker)
  assert.ok(start !== -1, `the README should have ${marker}`)
  const fence = '```' + language + '\n'
  const open = readme.indexOf(fence, start) + fence.length
  return readme.slice(open, readme.indexOf('```\n', open))
}

/** What `iam-catalog <args>` prints. */
async function help(args: string[]): Promise<string> {
  const {stdout} = await promisify(execFile)(process.execPath, [cli, ...args])
  return stdout
}

test('should document the SQLite schema exactly as it is created', () => {
  const statements = schemaStatements().map((statement) => statement + ';\n')
  assert.is(blockAfter('built\nwith exactly these statements', 'sql'), statements.join(''))
})

test('should document the help of the command line as it prints it', async () => {
  assert.is(blockAfter('`iam-catalog --help`:'), await help(['--help']))
  assert.is(blockAfter('`iam-catalog build --help`:'), await help(['build', '--help']))
})

test.run()
