/**
 * The one line a build ends with: what was read, what was made, how long it took, and what was
 * written with its size.
 */
import type {Artifact, BuildResult} from './build.js'

/** Format the summary line of `result`, which took `seconds`. */
export function summaryLine(result: BuildResult, seconds: number): string {
  const skipped = result.notes.filter((note) => note.kind === 'skipped').length
  const failed = result.notes.filter((note) => note.kind === 'failed').length
  const actions = result.catalog.services.reduce((sum, service) => sum + service.actions.length, 0)

  const parts = [
    `${result.notes.length} notes read`,
    `${skipped} skipped`,
    ...(failed > 0 ? [`${failed} failed`] : []),
    `${result.catalog.services.length} services`,
    `${actions} actions`,
    `${seconds.toFixed(2)} s`
  ]

  const written = !result.ok
    ? '; wrote nothing'
    : result.unchanged
      ? `; nothing changed, wrote nothing (${describeArtifacts(result.artifacts)} kept)`
      : `; wrote ${describeArtifacts(result.artifacts)}`
  return `iam-catalog: ${parts.join(', ')}${written}`
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
        : `${name} (${group.length} files) ${bytes}`
    })
    .join(', ')
}

/** Format a size the way people read it: `812 B`, `4.2 kB`, `5.1 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  if (bytes < 1000 * 1000) return `${(bytes / 1000).toFixed(1)} kB`
  return `${(bytes / 1000 / 1000).toFixed(1)} MB`
}
