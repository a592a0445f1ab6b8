#!/usr/bin/env node
/**
 * The command line: `iam-catalog build`. The CLI alone prints; every stage returns data.
 * Exit codes: 0 built, 1 errors in the notes, 2 bad usage or an I/O failure.
 */
import {readFileSync} from 'node:fs'
import {Command, CommanderError, InvalidArgumentError, Option} from 'commander'
import {reporter} from 'vfile-reporter'
import {build} from './build.js'
import {DEFAULT_CACHE_DIR} from './cache.js'
import {defaultJobs} from './compile-pool.js'
import {countBySeverity, fileWithMessages} from './diagnostics.js'
import {summaryLine} from './summary.js'

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
    '-j, --jobs <n>',
    'worker threads that compile notes; 1 compiles on the main thread',
    parseJobs,
    defaultJobs()
  )
  .option('--cache-dir <dir>', 'the folder of the note cache', DEFAULT_CACHE_DIR)
  .option('--no-cache', 'compile every note and write the output even when it is up to date')
  .addOption(
    new Option('--report <format>', 'how to print problems')
      .choices(['text', 'json'])
      .default('text')
  )
  .option('-q, --quiet', 'print only notes with errors or warnings, and the summary', false)
  .option('--verbose', 'also print info messages, such as the notes skipped', false)
  .action(runBuild)

interface BuildFlags {
  sources: string
  out: string
  frail: boolean
  csvRaw: boolean
  jobs: number
  cacheDir: string
  cache: boolean
  report: 'text' | 'json'
  quiet: boolean
  verbose: boolean
}

async function runBuild(flags: BuildFlags): Promise<void> {
  const started = process.hrtime.bigint()
  const result = await build({
    sources: flags.sources,
    out: flags.out,
    frail: flags.frail,
    csvRaw: flags.csvRaw,
    jobs: flags.jobs,
    cacheDir: flags.cache ? flags.cacheDir : false
  })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9

  if (flags.report === 'json') {
    const report = [...result.messages]
      .filter(([, messages]) => messages.length > 0)
      .map(([path, messages]) => ({path, messages}))
    process.stdout.write(JSON.stringify(report, null, 2) + '\n')
  } else {
    const files = [...result.messages]
      .map(
        ([path, messages]) =>
          [
            path,
            flags.verbose ? messages : messages.filter((message) => message.severity !== 'info')
          ] as const
      )
      .filter(([, messages]) => messages.length > 0)
      .map(([path, messages]) => fileWithMessages(path, messages))
    const text = reporter(files, {quiet: flags.quiet, verbose: false})
    if (text) process.stderr.write(text + '\n')
  }

  const counts = countBySeverity([...result.messages.values()].flat())
  process.stderr.write(summaryLine(result, seconds) + '\n')
  if (!result.ok && counts.error + counts.warning > 0) process.exitCode = 1
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
    process.exitCode = error.exitCode === 0 ? 0 : 2
  } else {
    const code = (error as NodeJS.ErrnoException).code
    process.stderr.write(`iam-catalog: ${code ? `${code}: ` : ''}${(error as Error).message}\n`)
    process.exitCode = 2
  }
}
