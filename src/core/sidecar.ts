/**
 * The `.sha256` sidecar that sits next to every published archive: the one
 * parser and formatter (archive, distribution, retention, catalog and the
 * CLI handlers all use these; none parses the text itself).
 */
export function sidecarName(archiveName: string): string {
  return `${archiveName}.sha256`;
}

/** sha256sum's text format: `<hex>  <name>\n` (two spaces: text mode). */
export function formatSidecar(sha256: string, archiveName: string): string {
  return `${sha256.toLowerCase()}  ${archiveName}\n`;
}

const SIDECAR_LINE = /^([0-9a-fA-F]{64}) [ *](.+)$/;

/** The hash and name of a sidecar of exactly one sha256sum line (a BOM and CRLF are tolerated), whatever the name. */
export function parseSidecarLine(text: string): { sha256: string; name: string } | undefined {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length !== 1) return undefined;
  const m = SIDECAR_LINE.exec(lines[0]);
  if (!m) return undefined;
  return { sha256: m[1].toLowerCase(), name: m[2] };
}

/**
 * Parses a sidecar. It is well-formed only if it holds exactly one line whose
 * hash is 64 hex digits and whose name equals `expectedName` (when given):
 * a sidecar copied next to the wrong archive does not vouch for it.
 */
export function parseSidecar(text: string, expectedName?: string): { sha256: string; name: string } | undefined {
  const parsed = parseSidecarLine(text);
  if (!parsed) return undefined;
  if (expectedName !== undefined && parsed.name !== expectedName) return undefined;
  return parsed;
}

export function isSha256Hex(value: string): boolean {
  return /^[0-9a-fA-F]{64}$/.test(value);
}
