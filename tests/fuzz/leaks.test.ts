import { expect, test } from 'bun:test'
import { leaks } from '../../bench/lib/fuzz/ledger.ts'

// The fuzzer's "no stack trace in any answer" check must recognise one when it sees it.
test('stack frames, source paths and raw error names are caught; ordinary error messages are not', () => {
  expect(leaks('TypeError: undefined is not an object\n    at handle (/work/main/services/gateway/src/app.ts:12:5)')).toStartWith('stack frame')
  expect(leaks('{"error":"boom at /home/app/services/poller/src/monitor.ts"}')).toStartWith('source path')
  expect(leaks('failed: PostgresError: relation "x" does not exist')).toStartWith('raw error name')
  expect(leaks('could not connect to postgres://u:p@db/kickmon')).toStartWith('connection string')
  expect(leaks('{"error":{"code":"VALIDATION","message":"slug: a Kick slug is 1–25 characters"}}')).toBeNull()
  expect(leaks('<p class="error">invalid username or password</p>')).toBeNull()
})
