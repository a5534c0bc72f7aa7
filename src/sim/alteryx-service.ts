import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCatalog } from './data-generator';
import { largestCollection, writeDump } from './dump-writer';
import { appendEvent } from './events';
import { readFaults } from './faults';
import { hostPaths, readHostInfo, writeJsonAtomic } from './host-layout';
import { readServiceRecord, requestStart, requestStop } from './service-control';
import { emongoRestore } from './restore-writer';
import { encryptServerSecret, setServerSecretElement } from './server-secret';

/**
 * Stand-in for AlteryxService.exe. Takes the real syntax: exactly one
 * argument, `command` or `command=arg`. The host comes from ALTERYX_SIM_ROOT,
 * which the shim in `<host>/Program Files/Alteryx/bin/AlteryxService` sets.
 */

const USAGE = `Usage: AlteryxService <command>
  getserversecret | setserversecret=<secret> | getemongopassword | getversion
  emongodump=<dir> | emongorestore=<source>,<target> | start | stop`;

async function main(): Promise<number> {
  const root = process.env.ALTERYX_SIM_ROOT;
  if (!root) {
    process.stderr.write('AlteryxService (simulated): ALTERYX_SIM_ROOT is not set; run it through the shim in the host\'s bin folder.\n');
    return 1;
  }
  const args = process.argv.slice(2);
  if (args.length !== 1) {
    process.stderr.write(`${args.length === 0 ? 'No command given.' : `Expected one argument, got ${args.length}: commands take the form command=arg with no spaces.`}\n${USAGE}\n`);
    return 1;
  }
  const arg = args[0];
  const eq = arg.indexOf('=');
  const command = (eq >= 0 ? arg.slice(0, eq) : arg).toLowerCase();
  const value = eq >= 0 ? arg.slice(eq + 1) : undefined;
  const info = readHostInfo(root);
  // Never log the value: setserversecret carries a secret.
  appendEvent(root, info.hostname, 'command', { command });

  switch (command) {
    case 'getserversecret':
      process.stdout.write(`${info.serverSecret}\r\n`);
      return 0;
    case 'setserversecret':
      if (!value) {
        process.stderr.write('setserversecret requires a value.\n');
        return 1;
      }
      return setServerSecret(root, value);
    case 'getemongopassword':
      // Only the embedded MongoDB has these passwords ("Returns Embedded MongoDB password",
      // https://help.alteryx.com/server/current/en/install/alteryxservice-commands.html). What the real
      // command prints elsewhere is not documented; it prints no `Admin:` line, so this fails without one.
      if (info.variant === 'self-managed' || info.role !== 'Controller' || readFaults(root).emongoPasswordUnavailable) {
        process.stderr.write('getemongopassword: the embedded MongoDB is not enabled on this server.\r\n');
        return 1;
      }
      process.stdout.write(`Admin: ${info.mongoAdminPassword}\r\nNon-Admin: ${info.mongoNonAdminPassword}\r\n`);
      return 0;
    case 'getversion':
      if (readFaults(root).getversionFail) {
        // What the real command prints when it fails is not documented; only the exit code is relied on.
        process.stderr.write('getversion: the service configuration could not be read.\r\n');
        return 1;
      }
      process.stdout.write(`${info.alteryxVersion}\r\n`);
      return 0;
    case 'start': {
      const r = requestStart(root);
      (r.ok ? process.stdout : process.stderr).write(r.message + '\n');
      return r.ok ? 0 : 1;
    }
    case 'stop': {
      const r = requestStop(root);
      (r.ok ? process.stdout : process.stderr).write(r.message + '\n');
      return r.ok ? 0 : 1;
    }
    case 'emongodump':
      return emongodump(root, value);
    case 'emongorestore':
      return emongorestoreCommand(root, value);
    default:
      process.stderr.write(`Unknown command '${command}'.\n${USAGE}\n`);
      return 1;
  }
}

/**
 * Writes the token where the controller reads it: ServerSecretEncrypted in
 * RuntimeSettings.xml, encrypted for this machine (and the sim's own record in
 * host.json). The setServerSecretFail switch makes it fail and change nothing.
 */
function setServerSecret(root: string, value: string): number {
  const paths = hostPaths(root);
  const info = readHostInfo(root);
  if (readFaults(root).setServerSecretFail) {
    process.stderr.write('Error: failed to set the server secret: Access is denied.\r\n');
    return 1;
  }
  const raw = fs.readFileSync(paths.runtimeSettings);
  const bom = raw.length >= 3 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf;
  const text = raw.toString('utf8', bom ? 3 : 0);
  const updated = setServerSecretElement(text, encryptServerSecret(root, value));
  const tmp = `${paths.runtimeSettings}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(updated, 'utf8')]));
  fs.renameSync(tmp, paths.runtimeSettings);
  writeJsonAtomic(paths.hostJson, { ...info, serverSecret: value });
  process.stdout.write('Server secret set.\r\n');
  return 0;
}

async function emongodump(root: string, target: string | undefined): Promise<number> {
  const info = readHostInfo(root);
  const paths = hostPaths(root);
  const faults = readFaults(root);
  if (!target) {
    process.stdout.write('EMongoDump failed: no output directory given (emongodump=<dir>).\r\n');
    return 1;
  }
  const outDir = path.resolve(target);
  appendEvent(root, info.hostname, 'dump-started', { target: outDir });
  const finish = (ok: boolean, exitCode: number, details: Record<string, unknown> = {}) => {
    // Peak memory, so tests can show that it does not grow with the database.
    appendEvent(root, info.hostname, 'dump-finished', { ok, exitCode, target: outDir, maxRssKb: process.resourceUsage().maxRSS, ...details });
    return exitCode;
  };
  if (info.role !== 'Controller' || info.variant === 'self-managed') {
    process.stdout.write('EMongoDump failed: the embedded MongoDB is not enabled on this server.\r\n');
    return finish(false, 1, { reason: 'not-embedded' });
  }
  const state = readServiceRecord(root).state;
  if (state !== 'Stopped' && !faults.dumpWhileRunning) {
    // The service's own mongod holds the data files; a second one cannot open them.
    process.stdout.write(
      `EMongoDump failed: unable to start the embedded MongoDB on ${paths.mongoDataDir}: the data directory is in use ` +
        `(AlteryxService is ${state}). Stop AlteryxService before running emongodump.\r\n`,
    );
    return finish(false, 1, { reason: 'service-not-stopped', serviceState: state });
  }
  process.stdout.write(`Starting embedded MongoDB dump to ${outDir}\r\n`);
  if (faults.dumpChildSurvives) {
    // Same process group, inherited stdout/stderr: like a real child, it keeps the caller's pipes open.
    spawn(process.execPath, [path.join(info.simScriptsDir, 'mongod-child.js'), root], { argv0: 'mongod', stdio: ['ignore', 'inherit', 'inherit'] });
    setInterval(() => undefined, 60_000);
    await new Promise<never>(() => undefined);
  }
  fs.mkdirSync(outDir, { recursive: true });
  const logStream = fs.createWriteStream(path.join(outDir, 'mongoDump.log'));
  const largest = largestInCatalog(paths.mongoDataDir);
  const result = await writeDump({
    dataDir: paths.mongoDataDir,
    outDir,
    gzip: false,
    faults: {
      partial: faults.dumpPartial === true ? largest : typeof faults.dumpPartial === 'string' ? faults.dumpPartial : undefined,
      missingDocs: faults.dumpMissingDocs,
      bitFlip: faults.dumpBitFlip,
      empty: faults.dumpEmpty,
      missingDb: faults.dumpMissingDb,
      hangAfterFirst: faults.dumpHang,
      extraSeconds: faults.dumpSeconds,
      target: largest,
    },
    log: (line) => logStream.write(line + '\n'),
  });
  await new Promise<void>((resolve, reject) => logStream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  const fault = Object.entries(faults)
    .filter(([k, v]) => k.startsWith('dump') && k !== 'dumpWhileRunning' && k !== 'dumpSeconds' && v !== false && v !== 0)
    .map(([k]) => k);
  if (faults.dumpFailText) {
    process.stdout.write('EMongoDump failed: mongodump reported errors; see mongoDump.log\r\n');
    return finish(false, 0, { fault, collections: result.collections, documents: result.documents });
  }
  process.stdout.write(`Embedded MongoDB dump complete: ${result.collections} collections, ${result.documents} documents.\r\n`);
  const code = faults.dumpExitCode ?? 0;
  return finish(code === 0 && fault.length === 0, code, { fault, collections: result.collections, documents: result.documents });
}

function largestInCatalog(dataDir: string): string {
  return largestCollection(readCatalog(dataDir));
}

async function emongorestoreCommand(root: string, value: string | undefined): Promise<number> {
  const parts = value?.split(',') ?? [];
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    process.stdout.write('EMongoRestore failed: expected emongorestore=<source>,<target>.\r\n');
    return 1;
  }
  return emongoRestore(root, path.resolve(parts[0]), path.resolve(parts[1]));
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`AlteryxService (simulated): ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
