/**
 * Publish stage: put a finished build in place of the output folder in one atomic step, so a
 * reader always finds a whole build, whether the build fails, is killed (SIGKILL included) or
 * runs at the same time as another.
 *
 * A folder cannot replace a non-empty folder atomically, but a symbolic link can replace a
 * symbolic link: `out` is a link to a folder named for its content in a store beside it,
 * `.<out>.builds/`. A build is written into a staging folder of the store, renamed to its
 * content name, and published by renaming a fresh link over `out`. The build before stays
 * in the store, linked as `previous`, so a reader that resolved `out` just before the swap can
 * finish; older builds and what killed builds left behind are removed by the next publish.
 */
import {createHash} from 'node:crypto'
import type {Stats} from 'node:fs'
import {
  chmod,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
  unlink,
  writeFile
} from 'node:fs/promises'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {byCodePoint} from './read.js'

/** How long a build waits for another to finish publishing into the same `out`. */
const LOCK_TIMEOUT_MS = 60_000

/** Staging folders of builds running in this process, which no clean-up may remove. */
const stagingInProgress = new Set<string>()

/** Where the builds of `out` are kept, and the names used in it. */
interface Store {
  out: string
  folder: string
  /** The target of the `out` link, relative to the folder `out` is in. */
  linkTarget: (name: string) => string
}

/**
 * Write a build with `write` into a staging folder, then publish it as `out`.
 *
 * @param out The output folder (a link to the published build once this has run).
 * @param write Writes every artifact into the folder it is given.
 * @returns What `write` returned, once the build is published.
 */
export async function publishOutput<T>(
  out: string,
  write: (folder: string) => Promise<T>
): Promise<T> {
  const store = storeOf(out)
  await checkOut(store.out)
  await mkdir(store.folder, {recursive: true})

  const staging = await mkdtemp(path.join(store.folder, `new-${process.pid}-`))
  stagingInProgress.add(staging)

  try {
    // A temporary folder is private to its owner; the output is for everyone who reads builds.
    await chmod(staging, 0o755)
    const result = await write(staging)
    const name = `build-${(await contentDigest(staging)).slice(0, 16)}`
    await withLock(path.join(store.folder, 'lock'), () => commit(store, staging, name))
    return result
  } finally {
    stagingInProgress.delete(staging)
    await rm(staging, {recursive: true, force: true})
  }
}

function storeOf(out: string): Store {
  const resolved = path.resolve(out)
  const storeName = `.${path.basename(resolved)}.builds`
  return {
    out: resolved,
    folder: path.join(path.dirname(resolved), storeName),
    linkTarget: (name) => `${storeName}/${name}`
  }
}

/**
 * Refuse to put a build where something is that is not ours to replace: a file, or a folder
 * that no build wrote (the vault, the working folder, a home folder given by mistake). A plain
 * folder is taken over only when it is empty or holds the `catalog.json` of an earlier build.
 */
async function checkOut(out: string): Promise<void> {
  const info = await lstatOrUndefined(out)
  if (!info || info.isSymbolicLink()) return

  if (!info.isDirectory()) {
    throw new Error(`Unexpected file at \`${out}\`, expected a folder or nothing`)
  }

  if ((await readdir(out)).length === 0 || (await isEarlierOutput(out))) return
  throw new Error(
    `Unexpected folder \`${out}\` that no build wrote, expected an earlier output (with its ` +
      '`catalog.json`), an empty folder or nothing; choose another output folder'
  )
}

/** Whether `folder` holds the `catalog.json` an earlier build of this compiler wrote. */
async function isEarlierOutput(folder: string): Promise<boolean> {
  try {
    const catalog = JSON.parse(await readFile(path.join(folder, 'catalog.json'), 'utf8'))
    return typeof catalog?.format === 'string' && catalog.format.startsWith('iam-catalog/')
  } catch {
    return false
  }
}

/**
 * Publish the finished `staging` folder under its content `name`: link `previous` to the build
 * `out` shows now, swap the `out` link, and clear what is no longer needed.
 */
async function commit(store: Store, staging: string, name: string): Promise<void> {
  // The same content may be there already (an unchanged vault): that folder is whole, since
  // folders get their content name only once complete and lose it before they are removed. But
  // its files may have been edited by hand since, so it is used only when they are still those
  // of the new build; otherwise the new build takes a name of its own.
  const existing = path.join(store.folder, name)
  if (!(await lstatOrUndefined(existing))) {
    await rename(staging, existing)
  } else if ((await hashFolder(existing)) !== (await hashFolder(staging))) {
    name = `${name}-${randomSuffix()}`
    await rename(staging, path.join(store.folder, name))
  }

  const current = await currentBuild(store)
  const previousLink = path.join(store.folder, 'previous')
  if (current && current !== name) await swapLink(store.folder, previousLink, current)

  await swapLink(store.folder, store.out, store.linkTarget(name))
  // Publishing the build `out` shows already leaves `previous` as it was, so its build stays.
  const previous = await readlink(previousLink).catch(() => undefined)
  await removeLeftovers(store.folder, new Set([name, current ?? name, previous ?? name]))
}

/**
 * The name in the store of the build `out` shows now. An `out` that is still a plain folder,
 * as earlier versions wrote it, is first moved into the store.
 */
async function currentBuild(store: Store): Promise<string | undefined> {
  const info = await lstatOrUndefined(store.out)
  if (!info) return undefined

  if (info.isDirectory()) {
    // To do: between these two renames `out` does not exist for a moment, once, when a plain
    // folder becomes a link; an atomic exchange needs `renameat2`, which Node does not offer.
    const legacy = `legacy-${process.pid}-${Date.now().toString(36)}`
    await rename(store.out, path.join(store.folder, legacy))
    await swapLink(store.folder, store.out, store.linkTarget(legacy))
    return legacy
  }

  const target = await readlink(store.out)
  const prefix = store.linkTarget('')
  return target.startsWith(prefix) ? target.slice(prefix.length) : undefined
}

/** Point the link `link` at `target` in one step: a new link is renamed over the old one. */
async function swapLink(storeFolder: string, link: string, target: string): Promise<void> {
  const temporary = path.join(storeFolder, `link-${process.pid}-${randomSuffix()}`)
  await symlink(target, temporary)
  await rename(temporary, link)
}

/**
 * Remove from the store every build but those in `keep`, and what killed builds left: staging
 * folders, links and half-removed folders of processes that no longer run.
 */
async function removeLeftovers(storeFolder: string, keep: Set<string>): Promise<void> {
  for (const entry of (await readdir(storeFolder)).sort(byCodePoint)) {
    const full = path.join(storeFolder, entry)
    const temporary = /^(?:new|link|lock|trash)-(\d+)-/.exec(entry)

    if (temporary) {
      const pid = Number(temporary[1])
      if (stagingInProgress.has(full) || (pid !== process.pid && isRunning(pid))) continue
      await rm(full, {recursive: true, force: true})
    } else if (/^(?:build|legacy)-/.test(entry) && !keep.has(entry)) {
      // Renamed first, so a build killed while removing never leaves a partial `build-*`.
      const trash = path.join(storeFolder, `trash-${process.pid}-${randomSuffix()}`)
      await rename(full, trash)
      await rm(trash, {recursive: true, force: true})
    }
  }
}

/**
 * Run `task` holding the lock file `lock`, which holds the pid of its owner. Publishing is
 * short, so a build waits for another; a lock whose owner no longer runs was left by a killed
 * build and is taken over.
 */
async function withLock(lock: string, task: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + LOCK_TIMEOUT_MS

  for (;;) {
    if (await createLock(lock)) break

    const owner = Number((await readFile(lock, 'utf8').catch(() => '')).trim())
    if (owner > 0 && !isRunning(owner)) {
      // To do: two builds that find the same stale lock at the same instant may both take it
      // over; a lock held by the kernel (`flock`) would close that gap, and Node lacks it.
      await unlink(lock).catch(() => undefined)
    } else if (Date.now() > deadline) {
      throw new Error(`Cannot publish: another build (pid ${owner}) holds \`${lock}\``)
    } else {
      await sleep(25)
    }
  }

  try {
    await task()
  } finally {
    await unlink(lock)
  }
}

/**
 * Create `lock` holding this pid, or return false when it exists. The file is written first
 * and then hard-linked as `lock`, which fails when it exists, so a lock is never seen empty.
 */
async function createLock(lock: string): Promise<boolean> {
  const temporary = `${path.dirname(lock)}/lock-${process.pid}-${randomSuffix()}`
  await writeFile(temporary, `${process.pid}\n`)

  try {
    await link(temporary, lock)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return false
  } finally {
    await unlink(temporary)
  }
}

/** Whether a process with `pid` runs (one of another user counts as running). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * The digest that names a build. A build's `manifest.json` holds the sha256 of every other
 * artifact and of the inputs, so its own hash stands for the whole folder without reading
 * every artifact again; a folder without one is hashed file by file.
 */
async function contentDigest(folder: string): Promise<string> {
  try {
    return createHash('sha256')
      .update(await readFile(path.join(folder, 'manifest.json')))
      .digest('hex')
  } catch {
    return hashFolder(folder)
  }
}

/**
 * The SHA-256 of a folder: of each file's path and content, in code point order of the paths,
 * so the name of a build depends on its bytes alone.
 */
export async function hashFolder(folder: string): Promise<string> {
  const hash = createHash('sha256')
  for (const file of await listFiles(folder)) {
    const content = createHash('sha256')
      .update(await readFile(path.join(folder, file)))
      .digest('hex')
    hash.update(`${file}\0${content}\n`)
  }

  return hash.digest('hex')
}

/** The files under `folder`, as sorted paths relative to it with `/` separators. */
export async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, {recursive: true, withFileTypes: true})
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) =>
      path.relative(folder, path.join(entry.parentPath, entry.name)).split(path.sep).join('/')
    )
    .sort(byCodePoint)
}

async function lstatOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await lstat(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 10)
}
