import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResolvedConfig } from '../config/config-types';
import type { Log } from '../logging/logger';
import { detectPersistenceType } from '../mongo';
import { persistenceOf, type PersistenceType } from '../mongo/runtime-settings';
import { elementAtPath, parseXml, decodeXmlBytes } from '../mongo/xml-lite';
import type { Platform } from '../platform/platform';
import { endpointPort, parseNetshSslCert, type SslCertBinding } from '../platform/windows/netsh-sslcert-parser';
import { buildTopology } from '../service/topology';
import { readServerVersion } from './controller-settings';

/**
 * The facts a restore needs, recorded in every mode's manifest (see
 * /work/wt/COORDINATION.md for the field names): the exact Server version,
 * where the data lives, the MongoDB version when known, the Log On account
 * of every node and the Gallery's TLS binding. Each fact that cannot be read
 * is null plus a warning; none of them fails a backup.
 */
export interface EnvironmentFacts {
  AlteryxServerVersion: string | null;
  PersistenceType: PersistenceType | null;
  MongoDBVersion: string | null;
  NodeServiceAccounts: Array<{ Hostname: string; Role: string; Account: string | null }>;
  TlsBinding: (SslCertBinding & { Source: string }) | null;
}

export interface CollectFactsOptions {
  config: ResolvedConfig;
  platform: Platform;
  log: Log;
  signal?: AbortSignal;
  /** Already read by the caller (saves a second parse). */
  persistenceType?: PersistenceType;
}

/** The Gallery's HTTPS port from RuntimeSettings.xml's Gallery/BaseAddress; undefined when it is not https. */
export function galleryHttpsPort(runtimeSettingsXml: string): number | undefined {
  try {
    const base = elementAtPath(parseXml(runtimeSettingsXml), ['Gallery', 'BaseAddress'])?.text.trim();
    if (!base || !/^https:\/\//i.test(base)) return undefined;
    const u = new URL(base);
    return u.port ? Number(u.port) : 443;
  } catch {
    return undefined;
  }
}

/** Pure: the binding that serves the Gallery: the one on its HTTPS port, else the only one on 443. */
export function pickGalleryBinding(bindings: SslCertBinding[], port: number | undefined): SslCertBinding | undefined {
  const onPort = (p: number) => bindings.filter((b) => endpointPort(b.Endpoint) === p);
  if (port !== undefined) return onPort(port)[0];
  const on443 = onPort(443);
  return on443.length === 1 ? on443[0] : undefined;
}

export async function collectEnvironmentFacts(o: CollectFactsOptions): Promise<EnvironmentFacts> {
  const { config, platform, log } = o;
  const alteryx = config.file.AlteryxConfiguration;
  const facts: EnvironmentFacts = {
    AlteryxServerVersion: await readServerVersion(platform, log, o.signal),
    PersistenceType: o.persistenceType ?? null,
    MongoDBVersion: null,
    NodeServiceAccounts: [],
    TlsBinding: null,
  };
  if (facts.PersistenceType === null) {
    const d = await detectPersistenceType(config);
    if (d) facts.PersistenceType = persistenceOf(d);
  }

  const topology = buildTopology(alteryx.Nodes, platform.hostname());
  for (const node of topology.nodes) {
    let account: string | null = null;
    try {
      account = (await platform.services.logOnAccount(alteryx.ServiceName, node.host)) ?? null;
    } catch (err) {
      log.warn(`Could not read the Log On account of ${alteryx.ServiceName} on ${node.hostname}: ${(err as Error).message}`);
    }
    facts.NodeServiceAccounts.push({ Hostname: node.hostname, Role: node.role, Account: account });
  }

  if (platform.httpSslBindings) {
    try {
      let port: number | undefined;
      try {
        port = galleryHttpsPort(decodeXmlBytes(await fs.promises.readFile(path.join(alteryx.ProgramDataPath, 'RuntimeSettings.xml'))));
      } catch {
        /* no settings: fall back to 443 */
      }
      const binding = pickGalleryBinding(parseNetshSslCert(await platform.httpSslBindings()), port);
      if (binding) facts.TlsBinding = { ...binding, Source: 'netsh http show sslcert' };
    } catch (err) {
      log.warn(`Could not read the TLS certificate bindings (netsh http show sslcert): ${(err as Error).message}`);
    }
  }
  return facts;
}
