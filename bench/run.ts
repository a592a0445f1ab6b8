/**
 * The benchmark of the build: on a vault and on a synthetic vault five times its size, it
 * times the single-threaded remark-parse baseline, a cold build, a rebuild with nothing
 * changed and a rebuild after one note changed, records the peak memory, and prints each
 * ratio against its target. Every step runs in a child process of this one, one after the
 * other, on copies of the notes in a temporary folder, so the vault itself is never touched.
 *
 * Usage: `node lib/bench/run.js [--sources DIR]` (default `sources`).
 */
import {execFile} from 'node:child_process'
import {cp, mkdtemp, readdir, rm, stat} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {parseArgs, promisify} from 'node:util'
import type {BuildOptions} from '../pipeline/build.js'
import {defaultJobs} from '../pipeline/compile-pool.js'
import type {StepFacts} from './child.js'
import {editOneNote, writeScaledVault} from './synthetic.js'

const run = promisify(execFile)
const child = new URL('./child.js', import.meta.url).pathname

/** The times and peak memory measured on one vault. */
interface VaultRun {
  label: string
  megabytes: number
  baseline: number
  cold: number
  unchanged: number
  oneChanged: number
  peakRssMb: number
}

/**
 * Run one step in a child process, and return its wall time in seconds and its facts. Progress
 * goes to stderr, as a run on a large vault takes minutes.
 */
async function step(name: string, args: string[]): Promise<{seconds: number; facts: StepFacts}> {
  const started = process.hrtime.bigint()
  const {stdout} = await run(process.execPath, [child, ...args], {maxBuffer: 1 << 20})
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  process.stderr.write(`  ${name}: ${seconds.toFixed(2)} s\n`)
  return {seconds, facts: JSON.parse(stdout) as StepFacts}
}

async function buildStep(name: string, options: BuildOptions, expectUnchanged: boolean) {
  const result = await step(name, ['build', JSON.stringify(options)])
  if (!result.facts.ok) throw new Error(`The build of \`${options.sources}\` failed`)
  if (result.facts.unchanged !== expectUnchanged) {
    throw new Error(`Unexpected \`unchanged: ${result.facts.unchanged}\` after a build`)
  }

  return result
}

/** Measure every step on `vault`, working in `scratch`. */
async function measureVault(label: string, vault: string, scratch: string): Promise<VaultRun> {
  const bytes = await vaultBytes(vault)
  const options = {
    sources: vault,
    out: path.join(scratch, 'out'),
    cacheDir: path.join(scratch, 'cache')
  }

  process.stderr.write(`${label} (${(bytes / 1e6).toFixed(1)} MB):\n`)
  const baseline = await step('remark-parse baseline', ['baseline', vault])
  const cold = await buildStep('cold build', options, false)
  const unchanged = await buildStep('nothing changed', options, true)
  await editOneNote(vault)
  const oneChanged = await buildStep('one note changed', options, false)

  const rss = [cold, unchanged, oneChanged].map((result) => result.facts.maxRssKb)
  return {
    label,
    megabytes: bytes / 1e6,
    baseline: baseline.seconds,
    cold: cold.seconds,
    unchanged: unchanged.seconds,
    oneChanged: oneChanged.seconds,
    peakRssMb: Math.max(...rss) / 1024
  }
}

async function vaultBytes(vault: string): Promise<number> {
  const names = (await readdir(vault)).filter((name) => name.endsWith('.md'))
  const sizes = await Promise.all(
    names.map(async (name) => (await stat(path.join(vault, name))).size)
  )
  return sizes.reduce((sum, size) => sum + size, 0)
}

/** A line of the report: the measured ratio, its target, and whether it is met. */
function check(name: string, value: number, target: string, met: boolean): string {
  return `  ${met ? 'ok  ' : 'MISS'} ${name.padEnd(44)} ${value.toFixed(3)} (target ${target})`
}

function report(base: VaultRun, scaled: VaultRun): string {
  const lines = [`jobs: ${defaultJobs()} (one per core)`, '']
  lines.push(
    'vault            MB   baseline     cold  unchanged  one-changed  peak RSS   cold s/MB'
  )
  for (const vault of [base, scaled]) {
    lines.push(
      [
        vault.label.padEnd(10),
        vault.megabytes.toFixed(1).padStart(8),
        `${vault.baseline.toFixed(2)} s`.padStart(10),
        `${vault.cold.toFixed(2)} s`.padStart(8),
        `${vault.unchanged.toFixed(2)} s`.padStart(10),
        `${vault.oneChanged.toFixed(2)} s`.padStart(12),
        `${vault.peakRssMb.toFixed(0)} MB`.padStart(9),
        (vault.cold / vault.megabytes).toFixed(3).padStart(11)
      ].join(' ')
    )
  }

  lines.push('')
  for (const vault of [base, scaled]) {
    lines.push(`${vault.label}:`)
    lines.push(
      check(
        'cold / baseline',
        vault.cold / vault.baseline,
        '<= 0.6',
        vault.cold <= 0.6 * vault.baseline
      ),
      check(
        'unchanged / cold',
        vault.unchanged / vault.cold,
        '<= 0.05',
        vault.unchanged <= 0.05 * vault.cold
      ),
      check(
        'one changed / cold',
        vault.oneChanged / vault.cold,
        '<= 0.15',
        vault.oneChanged <= 0.15 * vault.cold
      )
    )
  }

  const perMb = scaled.cold / scaled.megabytes / (base.cold / base.megabytes)
  lines.push(
    'memory and scaling:',
    check('peak RSS of the sources, MB', base.peakRssMb, '<= 400', base.peakRssMb <= 400),
    check('peak RSS of 5x, MB', scaled.peakRssMb, '<= 1024', scaled.peakRssMb <= 1024),
    check(
      'cold s/MB of 5x / cold s/MB of the sources',
      perMb,
      '0.85 to 1.15',
      Math.abs(perMb - 1) <= 0.15
    )
  )
  return lines.join('\n')
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {sources: {type: 'string', default: 'sources'}}})
  const sources = path.resolve(values.sources)
  const notes = await readdir(sources).then(
    (names) => names.filter((name) => name.endsWith('.md')).length,
    () => 0
  )
  if (notes === 0) {
    throw new Error(
      `No notes in \`${values.sources}\`, expected \`*.md\`; try SOURCES=path/to/vault`
    )
  }

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'iam-catalog-bench-'))
  try {
    const baseVault = path.join(scratch, 'base/vault')
    await cp(sources, baseVault, {recursive: true})
    const scaledVault = path.join(scratch, 'scaled/vault')
    await writeScaledVault(sources, scaledVault, 5)

    process.stderr.write(`benchmark: ${notes} notes of ${values.sources}, and 5x of them\n`)
    const base = await measureVault(path.basename(sources), baseVault, path.join(scratch, 'base'))
    const scaled = await measureVault('5x', scaledVault, path.join(scratch, 'scaled'))
    process.stdout.write(report(base, scaled) + '\n')
  } finally {
    await rm(scratch, {recursive: true, force: true})
  }
}

try {
  await main()
} catch (error) {
  process.stderr.write(`benchmark: ${(error as Error).message}\n`)
  process.exitCode = 2
}
