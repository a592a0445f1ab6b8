/**
 * The one line a build ends with: what was read, what was made, how long it took, and what was
 * written with its size.
 */
import type {Artifact, BuildResult} from './build.js'
import type {RefreshResult} from './refresh.js'

/**
 * Format the summary line of `result`, which took `seconds`; `keepGoing` says whether the build
 * was asked to write the sound part despite errors.
 */
export function summaryLine(result: BuildResult, seconds: number, keepGoing = false): string {
  const skipped = result.notes.filter((note) => note.kind === 'skipped').length
  const failed = result.notes.filter((note) => note.kind === 'failed').length
  const actions = result.catalog.services.reduce((sum, service) => sum + service.actions.length, 0)
  const actionsLeftOut = result.notes.reduce(
    (sum, note) => sum + (note.service ? note.skippedActions.length : 0),
    0
  )

  const parts = [
    `${count(result.notes.length, 'note')} read`,
    `${skipped} skipped`,
    ...(failed > 0 ? [`${failed} failed`] : []),
    count(result.catalog.services.length, 'service'),
    count(actions, 'action'),
    ...(actionsLeftOut > 0 ? [`${count(actionsLeftOut, 'action')} left out`] : []),
    `${seconds.toFixed(2)} s`
  ]

  const written = result.unchanged
    ? `; nothing changed, wrote nothing (${describeArtifacts(result.artifacts)} kept)`
    : result.artifacts.length > 0
      ? `; wrote ${describeArtifacts(result.artifacts)}`
      : keepGoing && result.catalog.services.length === 0
        ? '; no service compiled, so wrote nothing and kept the previous output'
        : '; wrote nothing'
  return `iam-catalog: ${parts.join(', ')}${written}`
}

/** A number with its noun, singular for one: `1 note`, `2 notes`. */
function count(amount: number, noun: string): string {
  return `${amount} ${amount === 1 ? noun : noun + 's'}`
}

/** Group artifacts by their folder: `catalog.json 5.1 MB, services/ 232 files 5.2 MB, ...`. */
function describeArtifacts(artifacts: Artifact[]): string {
  const groups = new Map<string, Artifact[]>()
  for (const artifact of artifacts) {
    const slash = artifact.path.indexOf('/')
    const key = slash === -1 ? artifact.path : artifact.path.slice(0, slash + 1)
    groups.set(key, [...(groups.get(key) ?? []), artifact])
  }

  return [...groups]
    .map(([name, group]) => {
      const bytes = formatBytes(group.reduce((sum, artifact) => sum + artifact.bytes, 0))
      return group.length === 1 && !name.endsWith('/')
        ? `${name} ${bytes}`
        : `${name} (${count(group.length, 'file')}) ${bytes}`
    })
    .join(', ')
}

/** Format a size the way people read it: `812 B`, `4.2 kB`, `5.1 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  if (bytes < 1000 * 1000) return `${(bytes / 1000).toFixed(1)} kB`
  return `${(bytes / 1000 / 1000).toFixed(1)} MB`
}

/** Format the one line a refresh ends with: the upstream version and what became of the notes. */
export function refreshSummaryLine(result: RefreshResult): string {
  const upstream = `${result.packageName} ${result.version} (${result.updatedAt.slice(0, 10)})`
  const counts = `${count(result.services, 'service')}, ${count(result.actions, 'action')}`
  const touched = result.added.length + result.changed.length + result.removed.length
  if (!result.ok && touched + result.unchanged === 0) {
    return `iam-catalog refresh: ${upstream}, ${counts}; wrote nothing`
  }

  const notes = [
    `${result.added.length} added`,
    `${result.changed.length} changed`,
    `${result.removed.length} removed`,
    `${result.unchanged} unchanged`
  ]
  return `iam-catalog refresh: ${upstream}, ${counts}; notes ${notes.join(', ')}`
}
