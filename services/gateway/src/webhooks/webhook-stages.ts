import { Histogram, type Registry } from '@kickmon/shared/metrics'

const NAME = 'webhook_ingress_stage_seconds'

export type WebhookStage = 'read' | 'verify' | 'jetstream_ack'

/**
 * `webhook_ingress_stage_seconds{stage}`: where a delivery to `/webhooks/kick` spends its time
 * (reading the body, checking the signature and headers, waiting for JetStream's acknowledgement),
 * so a burst's wait can be placed in one stage (bench/burst.ts and bench/webhook-ingress.ts read it).
 */
export function webhookStages(registry: Registry) {
  const histogram =
    (registry.getSingleMetric(NAME) as Histogram<'stage'> | undefined) ??
    new Histogram({
      name: NAME,
      help: 'Time a Kick webhook delivery spends in each stage of the ingress',
      labelNames: ['stage'] as const,
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    })
  return (stage: WebhookStage, sinceMs: number) => histogram.observe({ stage }, (performance.now() - sinceMs) / 1000)
}
