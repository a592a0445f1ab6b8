/**
 * The shapes of the catalog, shared by every stage. These are the contract other tools read, so
 * a change here is a change of `FORMAT`.
 */

/** The value of `format` in `catalog.json`; bumped on any breaking change of the schema. */
export const FORMAT = 'iam-catalog/1'

/** The access levels AWS uses, by their canonical names, in sorted order. */
export const ACCESS_LEVELS = ['List', 'Permissions management', 'Read', 'Tagging', 'Write'] as const

/** One of the access levels AWS uses, by its canonical name. */
export type AccessLevel = (typeof ACCESS_LEVELS)[number]

/** A resource type an action applies to, with the keys and actions that come with it. */
export interface ResourceType {
  name: string
  required: boolean
  conditionKeys: string[]
  dependentActions: string[]
}

/** One IAM action of a service. */
export interface Action {
  name: string
  description: string
  accessLevels: AccessLevel[]
  resourceTypes: ResourceType[]
  conditionKeys: string[]
  dependentActions: string[]
}

/** Where the note came from; `sources` is the frontmatter list, kept as written. */
export interface NoteInfo {
  id: string
  fname: string
  path: string
  /** The Dendron parent by file name: `iam` for `iam.mechanical-turk`, `null` at the top. */
  parent: string | null
  desc: string
  created: string | null
  updated: string | null
  sources: unknown[]
}

/** One service: a catalog note, compiled. */
export interface Service {
  prefix: string
  name: string
  note: NoteInfo
  actions: Action[]
}

/** The whole compiled vault. */
export interface Catalog {
  format: typeof FORMAT
  services: Service[]
}
