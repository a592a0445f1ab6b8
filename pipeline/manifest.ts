/**
 * The manifest of a build, `manifest.json` in the output: a digest of everything the build
 * read (the compiler version, the options that change the artifacts, and each note's path and
 * bytes), and the size and sha256 of each artifact. A later build from the same inputs finds
 * that the output already holds what it would write, checks that nothing in it was changed or
 * lost, and then writes nothing.
 */
import {readFileSync} from 'node:fs'
import {readdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {sha256} from './cache.js'
import {toJson} from './emit/json.js'
import {byCodePoint} from './read.js'

/** The file name of the manifest in the output folder. */
export const MANIFEST = 'manifest.json'

const FORMAT = 'iam-catalog-manifest/1'

/** One artifact as the manifest records it. */
export interface ManifestArtifact {
  path: string
  bytes: number
  sha256: string
}

interface Manifest {
  format: typeof FORMAT
  inputs: string
  artifacts: ManifestArtifact[]
}

/** A note as the inputs digest sees it: its path and the digest of its bytes (or why none). */
export interface NoteDigest {
  path: string
  digest: string
}

/**
 * The digest of the inputs of a build.
 *
 * @param compiler The compiler version.
 * @param settings The options that change the artifacts, by name.
 * @param notes Every note of the vault, in the order read.
 */
export function inputsDigest(
  compiler: string,
  settings: Record<string, string | boolean>,
  notes: NoteDigest[]
): string {
  const lines = [FORMAT, compiler, JSON.stringify(settings)]
  for (const note of notes) lines.push(`${note.path}\0${note.digest}`)
  return sha256(lines.join('\n'))
}

/**
 * Write the manifest of the artifacts `written` (paths relative to `folder`) into `folder`.
 *
 * @returns The artifacts, the manifest last.
 */
export async function writeManifest(
  folder: string,
  inputs: string,
  written: string[]
): Promise<ManifestArtifact[]> {
  const artifacts = await Promise.all(
    written.map(async (name) => describe(name, await readFile(path.join(folder, name))))
  )
  const text = toJson({format: FORMAT, inputs, artifacts} satisfies Manifest)
  await writeFile(path.join(folder, MANIFEST), text)
  return [...artifacts, describe(MANIFEST, Buffer.from(text))]
}

/**
 * The artifacts of `out` when it was built from `inputs` and is intact: every artifact there
 * with its size and sha256, and nothing else.
 *
 * @returns The artifacts, or `undefined` when `out` must be built again.
 */
export async function intactOutput(
  out: string,
  inputs: string
): Promise<ManifestArtifact[] | undefined> {
  let manifestText: Buffer
  let manifest: Manifest
  try {
    manifestText = await readFile(path.join(out, MANIFEST))
    manifest = JSON.parse(manifestText.toString('utf8')) as Manifest
  } catch {
    return undefined
  }

  if (manifest.format !== FORMAT || manifest.inputs !== inputs) return undefined
  if (!Array.isArray(manifest.artifacts)) return undefined

  const expected = [...manifest.artifacts.map((artifact) => artifact.path), MANIFEST]
  const found = (await readdir(out, {recursive: true, withFileTypes: true}))
    .filter((entry) => !entry.isDirectory())
    .map((entry) => path.relative(out, path.join(entry.parentPath, entry.name)))
    .map((name) => name.split(path.sep).join('/'))
  if (expected.sort(byCodePoint).join('\n') !== found.sort(byCodePoint).join('\n')) {
    return undefined
  }

  // Synchronous reads, as there are hundreds of small files and nothing else to do meanwhile.
  for (const artifact of manifest.artifacts) {
    const bytes = readOrUndefined(path.join(out, artifact.path))
    const now = bytes && describe(artifact.path, bytes)
    if (!now || now.bytes !== artifact.bytes || now.sha256 !== artifact.sha256) return undefined
  }

  return [...manifest.artifacts, describe(MANIFEST, manifestText)]
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file)
  } catch {
    return undefined
  }
}

function describe(name: string, bytes: Uint8Array): ManifestArtifact {
  return {path: name, bytes: bytes.byteLength, sha256: sha256(bytes)}
}
