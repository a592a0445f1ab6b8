/**
 * One measured step of the benchmark, run in a process of its own so that its time includes
 * starting Node and loading the code, and its peak memory is its own. Worker threads are
 * threads of this process, so the peak resident set size of the process counts them too.
 *
 * `baseline <vault>` parses every note with remark and nothing else; `build <options>` runs
 * the build with the options given as JSON. Either prints one JSON line of facts.
 */
import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import remarkFrontmatter from 'remark-frontmatter'
import remarkParse from 'remark-parse'
import {unified} from 'unified'
import type {BuildOptions} from '../pipeline/build.js'
import {build} from '../pipeline/build.js'

/** What a step reports to the benchmark. */
export interface StepFacts {
  /** Peak resident set size of the process, in kilobytes. */
  maxRssKb: number
  ok: boolean
  unchanged: boolean
}

async function baseline(vault: string): Promise<StepFacts> {
  const processor = unified().use(remarkParse).use(remarkFrontmatter)
  const names = (await readdir(vault)).filter((name) => name.endsWith('.md')).sort()
  for (const name of names) processor.parse(await readFile(path.join(vault, name), 'utf8'))
  return {maxRssKb: process.resourceUsage().maxRSS, ok: true, unchanged: false}
}

async function buildStep(options: BuildOptions): Promise<StepFacts> {
  const result = await build(options)
  return {maxRssKb: process.resourceUsage().maxRSS, ok: result.ok, unchanged: result.unchanged}
}

const [mode, argument = ''] = process.argv.slice(2)
const facts =
  mode === 'baseline'
    ? await baseline(argument)
    : await buildStep(JSON.parse(argument) as BuildOptions)
process.stdout.write(JSON.stringify(facts) + '\n')
