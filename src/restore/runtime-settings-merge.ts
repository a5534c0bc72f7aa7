/**
 * RuntimeSettings.xml from the backup, made fit for this machine, edited as
 * text so that every other byte (BOM, CRLF, comments, order) stays as backed up.
 *
 * - `Controller/ServerSecretEncrypted` is removed: it is DPAPI-encrypted for
 *   the original machine; `AlteryxService setserversecret=<token>` writes a
 *   new one (Alteryx Server Host Recovery Guide,
 *   https://help.alteryx.com/current/en/server/install/server-host-recovery-guide.html).
 * - `StorageKeysEncrypted` is carried over from the backed-up file as it is.
 * - Host-local paths (HOST_LOCAL_ELEMENTS) keep this machine's value when the
 *   target's file has one: the data folder, logs and staging of the machine
 *   being restored, not those of the machine that was backed up.
 */

export const SERVER_SECRET_ELEMENT = 'ServerSecretEncrypted';

/** Section/element pairs whose value belongs to the machine, not to the backup. */
export const HOST_LOCAL_ELEMENTS: readonly [string, string][] = [
  ['Controller', 'EmbeddedMongoDBRootPath'],
  ['Controller', 'LoggingPath'],
  ['Controller', 'WebInterfaceStagingPath'],
  ['Engine', 'TempFilePath'],
  ['Engine', 'LogFilePath'],
  ['Engine', 'PackageStagingPath'],
  ['Environment', 'WorkingPath'],
  ['Gallery', 'WorkingPath'],
  ['Gallery', 'LoggingPath'],
];

/** Every element that differs by machine: what a comparison of two hosts' files leaves out. */
export const MACHINE_BOUND_ELEMENTS: readonly [string, string][] = [['Controller', SERVER_SECRET_ELEMENT], ...HOST_LOCAL_ELEMENTS];

function sectionRange(xml: string, section: string): { start: number; end: number } | undefined {
  const open = new RegExp(`<${section}(\\s[^>]*)?>`).exec(xml);
  if (!open) return undefined;
  const close = xml.indexOf(`</${section}>`, open.index);
  if (close < 0) return undefined;
  return { start: open.index + open[0].length, end: close };
}

function elementRegex(name: string): RegExp {
  return new RegExp(`<${name}>([^<]*)</${name}>`);
}

export function readElement(xml: string, section: string, name: string): string | undefined {
  const r = sectionRange(xml, section);
  if (!r) return undefined;
  return elementRegex(name).exec(xml.slice(r.start, r.end))?.[1];
}

/** Replaces an element's text inside a section; undefined when the element is not there. */
export function replaceElement(xml: string, section: string, name: string, value: string): string | undefined {
  const r = sectionRange(xml, section);
  if (!r) return undefined;
  const body = xml.slice(r.start, r.end);
  const m = elementRegex(name).exec(body);
  if (!m) return undefined;
  return xml.slice(0, r.start) + body.slice(0, m.index) + `<${name}>${value}</${name}>` + body.slice(m.index + m[0].length) + xml.slice(r.end);
}

/** Removes an element together with its own line (indentation and line ending). */
export function removeElementLine(xml: string, section: string, name: string): string {
  const r = sectionRange(xml, section);
  if (!r) return xml;
  const body = xml.slice(r.start, r.end);
  const m = new RegExp(`(^|\\n)[ \\t]*<${name}>[^<]*</${name}>[ \\t]*\\r?\\n?`).exec(body);
  if (!m) return xml;
  const keep = m[1];
  return xml.slice(0, r.start) + body.slice(0, m.index) + keep + body.slice(m.index + m[0].length) + xml.slice(r.end);
}

export interface MergeResult {
  text: string;
  /** Elements whose value was taken from this machine. */
  keptFromTarget: string[];
}

/** The backed-up file without ServerSecretEncrypted, with this machine's host-local paths. */
export function mergeRuntimeSettings(backedUp: string, current: string | undefined): MergeResult {
  let text = removeElementLine(backedUp, 'Controller', SERVER_SECRET_ELEMENT);
  const keptFromTarget: string[] = [];
  if (current !== undefined) {
    for (const [section, name] of HOST_LOCAL_ELEMENTS) {
      const mine = readElement(current, section, name);
      const theirs = readElement(text, section, name);
      if (mine === undefined || theirs === undefined || mine === theirs) continue;
      const replaced = replaceElement(text, section, name, mine);
      if (replaced !== undefined) {
        text = replaced;
        keptFromTarget.push(`${section}/${name}`);
      }
    }
  }
  return { text, keptFromTarget };
}

/** The file less every machine-bound element: two hosts restored from one backup compare equal on this. */
export function withoutMachineBound(xml: string): string {
  let out = xml;
  for (const [section, name] of MACHINE_BOUND_ELEMENTS) out = removeElementLine(out, section, name);
  return out;
}

/** Splits a file's bytes into an optional UTF-8 BOM and its text. */
export function decodeWithBom(bytes: Buffer): { bom: boolean; text: string } {
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return { bom, text: bytes.toString('utf8', bom ? 3 : 0) };
}

export function encodeWithBom(bom: boolean, text: string): Buffer {
  return Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
}
