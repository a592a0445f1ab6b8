/**
 * Report emitter: `report.json`, the record of what the build made of each note: the notes and
 * actions it left out and why, and every message, each with its rule id and place. It is sorted
 * by path and place, so the same notes always give the same bytes.
 */
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import type {NoteResult} from '../compile-note.js'
import type {NoteMessage} from '../diagnostics.js'
import type {Catalog} from '../model.js'
import {byCodePoint} from '../read.js'
import {toJson} from './json.js'

/** The value of `format` in `report.json`. */
export const REPORT_FORMAT = 'iam-catalog-report/1'

/** A note left out of the catalog: `skipped` is not a catalog note, `failed` has errors. */
export interface SkippedNote {
  path: string
  status: 'skipped' | 'failed'
  reasons: NoteMessage[]
}

/** An action left out of its service for its errors. */
export interface SkippedAction {
  path: string
  action: string
  line: number | null
  column: number | null
  reasons: NoteMessage[]
}

/** The content of `report.json`. */
export interface Report {
  format: typeof REPORT_FORMAT
  notes: {read: number; compiled: number; skipped: number; failed: number}
  skippedNotes: SkippedNote[]
  skippedActions: SkippedAction[]
  messages: {path: string; messages: NoteMessage[]}[]
}

/**
 * Gather the report of a build.
 *
 * @param notes What became of each note.
 * @param messages Every message, by the path of its note (vault-wide ones included).
 * @param catalog The catalog as written: a note is compiled when its service is in it.
 */
export function buildReport(
  notes: NoteResult[],
  messages: Map<string, NoteMessage[]>,
  catalog: Catalog
): Report {
  const compiledPaths = new Set(catalog.services.map((service) => service.note.path))
  const sortedNotes = [...notes].sort((left, right) => byCodePoint(left.path, right.path))
  const messagesOf = (note: NoteResult) => sortMessages(messages.get(note.path) ?? [])

  const skippedNotes: SkippedNote[] = sortedNotes
    .filter((note) => !compiledPaths.has(note.path))
    .map((note) => {
      const status = note.kind === 'skipped' ? 'skipped' : 'failed'
      const wanted = status === 'skipped' ? 'info' : 'error'
      const reasons = messagesOf(note).filter((message) => message.severity === wanted)
      return {path: note.path, status, reasons}
    })

  const skippedActions: SkippedAction[] = sortedNotes
    .filter((note) => compiledPaths.has(note.path))
    .flatMap((note) =>
      note.skippedActions.map((action) => ({
        path: note.path,
        action: action.name,
        line: action.line,
        column: action.column,
        reasons: sortMessages(action.errors)
      }))
    )

  const failed = skippedNotes.filter((note) => note.status === 'failed').length
  return {
    format: REPORT_FORMAT,
    notes: {
      read: notes.length,
      compiled: compiledPaths.size,
      skipped: skippedNotes.length - failed,
      failed
    },
    skippedNotes,
    skippedActions,
    messages: [...messages]
      .filter(([, list]) => list.length > 0)
      .sort(([left], [right]) => byCodePoint(left, right))
      .map(([notePath, list]) => ({path: notePath, messages: sortMessages(list)}))
  }
}

/**
 * Write `report.json` into `outDir`.
 *
 * @returns The path written, relative to `outDir`.
 */
export async function emitReport(report: Report, outDir: string): Promise<string[]> {
  await writeFile(path.join(outDir, 'report.json'), toJson(report))
  return ['report.json']
}

/** Messages by place (those of the whole file first), then rule id and reason. */
function sortMessages(messages: NoteMessage[]): NoteMessage[] {
  return [...messages].sort(
    (left, right) =>
      (left.line ?? 0) - (right.line ?? 0) ||
      (left.column ?? 0) - (right.column ?? 0) ||
      byCodePoint(left.ruleId, right.ruleId) ||
      byCodePoint(left.reason, right.reason)
  )
}
