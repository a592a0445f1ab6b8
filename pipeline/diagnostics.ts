/**
 * Problems found in notes. Stages report them on the note's `VFile` in the unified way, so the
 * CLI can print them with `vfile-reporter`; between stages (and later between worker threads or
 * a cache on disk) they travel as plain `NoteMessage` records.
 */
import {VFile} from 'vfile'
import type {VFileMessage} from 'vfile-message'
import type {Point, Position} from 'unist'

/** Every message names this as its source, as remark-lint names its own. */
export const SOURCE = 'iam-catalog'

/** How much a message matters: an error stops the build, a warning is shown, info is kept. */
export type Severity = 'error' | 'warning' | 'info'

/** A message as plain data: what went wrong, by which rule, and where in the note. */
export interface NoteMessage {
  severity: Severity
  ruleId: string
  reason: string
  line: number | null
  column: number | null
  endLine: number | null
  endColumn: number | null
}

/** A place in a note: a point, a span, or nothing when the problem is the whole file. */
export type Place = Point | Position | undefined

/**
 * Report a problem on `file`.
 *
 * @param file The note being compiled.
 * @param severity `error` stops the build, `warning` is shown, `info` is for the record.
 * @param ruleId A stable id, so users and tests can name the rule.
 * @param reason What was expected and what was found.
 * @param place Where in the note, with 1-based lines and columns.
 */
export function report(
  file: VFile,
  severity: Severity,
  ruleId: string,
  reason: string,
  place?: Place
): void {
  const options = {place, ruleId, source: SOURCE}
  if (severity === 'info') {
    file.info(reason, options)
    return
  }

  const message = file.message(reason, options)
  message.fatal = severity === 'error'
}

/** Turn the messages of `file` into plain records, in the order they were reported. */
export function messagesOf(file: VFile): NoteMessage[] {
  return file.messages.map(toNoteMessage)
}

/** Turn one message of a file into a plain record. */
export function toNoteMessage(message: VFileMessage): NoteMessage {
  const span = message.place && 'start' in message.place ? message.place : undefined
  return {
    severity: message.fatal ? 'error' : message.fatal === false ? 'warning' : 'info',
    ruleId: message.ruleId ?? 'unknown',
    reason: message.reason,
    line: span?.start.line ?? message.line ?? null,
    column: span?.start.column ?? message.column ?? null,
    endLine: span?.end.line ?? null,
    endColumn: span?.end.column ?? null
  }
}

/** Rebuild a `VFile` carrying `messages`, for `vfile-reporter`. */
export function fileWithMessages(path: string, messages: NoteMessage[]): VFile {
  const file = new VFile({path})
  for (const message of messages) {
    const start =
      message.line === null ? undefined : {line: message.line, column: message.column ?? 1}
    const place =
      start && message.endLine !== null
        ? {start, end: {line: message.endLine, column: message.endColumn ?? 1}}
        : start
    report(file, message.severity, message.ruleId, message.reason, place)
  }

  return file
}

/** Count messages of each severity. */
export function countBySeverity(messages: NoteMessage[]): Record<Severity, number> {
  const counts = {error: 0, warning: 0, info: 0}
  for (const message of messages) counts[message.severity]++
  return counts
}
