// A small DevTools-protocol client over a pipe (chromium --remote-debugging-pipe): enough to load a page
// with JavaScript off, read its DOM and click. No npm package: nothing here downloads a browser.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

export class Browser {
  private next = 1;
  private pending = new Map<number, { ok(v: Record<string, unknown>): void; fail(e: Error): void }>();
  private listeners: Array<(m: Message) => void> = [];
  private constructor(
    private readonly child: ChildProcess,
    private readonly input: Writable,
  ) {}

  static launch(executable: string, profile: string, env: NodeJS.ProcessEnv): Browser {
    const child = spawn(
      executable,
      [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--remote-debugging-pipe',
        `--user-data-dir=${profile}`,
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], env },
    );
    const b = new Browser(child, child.stdio[3] as Writable);
    let buf = '';
    (child.stdio[4] as Readable).on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      for (let i = buf.indexOf('\0'); i >= 0; i = buf.indexOf('\0')) {
        const m = JSON.parse(buf.slice(0, i)) as Message;
        buf = buf.slice(i + 1);
        if (m.id !== undefined) {
          const p = b.pending.get(m.id);
          b.pending.delete(m.id);
          if (m.error) p?.fail(new Error(m.error.message));
          else p?.ok(m.result ?? {});
        } else for (const l of b.listeners) l(m);
      }
    });
    return b;
  }

  send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<Record<string, unknown>> {
    const id = this.next++;
    this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    return new Promise((ok, fail) => this.pending.set(id, { ok, fail }));
  }

  /** The next event `method` (of `sessionId`), or an error after `ms`. */
  event(method: string, sessionId: string, ms = 30_000): Promise<Message> {
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`no ${method} within ${ms} ms`)), ms);
      const l = (m: Message) => {
        if (m.method !== method || m.sessionId !== sessionId) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((x) => x !== l);
        ok(m);
      };
      this.listeners.push(l);
    });
  }

  /** A new tab, attached; scripts off when `scripts` is false. Navigates to `url` and waits for its load. */
  async open(url: string, scripts: boolean): Promise<string> {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as {
      sessionId: string;
    };
    await this.send('Page.enable', {}, sessionId);
    if (!scripts) await this.send('Emulation.setScriptExecutionDisabled', { value: true }, sessionId);
    await this.send(
      'Emulation.setDeviceMetricsOverride',
      { width: 1280, height: 1000, deviceScaleFactor: 1, mobile: false },
      sessionId,
    );
    const loaded = this.event('Page.loadEventFired', sessionId);
    await this.send('Page.navigate', { url }, sessionId);
    await loaded;
    return sessionId;
  }

  async html(sessionId: string): Promise<string> {
    const { root } = (await this.send('DOM.getDocument', { depth: -1 }, sessionId)) as {
      root: { nodeId: number };
    };
    const { outerHTML } = (await this.send('DOM.getOuterHTML', { nodeId: root.nodeId }, sessionId)) as {
      outerHTML: string;
    };
    return outerHTML;
  }

  /** The node of a CSS selector in the current document. */
  async query(sessionId: string, selector: string): Promise<number> {
    const { root } = (await this.send('DOM.getDocument', {}, sessionId)) as { root: { nodeId: number } };
    const { nodeId } = (await this.send(
      'DOM.querySelector',
      { nodeId: root.nodeId, selector },
      sessionId,
    )) as { nodeId: number };
    if (!nodeId) throw new Error(`no element matches ${selector}`);
    return nodeId;
  }

  /** Whether an element is laid out (display:none has no box). */
  async visible(sessionId: string, selector: string): Promise<boolean> {
    const nodeId = await this.query(sessionId, selector);
    return this.send('DOM.getBoxModel', { nodeId }, sessionId).then(
      () => true,
      () => false,
    );
  }

  /** Clicks the middle of an element, as a person would. */
  async click(sessionId: string, selector: string): Promise<void> {
    const nodeId = await this.query(sessionId, selector);
    await this.send('DOM.scrollIntoViewIfNeeded', { nodeId }, sessionId);
    const { model } = (await this.send('DOM.getBoxModel', { nodeId }, sessionId)) as {
      model: { content: number[] };
    };
    const [x1, y1, , , x3, y3] = model.content as [number, number, number, number, number, number];
    const at = { x: (x1 + x3) / 2, y: (y1 + y3) / 2, button: 'left', clickCount: 1 };
    await this.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...at }, sessionId);
    await this.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...at }, sessionId);
  }

  /** Ends the browser it started (by its own process id) and waits for it. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((ok) => this.child.once('exit', ok));
    await this.send('Browser.close').catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
}
