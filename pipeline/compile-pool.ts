/**
 * Compile notes on all cores. Notes are independent (`compileNote` is a pure function of a
 * note's path and bytes), so they are sent to a pool of worker threads in a few batches and
 * their results put back in the order of the notes, which makes the output of any number of
 * workers the same as that of one.
 */
import os from 'node:os'
import Tinypool from 'tinypool'
import type {NoteResult} from './compile-note.js'
import type {NoteInput} from './compile-worker.js'

/**
 * Batches per worker: a few, so a worker that drew the larger notes does not leave the others
 * idle at the end, yet few enough that messages between threads cost next to nothing.
 */
const BATCHES_PER_WORKER = 4

/**
 * The least work worth a worker thread. Starting one loads the whole parser again, which
 * costs about as much as compiling this many bytes, so small jobs (a rebuild after a few
 * edits) are compiled on the main thread.
 */
const MIN_BYTES_PER_WORKER = 256 * 1024

/**
 * The old-generation heap of a worker, in MB. Left to itself V8 lets each worker's heap grow
 * far past what it holds alive, and two workers beside the main thread went over 450 MB on the
 * current catalog; capped, a build takes about 300 MB for some 10% more time. A batch that
 * needs more (a note of many megabytes) is compiled again on the main thread.
 */
const WORKER_HEAP_MB = 192

/** The number of jobs when none is asked for: one per core the process may use. */
export function defaultJobs(): number {
  return os.availableParallelism()
}

/**
 * Compile `notes` with at most `jobs` worker threads (`1` compiles on the calling thread).
 *
 * @returns The result of each note, in the order of `notes`.
 */
export async function compileNotes(notes: NoteInput[], jobs: number): Promise<NoteResult[]> {
  if (notes.length === 0) return []
  const bytes = notes.reduce((sum, note) => sum + note.bytes.byteLength, 0)
  const threads = Math.min(jobs, Math.ceil(bytes / MIN_BYTES_PER_WORKER), notes.length)

  if (threads <= 1) return compileOnThisThread(notes)

  const pool = new Tinypool({
    filename: new URL('./compile-worker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    resourceLimits: {maxOldGenerationSizeMb: WORKER_HEAP_MB}
  })

  try {
    const batches = splitByBytes(notes, threads * BATCHES_PER_WORKER)
    // A batch whose worker failed (out of its heap) is compiled here; a fault of the compiler
    // itself fails here too, and so is not hidden.
    const results = await Promise.all(
      batches.map((batch) =>
        (pool.run(batch) as Promise<NoteResult[]>).catch(() => compileOnThisThread(batch))
      )
    )
    return results.flat()
  } finally {
    await pool.destroy()
  }
}

/** Split `notes`, in order, into at most `count` runs of about the same number of bytes. */
export function splitByBytes(notes: NoteInput[], count: number): NoteInput[][] {
  const total = notes.reduce((sum, note) => sum + note.bytes.byteLength, 0)
  const target = total / count
  const batches: NoteInput[][] = []
  let batch: NoteInput[] = []
  let batchBytes = 0

  for (const note of notes) {
    batch.push(note)
    batchBytes += note.bytes.byteLength
    if (batchBytes >= target && batches.length < count - 1) {
      batches.push(batch)
      batch = []
      batchBytes = 0
    }
  }

  if (batch.length > 0) batches.push(batch)
  return batches
}

/** Compile `notes` on the calling thread. */
async function compileOnThisThread(notes: NoteInput[]): Promise<NoteResult[]> {
  // Loaded here, not above, so a build that compiles nothing never loads the parser.
  const {default: compileBatch} = await import('./compile-worker.js')
  return compileBatch(notes)
}
