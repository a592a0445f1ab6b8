/**
 * The version of the compiler, as the cache and the manifest of a build know it: the package
 * version, a hash of the compiled pipeline code, and the versions of the libraries that shape a
 * note's result. Any change to one of these gives another version, so results kept from an
 * older compiler are never taken for current ones.
 */
import {createHash} from 'node:crypto'
import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {byCodePoint} from './read.js'

/** The libraries whose behaviour decides what a note compiles to. */
const PARSING_LIBRARIES = [
  'unified',
  'remark-parse',
  'remark-frontmatter',
  'micromark',
  'mdast-util-from-markdown',
  'mdast-util-to-string',
  'yaml',
  'jsonc-parser',
  'vfile',
  'vfile-message'
]

let memo: Promise<string> | undefined

/** The compiler version: a sha256 hex digest, computed once per process. */
export function compilerVersion(): Promise<string> {
  memo ??= computeVersion()
  return memo
}

async function computeVersion(): Promise<string> {
  const hash = createHash('sha256')
  const pipeline = path.dirname(fileURLToPath(import.meta.url))
  const packageJson = path.join(pipeline, '../../package.json')
  hash.update(`iam-catalog@${(await readJson(packageJson)).version}\n`)

  for (const file of await codeFiles(pipeline)) {
    hash.update(`${file}\n`)
    hash.update(await readFile(path.join(pipeline, file)))
  }

  for (const name of PARSING_LIBRARIES) {
    hash.update(`${name}@${await libraryVersion(name, pipeline)}\n`)
  }

  return hash.digest('hex')
}

/** The `.js` files under `folder`, as sorted relative paths. */
async function codeFiles(folder: string): Promise<string[]> {
  const files = await readdir(folder, {recursive: true})
  return files
    .filter((file) => file.endsWith('.js'))
    .map((file) => file.split(path.sep).join('/'))
    .sort(byCodePoint)
}

/**
 * The version of an installed library, found as Node finds the library from `folder`: in the
 * `node_modules` of `folder` or of a folder above it.
 */
async function libraryVersion(name: string, folder: string): Promise<string> {
  for (let at = folder; ; at = path.dirname(at)) {
    try {
      return (await readJson(path.join(at, 'node_modules', name, 'package.json'))).version
    } catch {
      if (path.dirname(at) === at) return 'unknown'
    }
  }
}

async function readJson(file: string): Promise<{version: string}> {
  return JSON.parse(await readFile(file, 'utf8')) as {version: string}
}
