import type { ProcessInfo } from '../platform';

/**
 * `tasklist /FO CSV /NH /FI "IMAGENAME eq X.exe"`. Columns: image name, PID,
 * session name, session#, memory ("152,344 K" — the quoted comma is why this
 * is a real CSV parser). When nothing matches, tasklist prints a translated
 * `INFO:` line instead of CSV, so anything that is not a quoted CSV row is
 * ignored.
 */

/** One CSV record (RFC 4180 quoting: `""` inside quotes is a quote). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export interface TasklistRow extends ProcessInfo {
  sessionName: string;
  sessionNumber: number;
  /** Kilobytes, parsed from "1,098,120 K" or "1.098.120 K". */
  memoryKb: number | undefined;
}

export function parseTasklistCsv(text: string): TasklistRow[] {
  const rows: TasklistRow[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.startsWith('"')) continue;
    const cols = parseCsvLine(line);
    if (cols.length < 2 || !/^\d+$/.test(cols[1])) continue;
    const digits = (cols[4] ?? '').replace(/\D/g, '');
    rows.push({
      name: cols[0].replace(/\.exe$/i, ''),
      pid: Number(cols[1]),
      sessionName: cols[2] ?? '',
      sessionNumber: Number(cols[3] ?? NaN),
      memoryKb: digits ? Number(digits) : undefined,
    });
  }
  return rows;
}
