import { loadEnv } from '@kickmon/shared/parse-env'
import { runService } from '@kickmon/shared/service'
import { PollerConfigSchema } from './config.ts'
import { pollerService } from './definition.ts'

await runService(pollerService(loadEnv(PollerConfigSchema)))
