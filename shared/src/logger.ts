import pino, { type Logger } from 'pino'

export type { Logger }

// Never log secrets: these paths are censored wherever they appear.
const REDACT = [
  'password', '*.password', 'current_password', '*.current_password', 'new_password', '*.new_password',
  'token', '*.token', 'access_token', '*.access_token', 'secret', '*.secret', 'client_secret', '*.client_secret',
  'authorization', '*.authorization', 'headers.authorization', 'headers.cookie', '*.headers.authorization', '*.headers.cookie',
  'cookie', '*.cookie', 'api_key', '*.api_key', 'csrf_token', '*.csrf_token',
]

export function createLogger(service: string, level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  )
}
