import { loadEnv } from '@kickmon/shared/parse-env'
import { runService } from '@kickmon/shared/service'
import { GatewayConfigSchema } from './config.ts'
import { gatewayService } from './definition.ts'

await runService(gatewayService(loadEnv(GatewayConfigSchema)))
