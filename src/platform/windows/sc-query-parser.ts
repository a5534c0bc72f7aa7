import type { ServiceStartType, ServiceState } from '../platform';

/**
 * Parsers for `sc.exe query`, `sc.exe qc` and `sc.exe` failures. sc.exe's
 * keys are translated on localized Windows (STATE is ZUSTAND or STATUS in
 * German) and its text comes in the OEM code page, but the numeric codes are
 * the same everywhere. So the parsers trust numbers and line positions, never
 * key names.
 */

/** SERVICE_STATUS.dwCurrentState. */
export const SC_STATE_CODES: Readonly<Record<number, ServiceState>> = {
  1: 'Stopped',
  2: 'StartPending',
  3: 'StopPending',
  4: 'Running',
  5: 'ContinuePending',
  6: 'PausePending',
  7: 'Paused',
};

/** QUERY_SERVICE_CONFIG.dwStartType. */
export const SC_START_TYPE_CODES: Readonly<Record<number, ServiceStartType>> = {
  0: 'Automatic', // BOOT_START (drivers only)
  1: 'Automatic', // SYSTEM_START (drivers only)
  2: 'Automatic',
  3: 'Manual',
  4: 'Disabled',
};

export interface ScField {
  key: string;
  value: string;
}

export class ScParseError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = 'ScParseError';
  }
}

/**
 * `KEY : value` lines, in order. The header `SERVICE_NAME: x` (no space
 * before the colon) is included; continuation lines (`    : value`, e.g. a
 * second dependency) are skipped.
 */
export function scFields(text: string): ScField[] {
  const fields: ScField[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    const m = /^\s*([^\s:][^:]*?)\s*:\s?(.*)$/.exec(line);
    if (!m) continue;
    if (line.trimStart().startsWith('[SC]')) continue;
    fields.push({ key: m[1], value: m[2].trim() });
  }
  return fields;
}

/** The first line of the form `[SC] <operation> <word> <number>:`, in any language. */
export interface ScFailure {
  operation: string;
  code: number;
  message: string;
}

export function parseScFailure(text: string): ScFailure | undefined {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => /^\[SC\]\s.*\s(\d+):\s*$/.test(l.trim()));
  if (i < 0) return undefined;
  const m = /^\[SC\]\s+(\S+)\s+\S+\s+(\d+):\s*$/.exec(lines[i].trim());
  const code = Number(/(\d+):\s*$/.exec(lines[i].trim())![1]);
  const message = lines
    .slice(i + 1)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .join(' ');
  return { operation: m ? m[1] : '', code, message };
}

export interface ScQueryResult {
  serviceName: string | undefined;
  stateCode: number;
  state: ServiceState;
  /** sc.exe start prints the new process ID. */
  pid?: number;
}

const STATE_VALUE = /^([1-7])\s+(STOPPED|START_PENDING|STOP_PENDING|RUNNING|CONTINUE_PENDING|PAUSE_PENDING|PAUSED)\b/;
const TYPE_VALUE = /^[0-9a-fA-F]+\s+(WIN32|KERNEL_DRIVER|FILE_SYSTEM_DRIVER|USER_|INTERACTIVE)/;

/**
 * `sc.exe query <svc>` (and the block `sc.exe start|stop` print). The state
 * line is found by its value (`4  RUNNING`); if even the token is translated,
 * it is the numeric line right after the TYPE line.
 */
export function parseScQuery(text: string): ScQueryResult {
  const fields = scFields(text);
  let stateField = fields.find((f) => STATE_VALUE.test(f.value));
  if (!stateField) {
    const t = fields.findIndex((f) => TYPE_VALUE.test(f.value));
    const next = t >= 0 ? fields[t + 1] : undefined;
    if (next && /^[1-7]\b/.test(next.value)) stateField = next;
  }
  if (!stateField) {
    throw new ScParseError('sc.exe query output has no service state line.', text);
  }
  const stateCode = Number(/^(\d+)/.exec(stateField.value)![1]);
  const header = fields.find((f) => !/^\d/.test(f.value) && fields.indexOf(f) < fields.indexOf(stateField!));
  const pidField = fields.find((f) => f.key.toUpperCase() === 'PID' && /^\d+$/.test(f.value));
  return {
    serviceName: header?.value || undefined,
    stateCode,
    state: SC_STATE_CODES[stateCode],
    ...(pidField ? { pid: Number(pidField.value) } : {}),
  };
}

export interface ScQcResult {
  startTypeCode: number;
  startType: ServiceStartType;
  delayed: boolean;
  /** SERVICE_START_NAME: the Log On account, e.g. `LocalSystem`, `NT AUTHORITY\NetworkService`, `CORP\svc`. */
  startName: string | undefined;
}

const START_TYPE_VALUE = /^([0-4])\s+(BOOT_START|SYSTEM_START|AUTO_START|DEMAND_START|DISABLED)\b(.*)$/;

/** `sc.exe qc <svc>`: START_TYPE and SERVICE_START_NAME (always the last field). */
export function parseScQc(text: string): ScQcResult {
  const fields = scFields(text);
  const st = fields.find((f) => START_TYPE_VALUE.test(f.value));
  if (!st) throw new ScParseError('sc.exe qc output has no START_TYPE line.', text);
  const m = START_TYPE_VALUE.exec(st.value)!;
  const code = Number(m[1]);
  const named = fields.find((f) => f.key.toUpperCase() === 'SERVICE_START_NAME');
  const last = fields[fields.length - 1];
  const startName = (named ?? last)?.value || undefined;
  return {
    startTypeCode: code,
    startType: SC_START_TYPE_CODES[code] ?? 'Unknown',
    delayed: /DELAYED/i.test(m[3]),
    startName,
  };
}
