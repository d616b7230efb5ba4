import type { Group } from './command.ts'
import { configGroup } from './commands/config.ts'
import { dbGroup } from './commands/db.ts'
import { healthcheckGroup } from './commands/healthcheck.ts'
import { natsKeysGroup } from './commands/nats-keys.ts'
import { notifyGroup } from './commands/notify.ts'
import { serviceGroup } from './commands/service.ts'
import { statusGroup } from './commands/status.ts'
import { streamersGroup } from './commands/streamers.ts'
import { usersGroup } from './commands/users.ts'
import { watchGroup } from './commands/watch.ts'

/** Every command group, in the order `kickmon --help` lists them. */
export const GROUPS: Group[] = [statusGroup, streamersGroup, usersGroup, notifyGroup, configGroup, dbGroup, serviceGroup, watchGroup, healthcheckGroup, natsKeysGroup]
