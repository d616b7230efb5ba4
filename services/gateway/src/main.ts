import { loadConfig } from '@kickmon/shared/config'
import { runService } from '@kickmon/shared/service'
import { gatewayService } from './definition.ts'

await runService(gatewayService(loadConfig()))
