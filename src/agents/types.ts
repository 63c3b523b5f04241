// The facts an agent's adapter reads from its program's own output; what they mean is decided in
// src/worker/outcome.ts.

/** Tokens and cost of a worker's agent (SPEC §5 `usage`). */
export interface Usage {
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cost_usd: number | null;
}

/** How the agent said its work ended, from its own output (the final result event, its last message). */
export interface AgentResult {
  /** The agent reported an error (Claude's `is_error`/error subtype, Codex's failed turn). */
  isError: boolean;
  /** The agent's own words: its error message, or its final answer. */
  message?: string;
  /** Its last message, used as the result when it wrote none (Codex). */
  lastMessage?: string;
  usage?: Usage;
}

/**
 * One thing the agent told wo while it ran, with when it was noticed (ms). `working`: it acts;
 * `waiting`: it asks a person or sits idle at its prompt; `rate-limited`: its provider's limit.
 */
export interface AgentEvent {
  at: number;
  state: 'working' | 'waiting' | 'rate-limited';
  message?: string;
  /** `rate-limited`: when the limit resets (ISO 8601), when the agent said so. */
  resetsAt?: string;
}
