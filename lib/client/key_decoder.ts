/**
 * Turns the bytes a terminal in raw mode sends into keys, with no I/O: UTF-8 (a character split
 * across reads is completed by the next read; tabs are text), control keys, the escape sequences of xterm,
 * VT220, tmux and Windows Terminal for arrows, Home/End and Delete, and bracketed paste
 * (`ESC [200~` ... `ESC [201~`), whose text is passed on as it is. An escape sequence cut at the
 * end of a read waits for the next one; {@link KeyDecoder.flush} drops it when no more comes.
 * Each byte is looked at a bounded number of times, so decoding is linear in the input.
 * @module
 */

/** Keys without text. */
export type KeyName =
  | "enter"
  | "backspace"
  | "delete"
  | "left"
  | "right"
  | "home"
  | "end"
  | "wordLeft"
  | "wordRight"
  | "up"
  | "down"
  | "killToStart"
  | "killToEnd"
  | "killWordBack"
  | "killWordForward"
  | "interrupt"
  | "eof"
  | "redraw";

/** One key, or a run of text (typed, or pasted between bracketed-paste markers). */
export type Key =
  | { readonly kind: "text"; readonly text: string; readonly pasted: boolean }
  | { readonly kind: KeyName };

const ESC = "\x1b";
const PASTE_START = "\x1b[200~";
const PASTE_END = "\x1b[201~";
/** Longer escape sequences than this are garbage: the ESC is dropped and decoding goes on. */
const MAX_SEQUENCE = 32;

const CONTROL_KEYS: Readonly<Record<number, KeyName>> = {
  0x01: "home", // Ctrl-A
  0x02: "left", // Ctrl-B
  0x03: "interrupt", // Ctrl-C
  0x04: "eof", // Ctrl-D
  0x05: "end", // Ctrl-E
  0x06: "right", // Ctrl-F
  0x08: "backspace", // Ctrl-H
  0x0a: "enter",
  0x0b: "killToEnd", // Ctrl-K
  0x0c: "redraw", // Ctrl-L
  0x0d: "enter",
  0x0e: "down", // Ctrl-N
  0x10: "up", // Ctrl-P
  0x15: "killToStart", // Ctrl-U
  0x17: "killWordBack", // Ctrl-W
  0x7f: "backspace",
};

const CSI_FINAL: Readonly<Record<string, KeyName>> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
};

const CSI_TILDE: Readonly<Record<string, KeyName>> = {
  "1": "home",
  "7": "home",
  "3": "delete",
  "4": "end",
  "8": "end",
};

const META: Readonly<Record<string, KeyName>> = {
  b: "wordLeft",
  f: "wordRight",
  d: "killWordForward",
  "\x7f": "killWordBack",
  "\x08": "killWordBack",
};

/** Decodes terminal input into {@link Key}s; keeps partial characters and sequences between reads. */
export class KeyDecoder {
  readonly #utf8 = new TextDecoder("utf-8");
  #carry = "";
  #pasting = false;
  #lastWasCr = false;

  /** True while an escape sequence is cut short, waiting for the next read. */
  get waiting(): boolean {
    return this.#carry !== "" && !this.#pasting;
  }

  /** True between the start and end markers of a bracketed paste. */
  get pasting(): boolean {
    return this.#pasting;
  }

  /** The keys in `bytes` (continuing whatever the previous read left unfinished). */
  feed(bytes: Uint8Array): Key[] {
    const s = this.#carry + this.#utf8.decode(bytes, { stream: true });
    this.#carry = "";
    const keys: Key[] = [];
    let i = 0;
    let run = -1;
    const endRun = (at: number) => {
      if (run >= 0 && at > run) keys.push({ kind: "text", text: s.slice(run, at), pasted: false });
      run = -1;
    };
    while (i < s.length) {
      if (this.#pasting) {
        i = this.#pasted(s, i, keys);
        continue;
      }
      const c = s.charCodeAt(i);
      const cr = this.#lastWasCr;
      this.#lastWasCr = c === 0x0d;
      if (c === 0x09 || (c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c < 0xa0))) {
        if (run < 0) run = i;
        i++;
        continue;
      }
      endRun(i);
      if (c === 0x1b) {
        const seq = this.#sequence(s, i, keys);
        if (seq === undefined) {
          this.#carry = s.slice(i);
          return keys;
        }
        i += seq;
        continue;
      }
      const name = CONTROL_KEYS[c];
      // CR LF from a terminal is one Enter.
      if (name !== undefined && !(c === 0x0a && cr)) keys.push({ kind: name });
      i++;
    }
    endRun(i);
    return keys;
  }

  /** Gives up on an unfinished escape sequence (a lone Esc key): it is dropped. */
  flush(): void {
    if (!this.#pasting) this.#carry = "";
  }

  /** Pasted text from `i`: up to the end marker, or all but a possible start of it. */
  #pasted(s: string, i: number, keys: Key[]): number {
    const end = s.indexOf(PASTE_END, i);
    if (end >= 0) {
      if (end > i) keys.push({ kind: "text", text: s.slice(i, end), pasted: true });
      this.#pasting = false;
      return end + PASTE_END.length;
    }
    let keep = Math.min(PASTE_END.length - 1, s.length - i);
    while (keep > 0 && !PASTE_END.startsWith(s.slice(s.length - keep))) keep--;
    const upTo = s.length - keep;
    if (upTo > i) keys.push({ kind: "text", text: s.slice(i, upTo), pasted: true });
    this.#carry = s.slice(upTo);
    return s.length;
  }

  /** Length of the escape sequence at `i` (its key pushed, if it names one); undefined if cut short. */
  #sequence(s: string, i: number, keys: Key[]): number | undefined {
    const next = s[i + 1];
    if (next === undefined) return undefined;
    if (next === "[") {
      let j = i + 2;
      while (j < s.length && j - i < MAX_SEQUENCE) {
        const c = s.charCodeAt(j);
        if (c >= 0x40 && c <= 0x7e) break;
        if (c < 0x20 || c > 0x3f) return 1; // not a CSI sequence: drop the ESC
        j++;
      }
      if (j - i >= MAX_SEQUENCE) return 1;
      if (j >= s.length) return undefined;
      const final = s[j]!;
      const params = s.slice(i + 2, j);
      const length = j - i + 1;
      if (s.startsWith(PASTE_START, i)) {
        this.#pasting = true;
        return length;
      }
      if (final === "~") {
        const key = CSI_TILDE[params.split(";")[0]!];
        if (key) keys.push({ kind: key });
        return length;
      }
      const key = CSI_FINAL[final];
      if (key) {
        // Ctrl or Alt with Left/Right (`ESC [1;5D`) moves by words.
        const mod = params.split(";")[1];
        const word = mod !== undefined && mod !== "1" && (key === "left" || key === "right");
        keys.push({ kind: word ? (key === "left" ? "wordLeft" : "wordRight") : key });
      }
      return length;
    }
    if (next === "O") {
      const final = s[i + 2];
      if (final === undefined) return undefined;
      const key = CSI_FINAL[final];
      if (key) keys.push({ kind: key });
      return 3;
    }
    if (next === ESC) return 1;
    const meta = META[next];
    if (meta) {
      keys.push({ kind: meta });
      return 2;
    }
    // Alt with another ASCII key does nothing; anything else after ESC is decoded on its own.
    const c = next.charCodeAt(0);
    return c > 0x20 && c < 0x7f ? 2 : 1;
  }
}
