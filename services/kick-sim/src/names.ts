import type { Rng } from './rng.ts'

// Invented vocabulary for the seeded world. Names are adjective+noun mash-ups so they never
// copy a real streamer; categories are generic Kick-style categories.

const ADJ = [
  'amber', 'brisk', 'cosmic', 'dusty', 'electric', 'fuzzy', 'gentle', 'hollow', 'icy', 'jolly', 'kinetic', 'lunar',
  'mellow', 'neon', 'odd', 'pixel', 'quiet', 'rusty', 'salty', 'tidal', 'umber', 'velvet', 'wild', 'zesty',
  'bold', 'calm', 'dapper', 'eager', 'feral', 'glitchy', 'hazy', 'indigo', 'jade', 'lucky', 'misty', 'nimble',
  'orbit', 'plush', 'rapid', 'silent', 'tiny', 'vivid', 'witty', 'cobalt', 'crimson', 'frosty', 'golden', 'sleepy',
] as const

const NOUN = [
  'otter', 'comet', 'badger', 'lantern', 'falcon', 'noodle', 'walrus', 'pebble', 'cactus', 'raccoon', 'kettle',
  'moth', 'yak', 'biscuit', 'gecko', 'harbor', 'meadow', 'pickle', 'quokka', 'rocket', 'sprout', 'tortoise',
  'urchin', 'vortex', 'wombat', 'ferret', 'glacier', 'heron', 'iguana', 'jackal', 'koala', 'lynx', 'mongoose',
  'narwhal', 'owl', 'panda', 'robin', 'salmon', 'tapir', 'viper', 'wren', 'bison', 'crane', 'dingo', 'eel',
  'fox', 'goose', 'hamster', 'ibis', 'koi', 'lemur', 'marmot', 'newt', 'ocelot', 'puffin', 'stoat', 'toad',
] as const

export type Category = { id: number; name: string; slug: string; parent: { id: number; name: string; slug: string; icon: string } }

const PARENTS = {
  irl: { id: 2, name: 'IRL', slug: 'irl', icon: '🎙️' },
  games: { id: 1, name: 'Games', slug: 'games', icon: '🎮' },
  gambling: { id: 4, name: 'Gambling', slug: 'gambling', icon: '🎲' },
  creative: { id: 3, name: 'Creative', slug: 'creative', icon: '🎨' },
}

function cat(id: number, name: string, parent: Category['parent']): Category {
  const slug = name.toLowerCase().replace(/&/g, 'and').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')
  return { id, name, slug, parent }
}

export const CATEGORIES: readonly Category[] = [
  cat(15, 'Just Chatting', PARENTS.irl),
  cat(28, 'Slots & Casino', PARENTS.gambling),
  cat(8549, 'Counter-Strike 2', PARENTS.games),
  cat(5, 'Minecraft', PARENTS.games),
  cat(41, 'Grand Theft Auto V', PARENTS.games),
  cat(12, 'League of Legends', PARENTS.games),
  cat(10, 'Chess', PARENTS.games),
  cat(33, 'Music', PARENTS.creative),
  cat(34, 'Art', PARENTS.creative),
  cat(9, 'Fortnite', PARENTS.games),
  cat(13, 'Valorant', PARENTS.games),
  cat(27, 'Rust', PARENTS.games),
  cat(16, 'Sports', PARENTS.irl),
  cat(21, 'Travel & Outdoors', PARENTS.irl),
  cat(22, 'Food & Drink', PARENTS.irl),
  cat(31, 'Software & Game Development', PARENTS.creative),
]

/** Weighted like a real directory: chatting and casino dominate. */
const CATEGORY_WEIGHTS = [30, 12, 8, 6, 8, 5, 3, 3, 2, 5, 4, 4, 3, 3, 2, 2]

export function pickCategory(rng: Rng): Category {
  const total = CATEGORY_WEIGHTS.reduce((a, b) => a + b, 0)
  let r = rng.next() * total
  for (let i = 0; i < CATEGORIES.length; i++) {
    r -= CATEGORY_WEIGHTS[i] ?? 1
    if (r < 0) return CATEGORIES[i] as Category
  }
  return CATEGORIES[0] as Category
}

/** A category named by a control-API caller: known names map to their id, others get a stable id. */
export function categoryByName(name: string): Category {
  const known = CATEGORIES.find((c) => c.name.toLowerCase() === name.toLowerCase())
  if (known) return known
  let h = 0
  for (const ch of name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0
  return cat(100_000 + (h % 900_000), name, PARENTS.games)
}

export function categoryById(id: number, name: string): Category {
  const known = CATEGORIES.find((c) => c.id === id)
  return known && known.name === name ? known : cat(id, name, PARENTS.games)
}

/** A unique slug (≤ 25 chars, [a-z0-9_]) and a display username for it. */
export function makeName(rng: Rng, taken: Set<string>): { slug: string; username: string } {
  for (let attempt = 0; ; attempt++) {
    const adj = rng.pick(ADJ)
    const noun = rng.pick(NOUN)
    const style = rng.int(0, 5)
    const num = attempt > 3 || style === 4 ? String(rng.int(1, 9999)) : ''
    const sep = style === 3 ? '_' : ''
    let username = style === 0 || style === 3
      ? `${cap(adj)}${sep}${cap(noun)}${num}`
      : style === 1 ? `${adj}${noun}${num}` : `${cap(adj)}${noun}${num}`
    if (style === 5) username = `The${cap(adj)}${cap(noun)}${num}`
    username = username.slice(0, 25)
    const slug = username.toLowerCase()
    if (!taken.has(slug)) return { slug, username }
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

const TITLE_BITS: Record<string, readonly string[]> = {
  'Just Chatting': ['chatting with chat', 'reacting to your clips', 'morning coffee talk', 'Q&A, ask me anything', 'late night yap'],
  'Slots & Casino': ['bonus hunt day', 'opening the bonus buys', 'chasing the max win', 'slot session w/ chat'],
  'Counter-Strike 2': ['premier grind', 'faceit level 10 push', 'aim training then ranked', 'retake servers'],
  Minecraft: ['hardcore day 12', 'building a mega base', 'speedrun attempts', 'modded survival'],
  'Grand Theft Auto V': ['RP on the new server', 'heist night', 'cop shift'],
  'League of Legends': ['climbing solo queue', 'jungle only', 'ranked flex with friends'],
  Chess: ['speedrun to 2000', 'bullet vs viewers', 'opening prep'],
  Music: ['producing a beat live', 'piano requests', 'guitar and chill'],
  Art: ['drawing your characters', 'painting a landscape', 'commission work'],
  Fortnite: ['arena grind', 'zero build wins', 'custom games with viewers'],
  Valorant: ['radiant push', 'immortal lobbies', 'learning a new agent'],
  Rust: ['wipe day', 'solo vs clans', 'building the fortress'],
  Sports: ['watch party', 'match breakdown', 'fantasy draft'],
  'Travel & Outdoors': ['walking around the old town', 'hiking stream', 'night market tour'],
  'Food & Drink': ['cooking dinner', 'trying weird snacks', 'baking bread'],
  'Software & Game Development': ['building a game engine', 'coding a bot', 'fixing bugs live'],
}
const TITLE_TAILS = ['', '', ' | !discord', ' | !socials', ' 🔴', ' | day 3', ' (chill)', ' | new setup', ' !giveaway']
const TITLE_HEADS = ['', '', '', 'LIVE ', '🔴 ', 'FIRST STREAM BACK ', 'EARLY ']

export function makeTitle(rng: Rng, category: string): string {
  const bits = TITLE_BITS[category] ?? ['playing with chat']
  const t = `${rng.pick(TITLE_HEADS)}${rng.pick(bits)}${rng.pick(TITLE_TAILS)}`
  return rng.chance(0.2) ? t.toUpperCase() : t
}

const BIO_BITS = ['streaming most days', 'variety streamer', 'be nice in chat', 'business inquiries via email', 'part-time chef', 'full-time gremlin', 'here for the vibes']

export function makeBio(rng: Rng): string {
  return rng.chance(0.15) ? '' : `${cap(rng.pick(BIO_BITS))}. ${cap(rng.pick(BIO_BITS))}.`
}

export const LANGUAGES = [
  { code: 'en', name: 'English', weight: 70 },
  { code: 'es', name: 'Spanish', weight: 10 },
  { code: 'pt', name: 'Portuguese', weight: 6 },
  { code: 'de', name: 'German', weight: 5 },
  { code: 'fr', name: 'French', weight: 5 },
  { code: 'tr', name: 'Turkish', weight: 4 },
] as const

export function pickLanguage(rng: Rng): (typeof LANGUAGES)[number] {
  let r = rng.next() * 100
  for (const l of LANGUAGES) if ((r -= l.weight) < 0) return l
  return LANGUAGES[0]
}

export function languageName(code: string): string {
  return LANGUAGES.find((l) => l.code === code)?.name ?? code
}
