/// <reference lib="dom" />
/**
 * The page's one DOM helper: elements built from a tag, attributes and children, text always
 * set as text (never parsed as HTML), so nothing a peer sends can become markup.
 * @module
 */

/** Attributes of {@link h}: strings, numbers and booleans; `on*` functions become listeners. */
export type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

/** A child of {@link h}: a node, or text. */
export type Child = Node | string | number | undefined | null | false;

/** `document.createElement(tag)` with attributes and children (see {@link Attrs}). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  for (const c of children) append(el, c);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element, as {@link h}. */
export function s(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag) as SVGElement;
  setAttrs(el, attrs);
  for (const c of children) append(el, c);
  return el;
}

function setAttrs(el: Element, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
}

function append(el: Element, c: Child): void {
  if (c === undefined || c === null || c === false) return;
  el.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
}

/** The element with `id`, which the page's HTML must have. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`The page has no element #${id}`);
  return el as T;
}

/** Replaces every child of `el` with `children`. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  for (const c of children) append(el, c);
}
