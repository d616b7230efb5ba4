import { describe, expect, test } from 'bun:test'
import reference from '@zxcvbn-ts/language-common/src/passwords.json'
import { checkNewPassword } from './passwords.ts'

// ASVS 5.0 6.2.4: the 3,000+ commonest passwords are refused, with a message that says so.
const refusal = async (pw: string, username = 'someone') => {
  try {
    await checkNewPassword(pw, username)
    return null
  } catch (e) {
    return (e as Error).message
  }
}
const COMMON = 'password: this password is one of the most common passwords; choose another'

describe('common passwords', () => {
  test('common passwords ranked 263rd to 3,024th are refused, whatever their case', async () => {
    for (const pw of ['jonathan', 'Dolphins', 'SNOWBALL', 'pakistan', '4815162342', 'bigmoney', 'superstar', 'fordf150', 'wildfire'])
      expect([pw, await refusal(pw)]).toEqual([pw, COMMON])
  })

  test('every password of 8+ characters among the 10,000 commonest is refused (3,000+ of them)', async () => {
    const long = (reference as string[]).slice(0, 10_000).filter((p) => p.length >= 8)
    expect(long.length).toBeGreaterThan(3000)
    const accepted: string[] = []
    for (const pw of long) if ((await refusal(pw)) !== COMMON) accepted.push(pw)
    expect(accepted).toEqual([])
  })

  test('uncommon passwords pass, including ones that glue common entries together', async () => {
    for (const pw of ['correct horse battery', 'jonathan","dolphins', 'snowball pakistan', 'wildfire-on-the-ridge-7', 'пароль-не-из-списка'])
      expect([pw, await refusal(pw)]).toEqual([pw, null])
  })
})
