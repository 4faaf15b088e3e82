/**
 * Writing and reading the little XML an OFD package holds. Writing: one escape rule and one element
 * helper, so every file is built the same way (UTF-8, no whitespace between elements: the bytes are
 * compared). Reading: saxes (a conforming, non-validating parser), which also rejects any file that
 * is not well-formed.
 */
import { SaxesParser } from "saxes";

export const OFD_NS = "http://www.ofdspec.org/2016";
export const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

type Attrs = Record<string, string | number | boolean | undefined>;

/** <ofd:name attrs>children</ofd:name>; children are already-written XML. */
export function el(name: string, attrs: Attrs = {}, ...children: string[]): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
    .join("");
  return children.length === 0 ? `<ofd:${name}${a}/>` : `<ofd:${name}${a}>${children.join("")}</ofd:${name}>`;
}

/** An element with text content. */
export const text = (name: string, value: string, attrs: Attrs = {}) => el(name, attrs, esc(value));

/** A root element with the OFD namespace, as a whole file. */
export const root = (name: string, attrs: Attrs, ...children: string[]) => `${XML_DECL}${el(name, { "xmlns:ofd": OFD_NS, ...attrs }, ...children)}`;

export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: XmlNode[];
}

/**
 * The deepest element nesting read. OFD files are shallow (lianpiao's own: under ten levels); an upload
 * of a million nested elements is a 7 kB zip that took 1.4 s of the main thread to fail on the stack
 * (test/security/attacks-ofd-sm2.test.ts), so deeper files are refused at once.
 */
export const MAX_XML_DEPTH = 64;

/** Parses well-formed XML into a tree (local names, namespace prefixes dropped); throws otherwise. */
export function parseXml(xml: string): XmlNode {
  const parser = new SaxesParser({ xmlns: false });
  const top: XmlNode = { name: "#document", attrs: {}, text: "", children: [] };
  const stack: XmlNode[] = [top];
  parser.on("opentag", (t) => {
    if (stack.length > MAX_XML_DEPTH) throw new Error(`elements nested deeper than ${MAX_XML_DEPTH} levels`);
    const node: XmlNode = {
      name: t.name.replace(/^[^:]*:/, ""),
      attrs: Object.fromEntries(Object.entries(t.attributes).map(([k, v]) => [k, String(v)])),
      text: "",
      children: [],
    };
    stack[stack.length - 1].children.push(node);
    stack.push(node);
  });
  parser.on("text", (t) => (stack[stack.length - 1].text += t));
  parser.on("closetag", () => void stack.pop());
  parser.write(xml).close();
  if (top.children.length !== 1) throw new Error("not one root element");
  return top.children[0];
}

/** The first descendant named `name` (depth first), or undefined. */
export function find(node: XmlNode, name: string): XmlNode | undefined {
  for (const c of node.children) {
    if (c.name === name) return c;
    const deeper = find(c, name);
    if (deeper) return deeper;
  }
  return undefined;
}
