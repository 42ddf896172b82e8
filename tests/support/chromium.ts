/**
 * A headless Chromium for the browser tests, driven over the DevTools protocol with Deno's own
 * WebSocket (no puppeteer, no browser download: Debian's `/usr/bin/chromium`, or
 * `CHAT_CHROMIUM`). Tests skip when it is missing ({@link chromiumPath}). Every browser gets a
 * fresh profile in a temporary directory and no network of its own beyond what a page asks for
 * (no background networking, updates, sync or QUIC); {@link Browser.close} kills it and removes
 * the profile.
 * @module
 */

/** The Chromium binary, or `undefined` when there is none (the tests skip). */
export function chromiumPath(): string | undefined {
  const path = Deno.env.get("CHAT_CHROMIUM") ?? "/usr/bin/chromium";
  try {
    return Deno.statSync(path).isFile ? path : undefined;
  } catch {
    return undefined;
  }
}

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: Error) => void;
}

/** One DevTools connection (the browser's, or a page's). */
class DevTools {
  readonly #ws: WebSocket;
  #id = 0;
  readonly #pending = new Map<number, Pending>();
  readonly opened: Promise<void>;
  readonly #listeners = new Map<string, ((params: Record<string, unknown>) => void)[]>();

  constructor(url: string) {
    this.#ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.#ws.onopen = () => resolve();
      this.#ws.onerror = () => reject(new Error(`DevTools connection failed: ${url}`));
    });
    this.#ws.onmessage = (e) => {
      const msg = JSON.parse(String(e.data));
      if (msg.id !== undefined) {
        const p = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(`${msg.error.message} (${msg.error.code})`));
        else p?.resolve(msg.result ?? {});
      } else if (msg.method) {
        for (const l of this.#listeners.get(msg.method) ?? []) l(msg.params ?? {});
      }
    };
    this.#ws.onclose = () => {
      for (const p of this.#pending.values()) p.reject(new Error("DevTools connection closed"));
      this.#pending.clear();
    };
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = ++this.#id;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  on(method: string, fn: (params: Record<string, unknown>) => void): void {
    const list = this.#listeners.get(method) ?? [];
    list.push(fn);
    this.#listeners.set(method, list);
  }

  async close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((r) => this.#ws.addEventListener("close", r, { once: true }));
    this.#ws.close();
    await closed;
  }
}

/** One tab. */
export class Page {
  readonly #dt: DevTools;
  readonly #targetId: string;
  readonly #browser: DevTools;
  /** Console messages and uncaught errors of the page, as they came. */
  readonly console: string[] = [];
  /** Requests the page made (URLs), to check it fetched nothing from elsewhere. */
  readonly requests: string[] = [];

  constructor(dt: DevTools, targetId: string, browser: DevTools) {
    this.#dt = dt;
    this.#targetId = targetId;
    this.#browser = browser;
    dt.on("Runtime.consoleAPICalled", (p) => {
      const args = (p.args as { value?: unknown; description?: string }[]) ?? [];
      this.console.push(`${p.type}: ${args.map((a) => a.value ?? a.description).join(" ")}`);
    });
    dt.on("Runtime.exceptionThrown", (p) => {
      const d = p.exceptionDetails as { text?: string; exception?: { description?: string } };
      this.console.push(`exception: ${d.exception?.description ?? d.text}`);
    });
    dt.on("Network.requestWillBeSent", (p) => {
      this.requests.push((p.request as { url: string }).url);
    });
  }

  /** Sets the viewport (CSS pixels) and device scale 1. */
  async viewport(width: number, height: number, mobile = false): Promise<void> {
    await this.#dt.send("Emulation.setDeviceMetricsOverride", {
      width,
      height,
      deviceScaleFactor: 1,
      mobile,
    });
  }

  /** Loads `url` and waits for its load event. */
  async goto(url: string): Promise<void> {
    const loaded = new Promise<void>((r) => this.#dt.on("Page.loadEventFired", () => r()));
    await this.#dt.send("Page.navigate", { url });
    await withTimeout(loaded, 15_000, `loading ${url}`);
  }

  /** Evaluates `expression` in the page and returns its value (awaited, as JSON). */
  async eval<T = unknown>(expression: string): Promise<T> {
    const r = await this.#dt.send("Runtime.evaluate", {
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    const ex = r.exceptionDetails as
      | { exception?: { description?: string }; text?: string }
      | undefined;
    if (ex) throw new Error(`In the page: ${ex.exception?.description ?? ex.text}`);
    return (r.result as { value: T }).value;
  }

  /** Waits until `expression` is truthy in the page (polled), or throws after `ms`. */
  async waitFor(what: string, expression: string, ms = 15_000): Promise<void> {
    const end = performance.now() + ms;
    for (;;) {
      if (await this.eval<boolean>(`Boolean(${expression})`)) return;
      if (performance.now() > end) {
        throw new Error(
          `timed out waiting for ${what}; console: ${this.console.slice(-5).join(" | ")}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A PNG of the viewport (or the whole page), written to `path`. */
  async screenshot(path: string, fullPage = false): Promise<void> {
    let clip: Record<string, number> | undefined;
    if (fullPage) {
      const m = await this.#dt.send("Page.getLayoutMetrics") as {
        cssContentSize: { width: number; height: number };
      };
      clip = {
        x: 0,
        y: 0,
        width: m.cssContentSize.width,
        height: m.cssContentSize.height,
        scale: 1,
      };
    }
    const r = await this.#dt.send("Page.captureScreenshot", {
      format: "png",
      captureBeyondViewport: fullPage,
      ...(clip ? { clip } : {}),
    });
    await Deno.writeFile(path, Uint8Array.from(atob(r.data as string), (c) => c.charCodeAt(0)));
  }

  /** Closes the tab. */
  async close(): Promise<void> {
    await this.#dt.close();
    await this.#browser.send("Target.closeTarget", { targetId: this.#targetId }).catch(() => {});
  }
}

/** A running headless Chromium. */
export class Browser {
  readonly #child: Deno.ChildProcess;
  readonly #dt: DevTools;
  readonly #port: number;
  readonly #profile: string;
  readonly #stderr: Promise<void>;

  private constructor(
    child: Deno.ChildProcess,
    dt: DevTools,
    port: number,
    profile: string,
    stderr: Promise<void>,
  ) {
    this.#child = child;
    this.#dt = dt;
    this.#port = port;
    this.#profile = profile;
    this.#stderr = stderr;
  }

  /** Starts Chromium (see the module comment); throws when it does not come up in 20 s. */
  static async launch(path: string): Promise<Browser> {
    const profile = await Deno.makeTempDir({ prefix: "chat-chromium-" });
    const child = new Deno.Command(path, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--metrics-recording-only",
        "--hide-scrollbars",
        "--mute-audio",
        `--user-data-dir=${profile}`,
        "--remote-debugging-port=0",
        "about:blank",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    // The DevTools address is printed on stderr; the rest of it is drained.
    const { promise: url, resolve: found } = Promise.withResolvers<string>();
    const stderr = (async () => {
      const dec = new TextDecoder();
      let text = "";
      for await (const chunk of child.stderr) {
        if (text.length < 100_000) {
          text += dec.decode(chunk);
          const m = /DevTools listening on (ws:\/\/\S+)/.exec(text);
          if (m) found(m[1]!);
        }
      }
    })();
    let wsUrl: string;
    try {
      wsUrl = await withTimeout(url, 20_000, "Chromium's DevTools address");
    } catch (error) {
      child.kill("SIGKILL");
      await child.status;
      await stderr;
      await Deno.remove(profile, { recursive: true }).catch(() => {});
      throw error;
    }
    const port = Number(new URL(wsUrl).port);
    const dt = new DevTools(wsUrl);
    await dt.opened;
    return new Browser(child, dt, port, profile, stderr);
  }

  /** A new tab at `width` × `height` CSS pixels, with console, network and page events on. */
  async newPage(width: number, height: number, mobile = false): Promise<Page> {
    const { targetId } = await this.#dt.send("Target.createTarget", { url: "about:blank" }) as {
      targetId: string;
    };
    const dt = new DevTools(`ws://127.0.0.1:${this.#port}/devtools/page/${targetId}`);
    await dt.opened;
    const page = new Page(dt, targetId, this.#dt);
    await dt.send("Page.enable");
    await dt.send("Runtime.enable");
    await dt.send("Network.enable");
    await page.viewport(width, height, mobile);
    return page;
  }

  /** Kills the browser and removes its profile. */
  async close(): Promise<void> {
    await this.#dt.close();
    try {
      this.#child.kill("SIGKILL");
    } catch { /* already gone */ }
    await this.#child.status;
    await this.#stderr;
    await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
