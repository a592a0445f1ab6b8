/**
 * What several suites need: the fixture folders, the CLI, temporary folders and the sha256 of
 * every artifact of an output.
 */
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {cp, mkdtemp, readdir, readFile, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {listFiles} from '../pipeline/publish.js'

/** The repository root (tests run from `lib/test`). */
export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')

/** A small vault of sound notes: two services and a hierarchy root. */
export const soundVault = path.join(root, 'test/fixtures/sound-vault')

/** The real 2020 vault beside the project, which may be absent. */
export const corpusVault = path.join(root, '../shared/corpus/vault')

const cli = path.join(root, 'lib/pipeline/cli.js')

/** A new empty folder under the system's temporary folder. */
export function temporaryFolder(name: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `iam-catalog-${name}-`))
}

/** The sha256 of each file under `folder`, by its relative path. */
export async function hashArtifacts(folder: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {}
  for (const file of await listFiles(folder)) {
    hashes[file] = createHash('sha256')
      .update(await readFile(path.join(folder, file)))
      .digest('hex')
  }

  return hashes
}

/** Copy the notes of `from` into `to`, creating the files in the order of `names`. */
export async function copyNotes(from: string, to: string, names?: string[]): Promise<void> {
  for (const name of names ?? (await readdir(from))) {
    await cp(path.join(from, name), path.join(to, name))
  }
}

/**
 * A vault of `notes` generated services with `actions` actions each, from the gadget fixture,
 * big enough that a build takes a while. `variant` changes every description, so two vaults
 * of other variants give other artifacts.
 */
export async function writeGeneratedVault(
  folder: string,
  notes: number,
  actions: number,
  variant: string
): Promise<void> {
  const template = await readFile(path.join(soundVault, 'iam.gadget.md'), 'utf8')
  const [head = '', firstAction = ''] = template.split(/^(?=### CreateGadget)/m)
  const action = firstAction.split(/^(?=### ListGadgets)/m)[0] ?? ''

  for (let note = 0; note < notes; note++) {
    const prefix = `gadget${note}`
    const body = Array.from({length: actions}, (_, index) =>
      action
        .replace('CreateGadget', `CreateGadget${index}`)
        .replace('create a gadget', `create gadget ${index} (${variant})`)
    ).join('')
    const text = head
      .replace('- prefix: gadget', `- prefix: ${prefix}`)
      .replace('id: iam-gadget', `id: iam-${prefix}`)
      .replace(/gadget:/g, `${prefix}:`)
    await writeFile(
      path.join(folder, `iam.${prefix}.md`),
      text + body.replace(/gadget:/g, `${prefix}:`)
    )
  }
}

/** What a run of the CLI ended with. */
export interface CliRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Run `iam-catalog` with `args`; when `killAfterMs` is given, send SIGKILL after that long.
 */
export function runCli(
  args: string[],
  options: {env?: NodeJS.ProcessEnv; killAfterMs?: number} = {}
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {env: options.env ?? process.env})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += String(chunk)))
    child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)))
    const timer =
      options.killAfterMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code, signal, stdout, stderr})
    })
  })
}
