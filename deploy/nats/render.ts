// Writes deploy/nats/permissions.conf from deploy/nats/permissions.ts (run after editing it).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderPermissions } from '../../scripts/infra/nats-auth.ts'

writeFileSync(join(import.meta.dir, 'permissions.conf'), renderPermissions())
console.log('wrote deploy/nats/permissions.conf')
