/**
 * Real servers for the integration tests, each on 127.0.0.1 with a free
 * port and its own temp folder: Azurite (Azure Blob), s3rver (S3) and
 * smtp-server. Every `start*` returns a `stop()` to call in `after`.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + start);
    dir = up;
  }
  return dir;
}

export function makeTempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `axb-${tag}-`));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port (a readiness check, not a timed assertion). */
async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (code ${child.exitCode}): ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`server did not listen on ${port}: ${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface AzuriteServer {
  endpoint: string;
  accountName: string;
  accountKey: string;
  stop(): Promise<void>;
}

/** Azurite's documented development account. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export async function startAzurite(): Promise<AzuriteServer> {
  // The free port is only free until someone else takes it: try again on an early exit (EADDRINUSE).
  for (let attempt = 1; ; attempt++) {
    try {
      return await startAzuriteOnce();
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

async function startAzuriteOnce(): Promise<AzuriteServer> {
  const location = makeTempDir('azurite');
  const port = await freePort();
  const bin = path.join(REPO_ROOT, 'node_modules', '.bin', 'azurite-blob');
  const child = spawn(
    bin,
    ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', location, '--skipApiVersionCheck', '--disableTelemetry', '--silent'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (d) => (out += String(d)));
  child.stderr?.on('data', (d) => (out += String(d)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(location, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, () => out);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    endpoint: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    accountName: AZURITE_ACCOUNT,
    accountKey: AZURITE_KEY,
    stop,
  };
}

export interface S3Server {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  stop(): Promise<void>;
}

/** `port` 0 picks a free one; a fixed port lets a test bring a "flaky" endpoint up late. */
export async function startS3rver(bucket = 'backups', port = 0): Promise<S3Server> {
  // s3rver ships no types; its constructor options are documented in its README.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver') as new (opts: object) => { run(): Promise<{ port: number }>; close(): Promise<void> };
  const directory = makeTempDir('s3rver');
  const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true, configureBuckets: [{ name: bucket }] });
  const listening = await server.run();
  return {
    endpoint: `http://127.0.0.1:${listening.port}`,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    bucket,
    async stop() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

export interface ReceivedMail {
  envelopeFrom: string | undefined;
  envelopeTo: string[];
  authUser: string | undefined;
  secure: boolean;
  raw: Buffer;
  parsed: ParsedMail;
}

export interface SmtpTestServer {
  port: number;
  messages: ReceivedMail[];
  /** Every AUTH attempt the server saw, for asserting what the client sent. */
  authAttempts: Array<{ username: string; ok: boolean }>;
  /** PEM of the self-signed certificate, when started with `tls: true`. */
  certPem?: string;
  stop(): Promise<void>;
}

export interface SmtpTestOptions {
  username?: string;
  password?: string;
  /** Offer STARTTLS with a self-signed certificate for 127.0.0.1 made by openssl. */
  tls?: boolean;
}

/** A self-signed certificate for IP 127.0.0.1, made offline with openssl. */
export function makeSelfSignedCert(dir: string): { key: Buffer; cert: Buffer } {
  const keyPath = path.join(dir, 'key.pem');
  const certPath = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: 'ignore' },
  );
  return { key: fs.readFileSync(keyPath), cert: fs.readFileSync(certPath) };
}

export async function startSmtpServer(options: SmtpTestOptions = {}): Promise<SmtpTestServer> {
  const messages: ReceivedMail[] = [];
  const authAttempts: Array<{ username: string; ok: boolean }> = [];
  const requireAuth = options.username !== undefined;
  let certPem: string | undefined;
  const serverOptions: SMTPServerOptions = {
    secure: false,
    disabledCommands: options.tls ? [] : ['STARTTLS'],
    authOptional: !requireAuth,
    allowInsecureAuth: !options.tls,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      const ok = auth.username === options.username && auth.password === options.password;
      authAttempts.push({ username: auth.username ?? '', ok });
      if (!ok) return callback(new Error('Invalid username or password'));
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            messages.push({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              authUser: session.user as string | undefined,
              secure: session.secure,
              raw,
              parsed,
            });
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  };
  let tlsDir: string | undefined;
  if (options.tls) {
    tlsDir = makeTempDir('smtp-tls');
    const { key, cert } = makeSelfSignedCert(tlsDir);
    serverOptions.key = key;
    serverOptions.cert = cert;
    certPem = cert.toString('utf8');
  }
  const server = new SMTPServer(serverOptions);
  const port = await new Promise<number>((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as net.AddressInfo).port));
  });
  return {
    port,
    messages,
    authAttempts,
    certPem,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (tlsDir) fs.rmSync(tlsDir, { recursive: true, force: true });
    },
  };
}

/** Runs `mount` and reports whether it is permitted here (root in a container may still be refused). */
export function tryMount(args: string[]): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: 'mount is Linux-only' };
  try {
    execFileSync('mount', args, { stdio: 'pipe' });
    return { ok: true };
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    return { ok: false, reason: `mount ${args.join(' ')} failed: ${stderr || (err as Error).message}` };
  }
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  }
}

export interface CorruptingProxy {
  endpoint: string;
  /** How many responses were corrupted so far. */
  corrupted(): number;
  stop(): Promise<void>;
}

/**
 * A plain HTTP proxy in front of a storage emulator that flips one bit in
 * the body of the responses `shouldCorrupt` picks: bytes that arrive damaged
 * on the way back, which only a read-back hash can catch.
 */
export async function startCorruptingProxy(
  targetPort: number,
  shouldCorrupt: (method: string, url: string) => boolean,
  /** Runs before a request is forwarded: lets a test make something happen "at the same moment". */
  beforeForward?: (method: string, url: string) => Promise<void>,
): Promise<CorruptingProxy> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const http = require('node:http') as typeof import('node:http');
  let count = 0;
  const server = http.createServer(async (req, res) => {
    if (beforeForward) await beforeForward(req.method ?? '', req.url ?? '');
    const upstream = http.request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        const corrupt = (up.statusCode ?? 0) < 300 && shouldCorrupt(req.method ?? '', req.url ?? '');
        let flipped = false;
        up.on('data', (chunk: Buffer) => {
          if (corrupt && !flipped && chunk.length > 0) {
            const copy = Buffer.from(chunk);
            copy[Math.floor(copy.length / 2)] ^= 0x01;
            flipped = true;
            count++;
            res.write(copy);
            return;
          }
          res.write(chunk);
        });
        up.on('end', () => res.end());
        up.on('error', () => res.destroy());
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    corrupted: () => count,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
