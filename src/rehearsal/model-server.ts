// A scripted model server on 127.0.0.1 for the real agent programs: the Anthropic Messages API
// (streamed server-sent events, for Claude Code) and the OpenAI Responses API (streamed, for Codex,
// whose custom providers speak only `wire_api = "responses"` in 0.171). A rehearsal (SPEC §12) and
// the tests script the model's turns; the turn to answer is read from the conversation itself (how
// many tool calls it already holds), so retries and side requests never shift the script. Each
// worker of a rehearsal talks to its own path, `/w/{feature}`, which plays that worker's script.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';

/** One turn of the scripted model. */
export type Step =
  /** Run a shell command through the agent's shell tool (Claude: Bash; Codex: its shell tool). */
  | { bash: string }
  /** Write a file through the agent's file tool (Claude: Write; Codex: its shell tool). Absolute path. */
  | { write: string; content: string }
  /**
   * End the turn with this text (the agent's final message); `delayMs`: answered that late, as a
   * model still writing its last words (Anthropic only).
   */
  | { text: string; delayMs?: number }
  /** Answer with an HTTP error; `times` of them, then the next step (default: every time). */
  | {
      error: 401 | 429 | 500 | 529;
      message?: string;
      times?: number;
      retryAfterS?: number;
      /**
       * A 429 of a plan's usage limit that resets at this time (epoch seconds), as the providers say
       * it: Anthropic in its `anthropic-ratelimit-unified-*` headers (Claude Code reads them for a
       * subscription login), OpenAI as a `usage_limit_reached` error with `resets_at` (Codex).
       */
      resetAt?: number;
      /**
       * As resetAt, this many seconds after the request is answered: a test's pause then starts
       * when the agent hits it, however long the agent took to start on a loaded machine.
       */
      resetInS?: number;
    };

/** Tokens the server's answers reported, added up. */
export interface Tokens {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
}

/** One request the server was sent: its path and headers (names lower-case), for a test to inspect. */
export interface SeenRequest {
  path: string;
  headers: Record<string, string>;
}

export interface ModelServer {
  url: string;
  /** The base URL of one worker's own script (`/w/{feature}`): what its agent is pointed at. */
  urlFor(feature: string): string;
  /** The script being played at the root (a test may add steps once it knows its paths). */
  script: Step[];
  /** Requests on the main loop (with tools), by API. */
  requests: { anthropic: number; openai: number };
  /** Tokens the Anthropic answers on the main loop reported, added up (what a run's usage should say). */
  sent: Tokens;
  /** Tokens of every main-loop answer (both APIs), by the worker whose path asked. */
  tokensOf(feature: string): Tokens | undefined;
  /** Every request's path and headers, in order. */
  seen: SeenRequest[];
  close(): Promise<void>;
}

export interface ModelServerOptions {
  /** The script of a worker's own path (`/w/{feature}`); none: the root script. */
  scriptFor?: (feature: string) => Step[] | undefined;
}

/** A worker's path on the server (a try's too: `F.try{k}`, SPEC §11). */
const WORKER_PATH = /^\/w\/([A-Za-z0-9][A-Za-z0-9_-]{0,62}(?:\.try[1-9][0-9]?)?)(\/.*)?$/;

const USAGE = { input_tokens: 120, output_tokens: 30, cache_read_input_tokens: 10 };

/** Quotes a test's own text for the scripted model's shell commands. */
const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sse(res: ServerResponse, events: Array<[string, unknown]>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const [name, data] of events) res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  res.end();
}

function sendError(res: ServerResponse, step: Extract<Step, { error: number }>, api: 'anthropic' | 'openai') {
  const type =
    step.error === 429
      ? 'rate_limit_error'
      : step.error === 529
        ? 'overloaded_error'
        : step.error === 401
          ? 'authentication_error'
          : 'api_error';
  const message = step.message ?? `scripted ${type}`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (step.retryAfterS !== undefined) headers['retry-after'] = String(step.retryAfterS);
  const resetAt =
    step.resetAt ?? (step.resetInS !== undefined ? Math.floor(Date.now() / 1000) + step.resetInS : undefined);
  if (step.error === 429) {
    const reset = new Date(Date.now() + (step.retryAfterS ?? 60) * 1000).toISOString();
    headers['anthropic-ratelimit-requests-reset'] = reset;
    headers['x-ratelimit-reset-requests'] = `${step.retryAfterS ?? 60}s`;
    if (resetAt !== undefined && api === 'anthropic') {
      headers['anthropic-ratelimit-unified-status'] = 'rejected';
      headers['anthropic-ratelimit-unified-reset'] = String(resetAt);
      headers['anthropic-ratelimit-unified-representative-claim'] = 'five_hour';
      headers['anthropic-ratelimit-unified-5h-status'] = 'rejected';
      headers['anthropic-ratelimit-unified-5h-reset'] = String(resetAt);
    }
  }
  if (api === 'anthropic') {
    // A persistent error says not to retry; one given `times` lets Claude Code retry past it.
    res.writeHead(step.error, { ...headers, 'x-should-retry': step.times === undefined ? 'false' : 'true' });
    res.end(JSON.stringify({ type: 'error', error: { type, message } }));
  } else {
    res.writeHead(step.error, headers);
    const limit = step.error === 429 && resetAt !== undefined;
    res.end(
      JSON.stringify({
        error: limit
          ? { type: 'usage_limit_reached', message, plan_type: 'plus', resets_at: resetAt }
          : { type, message, code: type },
      }),
    );
  }
}

/** One script being played: its steps and the errors of it already sent. */
interface Playing {
  script: Step[];
  errorsSent: Map<number, number>;
  tokens: Tokens;
}

const noTokens = (): Tokens => ({ input_tokens: 0, output_tokens: 0, cache_read_tokens: 0 });

/**
 * Starts a server that plays `script` to every agent that talks to it at its root, and a worker's
 * own script (`scriptFor`) to the agent that talks to `/w/{feature}`.
 */
export async function startModelServer(script: Step[], o: ModelServerOptions = {}): Promise<ModelServer> {
  const requests = { anthropic: 0, openai: 0 };
  const sent = noTokens();
  const seen: SeenRequest[] = [];
  const root: Playing = { script, errorsSent: new Map(), tokens: noTokens() };
  const workers = new Map<string, Playing>();
  let ids = 0;

  /** What a request's path plays, and the path below the worker's prefix. */
  const playing = (url: string): { p: Playing; path: string } => {
    const m = WORKER_PATH.exec(url);
    if (!m) return { p: root, path: url };
    const feature = m[1]!;
    let p = workers.get(feature);
    if (!p) {
      p = { script: o.scriptFor?.(feature) ?? root.script, errorsSent: new Map(), tokens: noTokens() };
      workers.set(feature, p);
    }
    return { p, path: m[2] ?? '/' };
  };

  const count = (p: Playing) => {
    p.tokens.input_tokens += USAGE.input_tokens;
    p.tokens.output_tokens += USAGE.output_tokens;
    p.tokens.cache_read_tokens += USAGE.cache_read_input_tokens;
  };

  /** The step for a conversation that already holds `done` tool calls, skipping spent errors. */
  const stepAt = ({ script, errorsSent }: Playing, done: number): Step | undefined => {
    // Errors with `times` are spent in order; they do not count as turns of the conversation.
    let i = 0;
    let turns = 0;
    for (; i < script.length; i++) {
      const s = script[i]!;
      if ('error' in s) {
        const sent = errorsSent.get(i) ?? 0;
        if (turns === done && (s.times === undefined || sent < s.times)) {
          errorsSent.set(i, sent + 1);
          return s;
        }
        continue;
      }
      if (turns === done) return s;
      turns++;
    }
    return undefined;
  };

  const anthropic = (res: ServerResponse, body: Record<string, unknown>, p: Playing) => {
    const tools = (body.tools as Array<{ name: string }> | undefined) ?? [];
    const messages = (body.messages as Array<{ role: string }> | undefined) ?? [];
    const main = tools.some((t) => t.name === 'Bash');
    const step: Step = main
      ? (stepAt(p, messages.filter((m) => m.role === 'assistant').length) ?? { text: 'Nothing left to do.' })
      : { text: 'ok' }; // a side request (a title, a summary): not a turn of the script
    if (main) requests.anthropic++;
    if ('error' in step) return sendError(res, step, 'anthropic');
    if (main) {
      sent.input_tokens += USAGE.input_tokens;
      sent.output_tokens += USAGE.output_tokens;
      sent.cache_read_tokens += USAGE.cache_read_input_tokens;
      count(p);
    }
    const id = `msg_${++ids}`;
    const events: Array<[string, unknown]> = [
      [
        'message_start',
        {
          type: 'message_start',
          message: {
            id,
            type: 'message',
            role: 'assistant',
            model: typeof body.model === 'string' ? body.model : 'claude-test',
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { ...USAGE, output_tokens: 1 },
          },
        },
      ],
    ];
    if ('bash' in step || 'write' in step) {
      const [name, input] =
        'bash' in step
          ? ['Bash', JSON.stringify({ command: step.bash, description: 'scripted step' })]
          : ['Write', JSON.stringify({ file_path: step.write, content: step.content })];
      events.push(
        [
          'content_block_start',
          {
            type: 'content_block_start',
            index: 0,
            content_block: { type: 'tool_use', id: `toolu_${ids}`, name, input: {} },
          },
        ],
        [
          'content_block_delta',
          { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: input } },
        ],
      );
    } else {
      events.push(
        [
          'content_block_start',
          { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        ],
        [
          'content_block_delta',
          { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: step.text } },
        ],
      );
    }
    events.push(
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      [
        'message_delta',
        {
          type: 'message_delta',
          delta: { stop_reason: 'text' in step ? 'end_turn' : 'tool_use', stop_sequence: null },
          usage: { output_tokens: USAGE.output_tokens },
        },
      ],
      ['message_stop', { type: 'message_stop' }],
    );
    if ('text' in step && step.delayMs) setTimeout(() => sse(res, events), step.delayMs);
    else sse(res, events);
  };

  const openai = (res: ServerResponse, body: Record<string, unknown>, p: Playing) => {
    requests.openai++;
    const input = (body.input as Array<{ type?: string }> | undefined) ?? [];
    const tools = (body.tools as Array<{ name?: string; type?: string }> | undefined) ?? [];
    const step = stepAt(
      p,
      input.filter((i) => i.type === 'function_call' || i.type === 'local_shell_call').length,
    ) ?? {
      text: 'Nothing left to do.',
    };
    if ('error' in step) return sendError(res, step, 'openai');
    count(p);
    const rid = `resp_${++ids}`;
    let item: Record<string, unknown>;
    if ('bash' in step || 'write' in step) {
      const cmd =
        'bash' in step
          ? step.bash
          : `mkdir -p ${shQuote(dirname(step.write))} && printf '%s' ${shQuote(step.content)} > ${shQuote(step.write)}`;
      const names = new Set(tools.map((t) => t.name));
      const call_id = `call_${ids}`;
      // Whichever shell tool this version offers (0.171: exec_command).
      if (names.has('exec_command'))
        item = { type: 'function_call', name: 'exec_command', call_id, arguments: JSON.stringify({ cmd }) };
      else if (names.has('shell_command'))
        item = {
          type: 'function_call',
          name: 'shell_command',
          call_id,
          arguments: JSON.stringify({ command: cmd }),
        };
      else
        item = {
          type: 'function_call',
          name: 'shell',
          call_id,
          arguments: JSON.stringify({ command: ['bash', '-lc', cmd] }),
        };
    } else {
      item = {
        type: 'message',
        role: 'assistant',
        id: `msg_${ids}`,
        content: [{ type: 'output_text', text: step.text, annotations: [] }],
      };
    }
    sse(res, [
      ['response.created', { type: 'response.created', response: { id: rid } }],
      ['response.output_item.done', { type: 'response.output_item.done', output_index: 0, item }],
      [
        'response.completed',
        {
          type: 'response.completed',
          response: {
            id: rid,
            usage: {
              input_tokens: USAGE.input_tokens,
              input_tokens_details: { cached_tokens: USAGE.cache_read_input_tokens },
              output_tokens: USAGE.output_tokens,
              output_tokens_details: { reasoning_tokens: 0 },
              total_tokens: USAGE.input_tokens + USAGE.output_tokens,
            },
          },
        },
      ],
    ]);
  };

  const server: Server = createServer((req, res) => {
    void readBody(req).then((text) => {
      seen.push({
        path: req.url ?? '',
        headers: Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
        ),
      });
      const { p, path: url } = playing(req.url ?? '');
      let body: Record<string, unknown> = {};
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        // not JSON: answered below by path
      }
      if (process.env.WO_MODEL_LOG)
        process.stderr.write(`model-server: ${req.method} ${url} ${text.slice(0, 2000)}\n`);
      if (url.startsWith('/v1/messages/count_tokens')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ input_tokens: 100 }));
      }
      if (url.startsWith('/v1/messages')) return anthropic(res, body, p);
      if (url.includes('/responses')) return openai(res, body, p);
      if (url.includes('/models')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ data: [], models: [] }));
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'not_found_error', message: `no route ${url}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    urlFor: (feature) => `http://127.0.0.1:${port}/w/${feature}`,
    script,
    requests,
    sent,
    tokensOf: (feature) => workers.get(feature)?.tokens,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
