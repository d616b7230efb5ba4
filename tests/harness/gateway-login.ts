/** A signed-in session on the gateway: its cookie, and the CSRF token its writes need. */
export type Session = { cookie: string; csrf: string }

/** Signs in through the JSON API, as a script would. */
export async function gatewayLogin(gatewayUrl: string, user: { username: string; password: string }): Promise<Session> {
  const res = await fetch(`${gatewayUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) })
  if (res.status !== 200) throw new Error(`login as ${user.username}: ${res.status} ${await res.text()}`)
  const { csrf_token } = (await res.json()) as { csrf_token: string }
  return { cookie: res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; '), csrf: csrf_token }
}
