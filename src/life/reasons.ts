// A reason is one line a person reads in `wo status`, the report and the progress view. The agent's
// own words are kept as it wrote them, on one line, and clipped so that one long message cannot
// flood a view (the whole text stays in its result file or event stream).

/** The most characters of an agent's words a reason quotes. */
export const AGENT_WORDS_MAX = 200;

/** `text` cut to `max` characters, with `…` when it was longer. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** An agent's words on one line (runs of white space as one space), clipped to `max` when given. */
export function agentWords(text: string | undefined, max?: number): string {
  const words = (text ?? '').replace(/\s+/g, ' ').trim();
  return max === undefined ? words : clip(words, max);
}
