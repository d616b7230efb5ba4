import dictionary from '@zxcvbn-ts/language-common/src/passwords.json' with { type: 'text' }

// The "passwords-common" dictionary of zxcvbn-ts (MIT): ~49,000 leaked passwords in order of
// frequency, lowercase printable ASCII without quotes or backslashes; about 18,000 of them have
// 8+ characters, so every one of the 3,000+ commonest passwords the length rule lets through is
// refused (ASVS 5.0 6.2.4). Embedded as text and searched as `"<password>"`: an exact entry
// match, since a quote in the candidate is escaped. Kept as one ~0.5 MB string: a Set of the
// same entries cost auth ~17 MB of RSS for a check that runs only when a password is set.
const text = dictionary as unknown as string

/** True when `pw` (compared as NFC, lowercased) is in the list. */
export function isCommonPassword(pw: string): boolean {
  return text.includes(JSON.stringify(pw.normalize('NFC').toLowerCase()))
}
