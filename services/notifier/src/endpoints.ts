import type { z } from 'zod'
import { endpoint, type Endpoint, type RequestContext } from '@kickmon/shared/rpc'
import { NotifierApi, type NotifierEndpointName, type NotifierOutput } from '@kickmon/shared/contracts/notifier'
import { createChannel, getChannelRow, listChannels, present, updateChannel, deleteChannel } from './channels.ts'
import type { NotifierDeps } from './deps.ts'
import { listDeliveries } from './deliveries.ts'
import { sampleNotice } from './notice.ts'
import { requireWrite, resolvePrincipal } from './principal.ts'
import { createRule, deleteRule, getRuleRow, listRules, presentRule, updateRule } from './rules.ts'
import { checkTemplate, render } from './templates.ts'
import { testChannel } from './test-send.ts'

// Every notifier endpoint in one table: subject and schemas from the contract
// (shared/src/contracts/notifier.ts); each handler resolves its actor through auth and checks
// role, scope and ownership before doing anything.

type Handler<K extends NotifierEndpointName> = (input: z.infer<(typeof NotifierApi)[K]['input']>, rc: RequestContext) => Promise<NotifierOutput<K>>

export function notifierEndpoints(d: NotifierDeps): Endpoint<any, any>[] {
  const who = (i: { actor: Parameters<typeof resolvePrincipal>[1] }, rc: RequestContext) => resolvePrincipal(d.nc, i.actor, rc.requestId)
  const writer = async (i: { actor: Parameters<typeof resolvePrincipal>[1] }, rc: RequestContext) => {
    const p = await who(i, rc)
    requireWrite(p)
    return p
  }

  const handlers: { [K in NotifierEndpointName]: Handler<K> } = {
    channelsCreate: async (i, rc) => createChannel(d, await writer(i, rc), i.type, i.name, i.config),
    channelsList: async (i, rc) => ({ channels: await listChannels(d, await who(i, rc)) }),
    channelsGet: async (i, rc) => present(await getChannelRow(d, await who(i, rc), i.id)),
    channelsUpdate: async (i, rc) => updateChannel(d, await writer(i, rc), i.id, { name: i.name, config: i.config }),
    channelsDelete: async (i, rc) => {
      await deleteChannel(d, await writer(i, rc), i.id)
      return { ok: true as const }
    },
    channelsTest: async (i, rc) => testChannel(d, await writer(i, rc), i.id),

    rulesCreate: async (i, rc) => createRule(d, await writer(i, rc), i, rc.requestId),
    rulesList: async (i, rc) => ({ rules: await listRules(d, await who(i, rc), i) }),
    rulesGet: async (i, rc) => presentRule(await getRuleRow(d, await who(i, rc), i.id)),
    rulesUpdate: async (i, rc) => updateRule(d, await writer(i, rc), i, rc.requestId),
    rulesDelete: async (i, rc) => {
      await deleteRule(d, await writer(i, rc), i.id)
      return { ok: true as const }
    },
    templatesPreview: async (i, rc) => {
      await who(i, rc)
      if (i.template) await checkTemplate(i.template)
      const r = await render(i.channel_type, sampleNotice(i.event_type, d.config.KICK_WEB_URL), i.template)
      return { text: r.text, used_default: r.usedDefault, error: r.error }
    },

    deliveriesList: async (i, rc) => ({ deliveries: await listDeliveries(d, await who(i, rc), i) }),
  }

  return (Object.keys(NotifierApi) as NotifierEndpointName[]).map((name) =>
    endpoint({ subject: NotifierApi[name].subject, input: NotifierApi[name].input, handle: handlers[name] as Handler<typeof name> }),
  )
}
