/**
 * Redaction builds copies; it never mutates what it is given. Secrets are
 * registered as they become known (the controller token is only learned
 * mid-run), and every string leaving the process passes through `text()`.
 */

const MASK = '********';
/** user:password@ in a mongodb:// or mongodb+srv:// URI. */
const MONGO_URI_CREDENTIALS = /(mongodb(?:\+srv)?:\/\/)([^:@/\s]+):([^@/\s]+)@/gi;
/** key=value pairs that name a secret, e.g. in a connection string. */
const SECRET_ASSIGNMENT = /\b(password|pwd|secret|token|accountkey|sig)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^;&\s,]+)/gi;

export class Redactor {
  private readonly secrets = new Set<string>();

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Registers a secret. Very short values are still masked: a 1-char password is still a password. */
  add(secret: string | undefined | null): void {
    if (typeof secret !== 'string') return;
    const trimmed = secret.trim();
    if (trimmed.length === 0) return;
    this.secrets.add(trimmed);
    if (trimmed !== secret) this.secrets.add(secret);
    // The same secret may appear JSON-escaped or URI-encoded.
    const json = JSON.stringify(trimmed).slice(1, -1);
    if (json !== trimmed) this.secrets.add(json);
    const uri = encodeURIComponent(trimmed);
    if (uri !== trimmed) this.secrets.add(uri);
  }

  get size(): number {
    return this.secrets.size;
  }

  text(input: string): string {
    let out = input.replace(MONGO_URI_CREDENTIALS, `$1$2:${MASK}@`).replace(SECRET_ASSIGNMENT, `$1$2${MASK}`);
    // Longest first, so a secret that contains another is masked whole.
    const ordered = [...this.secrets].sort((a, b) => b.length - a.length);
    for (const s of ordered) {
      if (out.includes(s)) out = out.split(s).join(MASK);
    }
    return out;
  }

  /** A deep, redacted copy of any JSON-like value. */
  value<T>(input: T): T {
    return this.copy(input, new WeakMap()) as T;
  }

  private copy(input: unknown, seen: WeakMap<object, unknown>): unknown {
    if (typeof input === 'string') return this.text(input);
    if (input === null || typeof input !== 'object') return input;
    if (input instanceof Date) return new Date(input.getTime());
    if (seen.has(input)) return seen.get(input);
    if (Array.isArray(input)) {
      const arr: unknown[] = [];
      seen.set(input, arr);
      for (const item of input) arr.push(this.copy(item, seen));
      return arr;
    }
    const out: Record<string, unknown> = {};
    seen.set(input, out);
    for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
      out[k] = /password|secret|token|accountkey|sastoken/i.test(k) && typeof v === 'string' && v.length > 0 ? MASK : this.copy(v, seen);
    }
    return out;
  }
}
