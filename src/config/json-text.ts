import { ValidationError } from '../core/errors';

/**
 * The configuration file's text, decoded by its byte-order mark
 * (docs/configuration-encoding decision, README "Configuration file encoding"):
 * - UTF-8, with or without a BOM: read;
 * - UTF-16 LE or BE with a BOM (Notepad's "Unicode" and "Unicode big
 *   endian", and Windows PowerShell 5.1's `Out-File` default): read correctly;
 * - UTF-32 with a BOM, or UTF-16 without one (NUL bytes between the
 *   characters): refused, with "save it as UTF-8".
 * BOMs: EF BB BF (UTF-8), FF FE (UTF-16 LE), FE FF (UTF-16 BE), FF FE 00 00
 * (UTF-32 LE), 00 00 FE FF (UTF-32 BE) (https://www.unicode.org/faq/utf_bom.html#bom4).
 */
export function decodeConfigText(bytes: Buffer, file: string): string {
  const refuse = (what: string) =>
    new ValidationError(`Configuration file '${file}' is saved as ${what}; save it as UTF-8 (in Notepad: Save As, Encoding "UTF-8").`, 'CONFIG_ENCODING', {
      category: 'InvalidData',
    });
  const b = bytes;
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) throw refuse('UTF-32 LE');
  if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) throw refuse('UTF-32 BE');
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le', { fatal: true }).decode(b.subarray(2));
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be', { fatal: true }).decode(b.subarray(2));
  const start = b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  if (b.subarray(start, Math.min(b.length, start + 512)).includes(0)) throw refuse('UTF-16 or UTF-32 without a byte-order mark');
  return b.subarray(start).toString('utf8');
}

/**
 * Throws CONFIG_DUPLICATE_KEY (exit 3) for the first key that appears twice
 * in one object, naming the key, its dotted path and the line of the second
 * occurrence. JSON.parse keeps the last value silently (RFC 8259 section 4:
 * names "SHOULD be unique"). Call only on text JSON.parse accepted.
 */
export function assertNoDuplicateKeys(text: string, file: string): void {
  interface Frame {
    kind: 'object' | 'array';
    name: string;
    keys: Set<string>;
    expectKey: boolean;
    lastKey: string;
    index: number;
  }
  const stack: Frame[] = [];
  let line = 1;
  const childName = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    const base = top.name;
    if (top.kind === 'array') return `${base}[${top.index}]`;
    return base ? `${base}.${top.lastKey}` : top.lastKey;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    else if (c === '{' || c === '[') {
      stack.push({ kind: c === '{' ? 'object' : 'array', name: childName(), keys: new Set(), expectKey: c === '{', lastKey: '', index: 0 });
    } else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === 'object') top.expectKey = true;
      else if (top) top.index++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const raw = text.slice(i, j + 1);
      const top = stack[stack.length - 1];
      if (top?.kind === 'object' && top.expectKey) {
        const key = JSON.parse(raw) as string;
        if (top.keys.has(key)) {
          const where = top.name ? `${top.name}.${key}` : key;
          throw new ValidationError(
            `Configuration file '${file}' has the key "${key}" twice in the same object (${where}, again at line ${line}). Keep one: JSON would silently use the last.`,
            'CONFIG_DUPLICATE_KEY',
            { details: [`${where}: duplicate key at line ${line}`] },
          );
        }
        top.keys.add(key);
        top.lastKey = key;
        top.expectKey = false;
      }
      i = j;
    }
  }
}
