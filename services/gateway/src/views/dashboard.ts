import type { StreamerStatus } from '@kickmon/shared/contracts'
import type { SessionUser } from '../auth-client.ts'
import { html } from '../html.ts'
import { page } from './layout.ts'
import { sortStatuses, streamerRow } from './streamer-row.ts'

export function dashboardPage(user: SessionUser, csrf: string, statuses: StreamerStatus[]): string {
  return page({
    title: 'dashboard', user, csrf, active: '/',
    body: html`<section hx-ws:connect="/ws" id="live" aria-labelledby="dash-title">
  <header class="dash-head">
    <h1 id="dash-title">streamers</h1>
    <p class="counts" aria-live="polite"><span id="count-live">0</span> live · <span id="count-viewers">0</span> viewers · <span id="count-total">${statuses.length}</span> watched</p>
    <p class="conn" id="conn" role="status" data-state="connecting">connecting…</p>
  </header>
  <div class="table" role="table" aria-label="Monitored streamers">
    <div class="row head" role="row">
      <span role="columnheader"></span><span role="columnheader">name</span><span role="columnheader">state</span>
      <span role="columnheader">viewers</span><span role="columnheader">title</span><span role="columnheader">category</span>
      <span role="columnheader">live for</span><span role="columnheader">checked</span>
    </div>
    <div id="rows" role="rowgroup">${sortStatuses(statuses).map((s) => streamerRow(s))}</div>
  </div>
  ${statuses.length === 0 ? html`<p class="empty">No streamers to show yet.${user.role !== 'viewer' ? ' Add one under streamers.' : ' Ask an admin to assign some to you.'}</p>` : ''}
</section>`,
  })
}
