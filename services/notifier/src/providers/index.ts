import type { ChannelType } from '@kickmon/shared/contracts/notifier'
import { discord } from './discord.ts'
import { email } from './email.ts'
import { ntfy } from './ntfy.ts'
import { slack } from './slack.ts'
import { telegram } from './telegram.ts'
import type { Provider } from './types.ts'
import { webhook } from './webhook.ts'

export const PROVIDERS: Record<ChannelType, Provider> = { discord, telegram, ntfy, slack, webhook, email }
