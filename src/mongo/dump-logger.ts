/** The logging the MongoDB steps need; the lead's logger satisfies it. */
export interface DumpLogger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export const silentLogger: DumpLogger = {
  info: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
};
