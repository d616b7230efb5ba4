import { chromium, type Browser } from 'playwright-core'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

export const ARTIFACTS = join(import.meta.dir, '..', '..', 'test-artifacts')

/** Debian's Chromium, headless. The flags keep it off the (closed) network and fast to start. */
export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true })
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  })
}
