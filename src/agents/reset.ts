// When an agent's rate limit resets, from what the agent says (SPEC §1: `rate-limited`, with the
// reset time when known). Claude Code's stream gives it exactly (`rate_limit_event`'s `resetsAt`,
// epoch seconds); its hooks and Codex give only words with a clock time:
//   Claude Code 2.1.197: "You've hit your session limit · resets 5:48pm (Asia/Shanghai)"
//   Codex 0.171:         "You’ve hit your usage limit. … or try again at 9:48 AM."
//                        (or "… try again at Nov 29th, 2026 9:48 AM." for a later day)
// A clock time without a date is the next such time after the agent said it.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_MS = 24 * 60 * 60 * 1000;

/** Latest time a Date holds (±100 million days): beyond it toISOString throws. */
const MAX_DATE_MS = 8.64e15;

/** Epoch ms as ISO 8601; undefined beyond what a date holds (an agent's reset can be any number). */
const isoOf = (ms: number): string | undefined =>
  Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : undefined;

/** Epoch seconds (or ms) as ISO 8601; undefined for anything that is not a plausible time. */
export function epochToIso(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return undefined;
  const ms = value < 1e12 ? value * 1000 : value;
  return isoOf(ms);
}

/** The offset of `zone` from UTC at `utcMs`, ms (positive east of Greenwich); undefined for an unknown zone. */
function zoneOffset(zone: string, utcMs: number): number | undefined {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(new Date(utcMs));
  } catch {
    return undefined; // not a zone this Node knows
  }
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** A wall-clock time in `zone` (undefined: this process's local time) as epoch ms. */
function wallClock(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  zone: string | undefined,
): number | undefined {
  if (zone === undefined) return new Date(y, mo, d, h, mi).getTime();
  const guess = Date.UTC(y, mo, d, h, mi);
  const first = zoneOffset(zone, guess);
  if (first === undefined) return undefined;
  const second = zoneOffset(zone, guess - first) ?? first;
  return guess - second;
}

/** The date parts of `ms` in `zone` (undefined: local). */
function dateIn(ms: number, zone: string | undefined): { y: number; mo: number; d: number } {
  if (zone === undefined) {
    const t = new Date(ms);
    return { y: t.getFullYear(), mo: t.getMonth(), d: t.getDate() };
  }
  const t = new Date(ms + (zoneOffset(zone, ms) ?? 0));
  return { y: t.getUTCFullYear(), mo: t.getUTCMonth(), d: t.getUTCDate() };
}

/**
 * The reset time an agent's words give (ISO 8601), the next such clock time at or after `saidAt`
 * when they give no date; undefined when they give none. Claude Code names its zone in brackets
 * (an IANA name or UTC); Codex's clock time is this machine's local time.
 */
export function resetFromWords(words: string | undefined, saidAt: number): string | undefined {
  if (!words) return undefined;
  const m =
    /\b(?:resets|try again at)\s+(?:([A-Z][a-z]{2})[a-z]*\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})?,?\s*)?(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?(?:\s*\(([^)]+)\))?/i.exec(
      words,
    );
  if (!m) return undefined;
  let hour = Number(m[4]) % 12;
  if (m[6]!.toLowerCase() === 'p') hour += 12;
  const minute = Number(m[5] ?? 0);
  if (minute > 59) return undefined;
  const zone = m[7]?.trim();
  const tz = zone === undefined ? undefined : zone.toUpperCase() === 'UTC' ? 'UTC' : zone;
  if (m[1] !== undefined) {
    const month = MONTHS.indexOf(m[1].toLowerCase());
    if (month < 0) return undefined;
    const year = m[3] !== undefined ? Number(m[3]) : dateIn(saidAt, tz).y;
    const ms = wallClock(year, month, Number(m[2]), hour, minute, tz);
    return ms === undefined ? undefined : isoOf(ms);
  }
  const today = dateIn(saidAt, tz);
  let ms = wallClock(today.y, today.mo, today.d, hour, minute, tz);
  if (ms === undefined) return undefined;
  // A clock time a minute or more before the words were said is tomorrow's.
  if (ms < saidAt - 60_000) ms = wallClock(today.y, today.mo, today.d + 1, hour, minute, tz) ?? ms + DAY_MS;
  return isoOf(ms);
}
