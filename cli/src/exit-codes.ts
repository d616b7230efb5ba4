import { AppError, type ErrorCode } from '@kickmon/shared/errors'

// The documented exit codes (docs/cli.md). Scripts branch on these, so they never change meaning.
export const Exit = {
  OK: 0,
  /** Something failed that the other codes do not describe (a service's internal error, a bug). */
  FAILURE: 1,
  /** The command line is wrong: unknown command or option, missing or malformed argument. */
  USAGE: 2,
  /** The thing named does not exist: streamer, user, configuration key, file, database. */
  NOT_FOUND: 3,
  /** A dependency cannot be reached: NATS, a service, PostgreSQL, Kick, systemd. */
  UNAVAILABLE: 4,
  /** The request was well-formed but refused: invalid value, conflict, changed migration. */
  REJECTED: 5,
  /** A bulk command finished, but some of its items failed (see its summary). */
  PARTIAL: 6,
  /** Not allowed: permission denied (systemctl as non-root, a read-only database role…). */
  DENIED: 7,
  /** Interrupted (Ctrl-C) before it finished. */
  INTERRUPTED: 130,
} as const

export type ExitCode = (typeof Exit)[keyof typeof Exit]

const BY_ERROR_CODE: Record<ErrorCode, ExitCode> = {
  BAD_REQUEST: Exit.REJECTED,
  VALIDATION: Exit.REJECTED,
  CONFLICT: Exit.REJECTED,
  PAYLOAD_TOO_LARGE: Exit.REJECTED,
  NOT_FOUND: Exit.NOT_FOUND,
  UNAUTHENTICATED: Exit.DENIED,
  FORBIDDEN: Exit.DENIED,
  RATE_LIMITED: Exit.UNAVAILABLE,
  UPSTREAM: Exit.UNAVAILABLE,
  UNAVAILABLE: Exit.UNAVAILABLE,
  INTERNAL: Exit.FAILURE,
}

/** A failure the CLI itself decided on, with the exit code it means. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message)
    this.name = 'CliError'
  }
}

export const usage = (message: string) => new CliError(Exit.USAGE, message)

export function exitCodeOf(e: unknown): ExitCode {
  if (e instanceof CliError) return e.exitCode
  if (e instanceof AppError) return BY_ERROR_CODE[e.code]
  return Exit.FAILURE
}

/** A short name for `--json` error bodies. */
export function errorCodeOf(e: unknown): string {
  if (e instanceof AppError) return e.code
  const code = exitCodeOf(e)
  return (Object.entries(Exit).find(([, v]) => v === code)?.[0] ?? 'FAILURE') as string
}
