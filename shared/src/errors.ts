// One error type with a closed set of codes, mapped to HTTP status and NATS service errors.
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  VALIDATION: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UPSTREAM: 502,
  UNAVAILABLE: 503,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS

export class AppError extends Error {
  readonly status: number
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'AppError'
    this.status = ERROR_STATUS[code]
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } }
  }

  static fromStatus(status: number, message: string): AppError {
    const entry = Object.entries(ERROR_STATUS).find(([, s]) => s === status)
    return new AppError((entry?.[0] as ErrorCode) ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'), message)
  }
}

/** Anything thrown becomes an AppError; unknown errors never leak their text. */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e
  return new AppError('INTERNAL', 'internal error')
}

export function isAppError(e: unknown, code?: ErrorCode): e is AppError {
  return e instanceof AppError && (code === undefined || e.code === code)
}
