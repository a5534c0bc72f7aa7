import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/**
 * The one place the restore reads secrets from an extracted archive. Issue 15
 * (CMS-encrypted secrets) extends it: `Config/ControllerToken.txt.p7m`
 * replaces the plain file when a certificate is configured.
 */

export const CONTROLLER_TOKEN_FILE = 'Config/ControllerToken.txt';

export interface ArchiveSecrets {
  /** The controller token, or undefined when the archive holds none. */
  controllerToken?: string;
  /** Where it came from, for the log (never the value). */
  source?: string;
}

/** Reads the secrets of an extracted archive rooted at `extractDir`. */
export async function readArchiveSecrets(extractDir: string): Promise<ArchiveSecrets> {
  const plain = path.join(extractDir, ...CONTROLLER_TOKEN_FILE.split('/'));
  let text: string;
  try {
    text = await fs.readFile(plain, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  const token = text.replace(/^\ufeff/, '').trim();
  return token ? { controllerToken: token, source: CONTROLLER_TOKEN_FILE } : {};
}
