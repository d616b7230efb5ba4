import type { AnyElysia } from 'elysia'

// The listening server, as the composition root uses it: its uWS topics and its stop.

type Listening = Pick<AnyElysia, 'server' | 'stop'>

/** Publishes to the server's uWS topics; a no-op until it listens (tests that only `app.handle`). */
export const topicPublisher = (app: Listening) => (topic: string, data: string) => void app.server?.publish(topic, data)

/** Stops the server: open requests and sockets may finish, past `deadlineMs` everything is closed hard. */
export async function stopWithDeadline(app: Listening, deadlineMs: number): Promise<void> {
  const graceful = await Promise.race([app.stop().then(() => true, () => true), Bun.sleep(deadlineMs).then(() => false)])
  if (!graceful) await app.stop(true).catch(() => {})
}
