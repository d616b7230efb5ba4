// How long a signed Kick delivery stays acceptable, and so how long its message id must be
// remembered. The gateway refuses a Kick-Event-Message-Timestamp further than WEBHOOK_MAX_SKEW_MS
// from its clock (Kick documents no tolerance), so the same signed bytes can be accepted at any
// moment of a 2 × skew span. JetStream drops a repeated message id only within the stream's
// duplicate window: that window spans the whole acceptance span, plus a minute for the clocks
// of several gateways and the NATS servers disagreeing. JetStream keeps it on disk and shares it
// between every gateway and poller, so a replay is dropped whoever runs and however often they
// restart.
export const WEBHOOK_MAX_SKEW_MS = 5 * 60_000
export const WEBHOOK_DUPLICATE_WINDOW_MS = 2 * WEBHOOK_MAX_SKEW_MS + 60_000
