/**
 * A small, strict parser for well-formed configuration XML such as Alteryx's
 * RuntimeSettings.xml. No XML package is installed, and the file only needs
 * elements, attributes and text; what this does not support (DTD entity
 * declarations, external entities) is rejected or skipped rather than
 * guessed at. Every error carries the 1-based line where it was found.
 */

export interface XmlElement {
  /** Name without its namespace prefix (`a:Controller` → `Controller`). */
  name: string;
  /** Name as written, prefix included. */
  qualifiedName: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text and CDATA content directly inside this element, entities decoded. */
  text: string;
  line: number;
}

export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'XmlSyntaxError';
  }
}

/** Decodes bytes honouring a UTF-8 or UTF-16 byte-order mark; no BOM means UTF-8. */
export function decodeXmlBytes(bytes: Buffer): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return bytes.subarray(3).toString('utf8');
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return bytes.subarray(2).toString('utf16le');
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const body = Buffer.from(bytes.subarray(2));
    body.swap16();
    return body.toString('utf16le');
  }
  return bytes.toString('utf8');
}

const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const NAME_CHAR = /[A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]/;

export function parseXml(input: string): XmlElement {
  return new Parser(input.charCodeAt(0) === 0xfeff ? input.slice(1) : input).parseDocument();
}

class Parser {
  private pos = 0;
  /** Line bookkeeping is incremental so long files stay linear. */
  private lineAt = 0;
  private lineNo = 1;

  constructor(private readonly s: string) {}

  private line(at = this.pos): number {
    if (at < this.lineAt) {
      this.lineAt = 0;
      this.lineNo = 1;
    }
    for (let i = this.lineAt; i < at; i++) if (this.s.charCodeAt(i) === 10) this.lineNo++;
    this.lineAt = at;
    return this.lineNo;
  }

  private fail(message: string, at = this.pos): never {
    throw new XmlSyntaxError(message, this.line(Math.min(at, this.s.length)));
  }

  private startsWith(token: string): boolean {
    return this.s.startsWith(token, this.pos);
  }

  private skipWhitespace(): void {
    while (this.pos < this.s.length && isSpace(this.s.charCodeAt(this.pos))) this.pos++;
  }

  parseDocument(): XmlElement {
    let root: XmlElement | undefined;
    let sawDeclaration = false;
    for (;;) {
      this.skipWhitespace();
      if (this.pos >= this.s.length) break;
      if (this.startsWith('<?')) {
        const isDecl = /^<\?xml[\s?]/.test(this.s.slice(this.pos, this.pos + 6));
        if (isDecl && (sawDeclaration || root || this.pos !== this.leadingWhitespaceEnd())) {
          this.fail('the XML declaration must come first');
        }
        sawDeclaration ||= isDecl;
        this.skipUntil('?>', 'processing instruction');
      } else if (this.startsWith('<!--')) {
        this.skipComment();
      } else if (this.startsWith('<!DOCTYPE')) {
        if (root) this.fail('DOCTYPE after the root element');
        this.skipDoctype();
      } else if (this.startsWith('<')) {
        if (root) this.fail('content after the root element');
        root = this.parseElement();
      } else {
        this.fail('text outside the root element');
      }
    }
    if (!root) this.fail('no root element');
    return root;
  }

  private leadingWhitespaceEnd(): number {
    let i = 0;
    while (i < this.s.length && isSpace(this.s.charCodeAt(i))) i++;
    return i;
  }

  private skipUntil(terminator: string, what: string): void {
    const end = this.s.indexOf(terminator, this.pos);
    if (end < 0) this.fail(`unterminated ${what}`);
    this.pos = end + terminator.length;
  }

  private skipComment(): void {
    const start = this.pos;
    const end = this.s.indexOf('-->', this.pos + 4);
    if (end < 0) this.fail('unterminated comment', start);
    if (this.s.slice(this.pos + 4, end).includes('--')) this.fail("'--' inside a comment", start);
    this.pos = end + 3;
  }

  private skipDoctype(): void {
    // Internal subsets could declare entities; we don't expand them, so refuse them.
    const start = this.pos;
    let depth = 0;
    while (this.pos < this.s.length) {
      const c = this.s[this.pos++];
      if (c === '[') {
        depth++;
      } else if (c === ']') {
        depth--;
      } else if (c === '>' && depth <= 0) {
        if (this.s.slice(start, this.pos).includes('<!ENTITY')) this.fail('entity declarations are not supported', start);
        return;
      }
    }
    this.fail('unterminated DOCTYPE', start);
  }

  private parseName(): string {
    const start = this.pos;
    if (this.pos >= this.s.length || !NAME_START.test(this.s[this.pos])) this.fail('expected a name');
    this.pos++;
    while (this.pos < this.s.length && NAME_CHAR.test(this.s[this.pos])) this.pos++;
    return this.s.slice(start, this.pos);
  }

  private parseElement(): XmlElement {
    const line = this.line();
    this.pos++; // '<'
    const qualifiedName = this.parseName();
    const element: XmlElement = {
      name: localName(qualifiedName),
      qualifiedName,
      attributes: {},
      children: [],
      text: '',
      line,
    };
    for (;;) {
      const hadSpace = this.pos < this.s.length && isSpace(this.s.charCodeAt(this.pos));
      this.skipWhitespace();
      if (this.pos >= this.s.length) this.fail(`unterminated start tag <${qualifiedName}>`, this.s.length);
      if (this.startsWith('/>')) {
        this.pos += 2;
        return element;
      }
      if (this.s[this.pos] === '>') {
        this.pos++;
        break;
      }
      if (!hadSpace) this.fail(`expected whitespace between attributes in <${qualifiedName}>`);
      const attrName = this.parseName();
      this.skipWhitespace();
      if (this.s[this.pos] !== '=') this.fail(`attribute ${attrName} has no value`);
      this.pos++;
      this.skipWhitespace();
      const quote = this.s[this.pos];
      if (quote !== '"' && quote !== "'") this.fail(`attribute ${attrName} value must be quoted`);
      const end = this.s.indexOf(quote, this.pos + 1);
      if (end < 0) this.fail(`unterminated value of attribute ${attrName}`);
      const raw = this.s.slice(this.pos + 1, end);
      if (raw.includes('<')) this.fail(`'<' in the value of attribute ${attrName}`);
      if (Object.prototype.hasOwnProperty.call(element.attributes, attrName)) this.fail(`duplicate attribute ${attrName}`);
      element.attributes[attrName] = this.decodeEntities(raw, this.pos + 1);
      this.pos = end + 1;
    }

    const text: string[] = [];
    for (;;) {
      if (this.pos >= this.s.length) this.fail(`element <${qualifiedName}> (line ${line}) is never closed`, this.s.length);
      if (this.startsWith('</')) {
        this.pos += 2;
        const closing = this.parseName();
        if (closing !== qualifiedName) this.fail(`expected </${qualifiedName}> (opened on line ${line}) but found </${closing}>`);
        this.skipWhitespace();
        if (this.s[this.pos] !== '>') this.fail(`malformed end tag </${closing}`);
        this.pos++;
        element.text = text.join('');
        return element;
      }
      if (this.startsWith('<!--')) {
        this.skipComment();
      } else if (this.startsWith('<![CDATA[')) {
        const end = this.s.indexOf(']]>', this.pos + 9);
        if (end < 0) this.fail('unterminated CDATA section');
        text.push(this.s.slice(this.pos + 9, end));
        this.pos = end + 3;
      } else if (this.startsWith('<?')) {
        this.skipUntil('?>', 'processing instruction');
      } else if (this.startsWith('<!')) {
        this.fail('unexpected markup declaration inside an element');
      } else if (this.s[this.pos] === '<') {
        element.children.push(this.parseElement());
      } else {
        let end = this.s.indexOf('<', this.pos);
        if (end < 0) end = this.s.length;
        const raw = this.s.slice(this.pos, end);
        if (raw.includes(']]>')) this.fail("']]>' in text");
        text.push(this.decodeEntities(raw, this.pos));
        this.pos = end;
      }
    }
  }

  private decodeEntities(raw: string, offset: number): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&([^;&\s<]*)(;?)/g, (_m, body: string, semi: string, at: number) => {
      if (!semi) this.fail(`'&' not followed by an entity reference`, offset + at);
      switch (body) {
        case 'lt':
          return '<';
        case 'gt':
          return '>';
        case 'amp':
          return '&';
        case 'quot':
          return '"';
        case 'apos':
          return "'";
      }
      const m = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(body);
      if (m) {
        const code = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2], 10);
        if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
          this.fail(`invalid character reference &${body};`, offset + at);
        }
        return String.fromCodePoint(code);
      }
      return this.fail(`unknown entity &${body};`, offset + at);
    });
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function localName(qualified: string): string {
  const i = qualified.indexOf(':');
  return i < 0 ? qualified : qualified.slice(i + 1);
}

/** First child element with this local name, compared case-insensitively (Alteryx is not consistent). */
export function childElement(parent: XmlElement | undefined, name: string): XmlElement | undefined {
  if (!parent) return undefined;
  const wanted = name.toLowerCase();
  return parent.children.find((c) => c.name.toLowerCase() === wanted);
}

export function elementAtPath(root: XmlElement, path: readonly string[]): XmlElement | undefined {
  let current: XmlElement | undefined = root;
  for (const part of path) current = childElement(current, part);
  return current;
}
