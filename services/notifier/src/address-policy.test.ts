import { expect, test } from 'bun:test'
import { isPrivateAddress } from './address-policy.ts'

test('private, loopback, link-local and reserved addresses are refused; public ones pass', () => {
  for (const a of ['127.0.0.1', '127.1.2.3', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.1.2.3', '64:ff9b::a9fe:a9fe', '2002:7f00:1::1', 'ff02::1', '2001:db8::1', 'not-an-ip'])
    expect([a, isPrivateAddress(a)]).toEqual([a, true])
  for (const a of ['1.1.1.1', '8.8.8.8', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2002:0808:0808::1'])
    expect([a, isPrivateAddress(a)]).toEqual([a, false])
})
