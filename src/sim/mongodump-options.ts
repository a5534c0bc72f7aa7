/** mongodump's command line, parsed the way mongodump 100.x parses it (both `--opt value` and `--opt=value`). */

export interface MongodumpOptions {
  uri?: string;
  host?: string;
  port?: string;
  db?: string;
  collection?: string;
  authenticationDatabase?: string;
  username?: string;
  password?: string;
  config?: string;
  gzip: boolean;
  out?: string;
  quiet: boolean;
  archive?: string;
  oplog: boolean;
}

const VALUE_OPTIONS: Record<string, keyof MongodumpOptions> = {
  '--uri': 'uri',
  '--host': 'host',
  '-h': 'host',
  '--port': 'port',
  '--db': 'db',
  '-d': 'db',
  '--collection': 'collection',
  '-c': 'collection',
  '--authenticationDatabase': 'authenticationDatabase',
  '--username': 'username',
  '-u': 'username',
  '--password': 'password',
  '-p': 'password',
  '--config': 'config',
  '--out': 'out',
  '-o': 'out',
};
/** Accepted and ignored: they change nothing in the simulation. */
const IGNORED_VALUE_OPTIONS = new Set(['--readPreference', '--numParallelCollections', '-j', '--authenticationMechanism', '--query', '-q', '--tlsCAFile', '--excludeCollection']);
const IGNORED_FLAGS = new Set(['--ssl', '--tls', '--forceTableScan', '--dumpDbUsersAndRoles', '-v', '--verbose', '--tlsInsecure']);

export class MongodumpUsageError extends Error {}

export function parseMongodumpArgs(argv: string[]): MongodumpOptions | 'help' | 'version' {
  const o: MongodumpOptions = { gzip: false, quiet: false, oplog: false };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let inline: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    if (a === '--help') return 'help';
    if (a === '--version') return 'version';
    if (a === '--gzip') o.gzip = true;
    else if (a === '--quiet') o.quiet = true;
    else if (a === '--oplog') o.oplog = true;
    else if (a === '--archive') o.archive = inline ?? '-';
    else if (IGNORED_FLAGS.has(a)) continue;
    else if (VALUE_OPTIONS[a] || IGNORED_VALUE_OPTIONS.has(a)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new MongodumpUsageError(`error parsing command line options: expected argument for flag \`${a}'`);
      const key = VALUE_OPTIONS[a];
      if (key) (o as unknown as Record<string, unknown>)[key] = v;
    } else if (!a.startsWith('-') && o.uri === undefined) {
      o.uri = a; // mongodump accepts the URI as a positional argument
    } else {
      throw new MongodumpUsageError(`error parsing command line options: unknown option "${a}"`);
    }
  }
  return o;
}

/** The `password:` value of a mongodump --config YAML file (plain, single- or double-quoted). */
export function passwordFromConfigYaml(text: string): string | undefined {
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*password\s*:\s*(.*?)\s*$/.exec(raw);
    if (!m) continue;
    let v = m[1];
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) {
      v = v.slice(1, -1).replace(/\\(["\\/bfnrt])/g, (_s, c: string) => ({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' } as Record<string, string>)[c] ?? c);
    } else if (v.startsWith("'") && v.endsWith("'") && v.length >= 2) {
      v = v.slice(1, -1).replace(/''/g, "'");
    }
    return v;
  }
  return undefined;
}
