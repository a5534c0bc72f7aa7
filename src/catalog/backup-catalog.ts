import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArchiveName, type BackupMode } from '../core/backup-mode';
import type { BackupConfigFile } from '../config/config-types';
import type { Secrets } from '../config/config-types';
import { readManifestFromArchive } from '../backup/read-manifest';
import { verifyArchive } from '../archive';
import { sha256File } from '../archive';
import { createAzureBlobTarget } from '../distribution/azure-blob';
import { createS3Target } from '../distribution/s3';
import { parseSidecar, sidecarName } from '../distribution/sidecar';
import { folderLocation, type BackupLocation } from '../retention/backup-location';
import type { Log } from '../logging/logger';

/**
 * The catalog: every backup across the local folder, the network folders
 * and the clouds, one entry per archive name with every place a copy lives.
 * Looks in both layouts: `<destination>/<HOSTNAME>/ServerBackup_*` (per-host
 * folders) and the legacy flat `<destination>/ServerBackup_*`.
 */

export interface CatalogLocation {
  /** Where the copy lives, e.g. `D:\Backups\ALTERYX01` or `s3://bucket/prefix/ALTERYX01/`. */
  Location: string;
  Kind: 'Local' | 'Network' | 'AzureBlob' | 'S3';
  /** A file path for folder copies; null for cloud objects. */
  Path: string | null;
  /** From the copy's sidecar; null when it has none (an unfinished or foreign copy). */
  SHA256: string | null;
  SizeBytes: number | null;
  /** With -Verify: the copy's bytes hash to its sidecar (folder copies) / the full check passed (the first local copy). */
  Verified: boolean | null;
  Problem: string | null;
}

export interface CatalogEntry {
  FileName: string;
  Mode: BackupMode;
  Timestamp: string;
  Hostname: string | null;
  SizeBytes: number | null;
  SHA256: string | null;
  /** A local or network path to restore from; null when the backup is only in a cloud. */
  ArchivePath: string | null;
  Locations: CatalogLocation[];
  /** Every copy has a sidecar and they all agree (and, with -Verify, every folder copy hashes to it and the archive passes the full check). */
  Verified: boolean;
  /** False when copies disagree (different SHA256): flagged, never hidden. */
  CopiesAgree: boolean;
  /** Whether the archive's controller token and passwords are encrypted (issue 15); null when unknown (cloud-only copy, DatabaseOnly, unreadable manifest). */
  SecretsEncrypted: boolean | null;
  /** Thumbprints of the certificates whose private keys open them. */
  SecretsEncryptedTo: string[];
  Warnings: string[];
}

interface Source {
  kind: CatalogLocation['Kind'];
  location: BackupLocation;
  /** Folder sources: the folder, to build file paths. */
  dir?: string;
  /** The host this location's layout names (per-host subfolder), if any. */
  hostname?: string;
}

const MAX_SIDECAR_BYTES = 4096;

/** The folder itself plus each immediate sub-folder (the per-host layout). */
function folderSources(dir: string, kind: 'Local' | 'Network'): Source[] {
  const out: Source[] = [{ kind, location: folderLocation(dir), dir }];
  if (kind === 'Network' && fs.existsSync(dir)) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && !e.name.startsWith('.')) out.push({ kind, location: folderLocation(path.join(dir, e.name)), dir: path.join(dir, e.name), hostname: e.name });
    }
  }
  return out;
}

export interface CatalogOptions {
  localBackupPath: string;
  networkBackupPaths: string[];
  cloud?: BackupConfigFile['CloudConfiguration'];
  secrets?: Secrets;
  /** This machine: its per-host subfolder is looked up in the clouds. */
  hostname: string;
  mode?: BackupMode;
  latest?: boolean;
  verify?: boolean;
  log?: Log;
  signal?: AbortSignal;
}

function cloudSources(o: CatalogOptions): { sources: Source[]; close: () => void } {
  const sources: Source[] = [];
  const closers: (() => void)[] = [];
  const c = o.cloud;
  const add = (kind: 'AzureBlob' | 'S3', make: (prefixSuffix: string) => BackupLocation & { close(): void }) => {
    for (const [suffix, hostname] of [['', undefined], [`${o.hostname}/`, o.hostname]] as const) {
      try {
        const t = make(suffix);
        closers.push(() => t.close());
        sources.push({ kind, location: t, hostname });
      } catch (err) {
        o.log?.warn(`${kind}: cannot list backups: ${(err as Error).message}`);
      }
    }
  };
  const join = (prefix: string, suffix: string) => (suffix ? `${prefix.replace(/\/*$/, '')}${prefix.trim() ? '/' : ''}${suffix}` : prefix);
  if (c?.AzureBlob?.Enabled) add('AzureBlob', (s) => createAzureBlobTarget({ ...c.AzureBlob, Prefix: join(c.AzureBlob.Prefix, s) }, o.secrets ?? {}));
  if (c?.S3?.Enabled) add('S3', (s) => createS3Target({ ...c.S3, Prefix: join(c.S3.Prefix, s) }, o.secrets ?? {}));
  return { sources, close: () => closers.forEach((f) => f()) };
}

export async function listBackups(o: CatalogOptions): Promise<CatalogEntry[]> {
  const clouds = cloudSources(o);
  const sources = [...folderSources(o.localBackupPath, 'Local'), ...o.networkBackupPaths.flatMap((p) => folderSources(p, 'Network')), ...clouds.sources];
  const byName = new Map<string, { parsed: NonNullable<ReturnType<typeof parseArchiveName>>; copies: (CatalogLocation & { hostname?: string })[] }>();
  try {
    for (const s of sources) {
      let names: string[];
      try {
        names = await s.location.list();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        o.log?.warn(`Cannot list '${s.location.description}': ${(err as Error).message}`);
        continue;
      }
      const set = new Set(names);
      for (const name of names) {
        const parsed = parseArchiveName(name);
        if (!parsed) continue;
        if (o.mode && parsed.mode !== o.mode) continue;
        let sha: string | null = null;
        let problem: string | null = null;
        if (set.has(sidecarName(name))) {
          const text = await s.location.readSmallText(sidecarName(name), MAX_SIDECAR_BYTES).catch((err: Error) => {
            problem = `sidecar unreadable: ${err.message}`;
            return undefined;
          });
          const p = text === undefined ? undefined : parseSidecar(text, name);
          if (p) sha = p.sha256;
          else problem ??= 'sidecar is malformed or names another archive';
        } else problem = 'no sidecar (unfinished or not published by AlteryxBackup)';
        const file = s.dir ? path.join(s.dir, name) : null;
        const size = file ? fs.statSync(file).size : null;
        const entry = byName.get(name) ?? { parsed, copies: [] };
        entry.copies.push({ Location: s.location.description, Kind: s.kind, Path: file, SHA256: sha, SizeBytes: size, Verified: null, Problem: problem, hostname: s.hostname });
        byName.set(name, entry);
      }
    }
  } finally {
    clouds.close();
  }

  let entries: CatalogEntry[] = [];
  for (const [name, { parsed, copies }] of byName) {
    const warnings: string[] = [];
    const hashes = new Set(copies.map((c) => c.SHA256).filter((h): h is string => h !== null));
    const copiesAgree = hashes.size <= 1;
    if (!copiesAgree) warnings.push(`The copies of ${name} disagree: ${copies.map((c) => `${c.Location}: ${c.SHA256 ?? 'no sidecar'}`).join('; ')}.`);
    for (const c of copies) if (c.Problem) warnings.push(`${c.Location}: ${c.Problem}.`);
    const folderCopy = copies.find((c) => c.Path !== null);
    let hostname = copies.find((c) => c.hostname)?.hostname ?? null;
    const manifest = folderCopy?.Path ? await readManifestFromArchive(folderCopy.Path).catch(() => null) : null;
    if (!hostname && manifest) hostname = (manifest?.SystemInformation?.ServerHostname as string | undefined) ?? null;
    const secretsRecord = manifest?.SecretsEncryption as { Encrypted?: boolean; Recipients?: Array<{ Thumbprint?: string }> } | null | undefined;
    // Archives older than issue 15 have no SecretsEncryption: their Config/ControllerToken.txt is plain.
    const secretsEncrypted = !manifest || parsed.mode === 'DatabaseOnly' ? null : secretsRecord ? secretsRecord.Encrypted === true : false;
    entries.push({
      FileName: name,
      Mode: parsed.mode,
      Timestamp: parsed.timestamp.toISOString(),
      Hostname: hostname,
      SizeBytes: folderCopy?.SizeBytes ?? null,
      SHA256: copiesAgree ? ([...hashes][0] ?? null) : null,
      ArchivePath: folderCopy?.Path ?? null,
      Locations: copies.map(({ hostname: _h, ...c }) => c),
      Verified: copiesAgree && hashes.size === 1 && copies.every((c) => c.SHA256 !== null),
      CopiesAgree: copiesAgree,
      SecretsEncrypted: secretsEncrypted,
      SecretsEncryptedTo: secretsEncrypted ? (secretsRecord?.Recipients ?? []).map((r) => r.Thumbprint ?? '').filter((t) => t !== '') : [],
      Warnings: warnings,
    });
  }
  entries.sort((a, b) => b.Timestamp.localeCompare(a.Timestamp) || a.FileName.localeCompare(b.FileName));
  if (o.latest) entries = entries.slice(0, 1);

  if (o.verify) {
    for (const e of entries) {
      let ok = e.Verified;
      let fullChecked = false;
      for (const c of e.Locations) {
        if (!c.Path) continue;
        const h = await sha256File(c.Path, o.signal).catch(() => null);
        c.Verified = h !== null && h === c.SHA256;
        if (!c.Verified) {
          ok = false;
          e.Warnings.push(`${c.Path}: its bytes do not match ${c.SHA256 ? 'its sidecar' : 'any sidecar'}${h ? ` (SHA256 ${h})` : ''}.`);
          if (h && e.SHA256 && h !== e.SHA256) e.CopiesAgree = false;
        } else if (!fullChecked) {
          // The full integrity check (every CRC and SHA256 inside) on one good copy.
          const v = await verifyArchive(c.Path, { requireSidecar: true, signal: o.signal });
          fullChecked = true;
          if (!v.ok) {
            ok = false;
            c.Verified = false;
            e.Warnings.push(`${c.Path}: ${v.errors.concat(v.crcFailures, v.sha256Mismatches).slice(0, 3).join('; ')}.`);
          }
        }
      }
      if (!fullChecked) ok = false;
      // A copy whose bytes differ makes the backup ambiguous: flag it, and point ArchivePath at a good copy.
      const good = e.Locations.find((c) => c.Path && c.Verified);
      e.ArchivePath = good?.Path ?? e.ArchivePath;
      e.Verified = ok;
    }
  }
  return entries;
}
