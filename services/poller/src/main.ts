import { loadConfig } from '@kickmon/shared/config'
import { runService } from '@kickmon/shared/service'
import { pollerService } from './definition.ts'

await runService(pollerService(loadConfig()))
