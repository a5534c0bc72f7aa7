import { createHash, createHmac } from 'node:crypto';
import * as path from 'node:path';

/**
 * The controller token as RuntimeSettings.xml holds it:
 * `SystemSettings/Controller/ServerSecretEncrypted`, a DPAPI blob that only
 * the machine that wrote it can decrypt (DPAPI with CRYPTPROTECT_LOCAL_MACHINE,
 * https://help.alteryx.com/current/en/designer/tools/in-out-tools/password-encryption.html).
 * `AlteryxService setserversecret=<token>` rewrites it. The simulation binds the
 * blob to the host folder (its "machine"): an HMAC of the token under a key
 * derived from the host root, after the DPAPI header bytes. Deterministic, so
 * setting the same token twice on the same host writes the same bytes.
 */

const DPAPI_HEADER = Buffer.from('01000000d08c9ddf0115d1118c7a00c04fc297eb01000000', 'hex');
const PAYLOAD_BYTES = 120;

function machineKey(hostRoot: string): Buffer {
  return createHash('sha256').update(`alteryx-sim-machine\0${path.resolve(hostRoot)}`).digest();
}

export function encryptServerSecret(hostRoot: string, token: string): string {
  const mac = createHmac('sha256', machineKey(hostRoot)).update(token, 'utf8').digest();
  const chunks = [mac];
  let prev = mac;
  while (Buffer.concat(chunks).length < PAYLOAD_BYTES) {
    prev = createHash('sha256').update(prev).digest();
    chunks.push(prev);
  }
  return Buffer.concat([DPAPI_HEADER, Buffer.concat(chunks).subarray(0, PAYLOAD_BYTES)]).toString('base64');
}

/** True when `blob` is this machine's encryption of `token`. */
export function serverSecretMatches(hostRoot: string, blob: string, token: string): boolean {
  return blob.trim() === encryptServerSecret(hostRoot, token);
}

const ELEMENT = /<ServerSecretEncrypted>([^<]*)<\/ServerSecretEncrypted>/;

export function readServerSecretElement(xml: string): string | undefined {
  return ELEMENT.exec(xml)?.[1];
}

/** Replaces the element, or inserts it at the end of <Controller> with the file's indentation and line ending. */
export function setServerSecretElement(xml: string, blob: string): string {
  if (ELEMENT.test(xml)) return xml.replace(ELEMENT, `<ServerSecretEncrypted>${blob}</ServerSecretEncrypted>`);
  const nl = xml.includes('\r\n') ? '\r\n' : '\n';
  const close = /([ \t]*)<\/Controller>/.exec(xml);
  if (!close) throw new Error('RuntimeSettings.xml has no <Controller> section.');
  const indent = close[1] + '  ';
  const at = close.index + close[1].length;
  return `${xml.slice(0, close.index)}${indent}<ServerSecretEncrypted>${blob}</ServerSecretEncrypted>${nl}${xml.slice(close.index, at)}${xml.slice(at)}`;
}
