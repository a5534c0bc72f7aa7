import * as crypto from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  ContentInfo,
  EncryptedContent,
  EncryptedContentInfo,
  EnvelopedData,
  IssuerAndSerialNumber,
  KeyTransRecipientInfo,
  RecipientIdentifier,
  RecipientInfo,
  RecipientInfos,
  id_data,
  id_envelopedData,
} from '@peculiar/asn1-cms';
import { RsaEsOaepParams, pSpecifiedEmpty, id_RSAES_OAEP, id_mgf1, id_pSpecified, id_rsaEncryption, id_sha1, id_sha224, id_sha256, id_sha384, id_sha512 } from '@peculiar/asn1-rsa';
import { AlgorithmIdentifier, Certificate, SubjectKeyIdentifier } from '@peculiar/asn1-x509';

/**
 * CMS EnvelopedData (RFC 5652 §6) for the secrets inside an archive.
 *
 * The ASN.1 structure comes from @peculiar/asn1-cms (the schema library
 * behind PKI.js and @peculiar/x509); every cipher is node:crypto. What we
 * write, and why, is in docs/secrets-encryption.md:
 *   - content: AES-256-CBC (id-aes256-CBC, RFC 3565), a fresh key and IV per file;
 *   - key transport: RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 3560 / RFC 4055),
 *     one KeyTransRecipientInfo (version 0, issuerAndSerialNumber) per certificate;
 *   - the file: the DER ContentInfo in "-----BEGIN CMS-----" armor, the form
 *     PowerShell's Protect-/Unprotect-CmsMessage use, which `openssl cms
 *     -inform PEM` also reads.
 * Decryption also accepts what other tools write: DER, PEM (CMS or PKCS7) or
 * S/MIME input; RSAES-OAEP with SHA-1/224/256/384/512 or RSAES-PKCS1-v1_5 key
 * transport (openssl's default); AES-128/192/256-CBC or 3DES-CBC content
 * (Windows PowerShell 5.1's Protect-CmsMessage on older .NET Framework).
 */

const OID = {
  aes128cbc: '2.16.840.1.101.3.4.1.2',
  aes192cbc: '2.16.840.1.101.3.4.1.22',
  aes256cbc: '2.16.840.1.101.3.4.1.42',
  desEde3cbc: '1.2.840.113549.3.7',
} as const;

const CONTENT_CIPHERS: Record<string, { cipher: string; keyBytes: number; name: string }> = {
  [OID.aes128cbc]: { cipher: 'aes-128-cbc', keyBytes: 16, name: 'AES-128-CBC' },
  [OID.aes192cbc]: { cipher: 'aes-192-cbc', keyBytes: 24, name: 'AES-192-CBC' },
  [OID.aes256cbc]: { cipher: 'aes-256-cbc', keyBytes: 32, name: 'AES-256-CBC' },
  [OID.desEde3cbc]: { cipher: 'des-ede3-cbc', keyBytes: 24, name: '3DES-CBC' },
};

const OAEP_HASHES: Record<string, string> = {
  [id_sha1]: 'sha1',
  [id_sha224]: 'sha224',
  [id_sha256]: 'sha256',
  [id_sha384]: 'sha384',
  [id_sha512]: 'sha512',
};

/** What the encrypt side writes; recorded in the manifest so a reader knows without parsing. */
export const SECRETS_CMS_PROFILE = {
  Format: 'CMS EnvelopedData (RFC 5652), PEM armor "-----BEGIN CMS-----"',
  ContentEncryption: 'AES-256-CBC',
  KeyTransport: 'RSAES-OAEP (SHA-256, MGF1-SHA-256)',
} as const;

/** The public facts of a recipient certificate that encryption needs. */
export interface CmsRecipient {
  /** The certificate, DER. */
  der: Buffer;
  publicKey: crypto.KeyObject;
}

/** Why a message could not be opened; the restore turns it into exit 3 with the thumbprints that would work. */
export class CmsError extends Error {
  constructor(
    message: string,
    readonly reason: 'format' | 'unsupported' | 'no-matching-recipient' | 'decrypt-failed',
  ) {
    super(message);
    this.name = 'CmsError';
  }
}

const ab = (b: Buffer | Uint8Array): ArrayBuffer => {
  const out = new ArrayBuffer(b.byteLength);
  new Uint8Array(out).set(b);
  return out;
};
const buf = (a: ArrayBuffer | ArrayBufferView): Buffer => (ArrayBuffer.isView(a) ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : Buffer.from(a));

function oaepSha256Algorithm(): AlgorithmIdentifier {
  // openssl writes the hash identifiers without NULL parameters (RFC 4055 §2.1 allows both); so do we.
  const params = new RsaEsOaepParams({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: id_sha256 }),
    maskGenAlgorithm: new AlgorithmIdentifier({ algorithm: id_mgf1, parameters: AsnConvert.serialize(new AlgorithmIdentifier({ algorithm: id_sha256 })) }),
  });
  return new AlgorithmIdentifier({ algorithm: id_RSAES_OAEP, parameters: AsnConvert.serialize(params) });
}

/** Encrypts `plaintext` to every recipient; returns the DER ContentInfo. */
export function encryptEnvelopedData(plaintext: Buffer, recipients: readonly CmsRecipient[]): Buffer {
  if (recipients.length === 0) throw new Error('encryptEnvelopedData: at least one recipient certificate is required.');
  const cek = crypto.randomBytes(32);
  const iv = crypto.randomBytes(16);
  try {
    const cipher = crypto.createCipheriv('aes-256-cbc', cek, iv);
    const encrypted = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const infos = recipients.map((r) => {
      const cert = AsnConvert.parse(r.der, Certificate);
      const encryptedKey = crypto.publicEncrypt({ key: r.publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, cek);
      return new RecipientInfo({
        ktri: new KeyTransRecipientInfo({
          version: 0,
          rid: new RecipientIdentifier({
            issuerAndSerialNumber: new IssuerAndSerialNumber({ issuer: cert.tbsCertificate.issuer, serialNumber: cert.tbsCertificate.serialNumber }),
          }),
          keyEncryptionAlgorithm: oaepSha256Algorithm(),
          encryptedKey: new OctetString(ab(encryptedKey)),
        }),
      });
    });
    const enveloped = new EnvelopedData({
      // RFC 5652 §6.1: version 0 when there is no originatorInfo, no unprotectedAttrs and every RecipientInfo is version 0.
      version: 0,
      recipientInfos: new RecipientInfos(infos),
      encryptedContentInfo: new EncryptedContentInfo({
        contentType: id_data,
        contentEncryptionAlgorithm: new AlgorithmIdentifier({ algorithm: OID.aes256cbc, parameters: AsnConvert.serialize(new OctetString(ab(iv))) }),
        encryptedContent: new EncryptedContent({ value: new OctetString(ab(encrypted)) }),
      }),
    });
    return buf(AsnConvert.serialize(new ContentInfo({ contentType: id_envelopedData, content: AsnConvert.serialize(enveloped) })));
  } finally {
    cek.fill(0);
  }
}

/** The "-----BEGIN CMS-----" armor of PowerShell's CmsUtils.GetAsciiArmor, with 64-column lines and CRLF. */
export function armorCms(der: Buffer): string {
  const b64 = der.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN CMS-----\r\n${lines.join('\r\n')}\r\n-----END CMS-----\r\n`;
}

/** DER from DER, PEM ("CMS" or "PKCS7" label) or S/MIME (application/pkcs7-mime, base64 body). */
export function cmsToDer(input: Buffer): Buffer {
  if (input.length > 0 && input[0] === 0x30) return input;
  const text = input.toString('latin1');
  const pem = /-----BEGIN (CMS|PKCS7)-----([\s\S]*?)-----END \1-----/i.exec(text);
  if (pem) return Buffer.from(pem[2].replace(/\s+/g, ''), 'base64');
  const headerEnd = text.search(/\r?\n\r?\n/);
  if (/content-type:\s*application\/(x-)?pkcs7-mime/i.test(text) && headerEnd >= 0) {
    return Buffer.from(text.slice(headerEnd).replace(/\s+/g, ''), 'base64');
  }
  throw new CmsError('not a CMS message: expected DER, a "-----BEGIN CMS-----" block or S/MIME.', 'format');
}

/** One KeyTransRecipientInfo as a reader sees it: whom it names, with which algorithm. */
export interface RecipientSummary {
  kind: 'issuerAndSerialNumber' | 'subjectKeyIdentifier' | 'other';
  /** Serial number, upper-case hex, for issuerAndSerialNumber. */
  serialNumber?: string;
  /** DER of the issuer Name, for issuerAndSerialNumber. */
  issuerDer?: Buffer;
  /** Upper-case hex, for subjectKeyIdentifier. */
  subjectKeyIdentifier?: string;
  keyEncryptionAlgorithm: string;
}

interface ParsedEnvelope {
  enveloped: EnvelopedData;
  recipients: Array<{ summary: RecipientSummary; ktri?: KeyTransRecipientInfo }>;
}

function parseEnvelope(input: Buffer): ParsedEnvelope {
  const der = cmsToDer(input);
  let info: ContentInfo;
  let enveloped: EnvelopedData;
  try {
    info = AsnConvert.parse(der, ContentInfo);
  } catch (err) {
    throw new CmsError(`not a CMS ContentInfo (${(err as Error).message}).`, 'format');
  }
  if (info.contentType !== id_envelopedData) throw new CmsError(`the CMS content type is ${info.contentType}, not EnvelopedData (${id_envelopedData}).`, 'unsupported');
  try {
    enveloped = AsnConvert.parse(info.content, EnvelopedData);
  } catch (err) {
    throw new CmsError(`the EnvelopedData cannot be parsed (${(err as Error).message}).`, 'format');
  }
  const recipients = [...enveloped.recipientInfos].map((ri) => {
    if (!ri.ktri) return { summary: { kind: 'other' as const, keyEncryptionAlgorithm: ri.kari ? 'key agreement' : ri.kekri ? 'KEK' : ri.pwri ? 'password' : 'other' } };
    const rid = ri.ktri.rid;
    const summary: RecipientSummary = rid.issuerAndSerialNumber
      ? {
          kind: 'issuerAndSerialNumber',
          serialNumber: buf(rid.issuerAndSerialNumber.serialNumber).toString('hex').toUpperCase().replace(/^(00)+(?=.)/, ''),
          issuerDer: buf(AsnConvert.serialize(rid.issuerAndSerialNumber.issuer)),
          keyEncryptionAlgorithm: ri.ktri.keyEncryptionAlgorithm.algorithm,
        }
      : {
          kind: 'subjectKeyIdentifier',
          subjectKeyIdentifier: rid.subjectKeyIdentifier ? buf(rid.subjectKeyIdentifier.buffer).toString('hex').toUpperCase() : '',
          keyEncryptionAlgorithm: ri.ktri.keyEncryptionAlgorithm.algorithm,
        };
    return { summary, ktri: ri.ktri };
  });
  return { enveloped, recipients };
}

/** Whom a message is encrypted to, without a key. */
export function listRecipients(input: Buffer): RecipientSummary[] {
  return parseEnvelope(input).recipients.map((r) => r.summary);
}

/** Does this recipient identifier name this certificate (DER)? */
export function recipientMatchesCertificate(summary: RecipientSummary, certDer: Buffer): boolean {
  const cert = AsnConvert.parse(certDer, Certificate);
  if (summary.kind === 'issuerAndSerialNumber') {
    const serial = buf(cert.tbsCertificate.serialNumber).toString('hex').toUpperCase().replace(/^(00)+(?=.)/, '');
    return serial === summary.serialNumber && buf(AsnConvert.serialize(cert.tbsCertificate.issuer)).equals(summary.issuerDer!);
  }
  if (summary.kind === 'subjectKeyIdentifier') {
    const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === '2.5.29.14');
    if (!ext) return false;
    const ski = AsnConvert.parse(ext.extnValue, SubjectKeyIdentifier);
    return buf(ski.buffer).toString('hex').toUpperCase() === summary.subjectKeyIdentifier;
  }
  return false;
}

/** RSAES-PKCS1-v1_5 unpadding (RFC 8017 §7.2.2) of a raw RSA decryption; null when the padding is wrong. */
function unpadPkcs1v15(em: Buffer): Buffer | null {
  if (em.length < 11 || em[0] !== 0x00 || em[1] !== 0x02) return null;
  const sep = em.indexOf(0x00, 2);
  if (sep < 10) return null;
  return em.subarray(sep + 1);
}

function decryptContentKey(ktri: KeyTransRecipientInfo, privateKey: crypto.KeyObject): Buffer {
  const alg = ktri.keyEncryptionAlgorithm;
  const encryptedKey = buf(ktri.encryptedKey.buffer);
  if (alg.algorithm === id_rsaEncryption) {
    // node ≥ 20.11 refuses RSA_PKCS1_PADDING for private decryption (CVE-2023-46809, the Marvin timing
    // attack on servers that decrypt attacker-chosen input online). An offline restore is no such
    // oracle, so the padding is checked here on the raw RSA result.
    const em = crypto.privateDecrypt({ key: privateKey, padding: crypto.constants.RSA_NO_PADDING }, encryptedKey);
    const key = unpadPkcs1v15(em);
    if (!key) throw new CmsError('the content key does not decrypt with this private key (RSAES-PKCS1-v1_5).', 'decrypt-failed');
    return Buffer.from(key);
  }
  if (alg.algorithm === id_RSAES_OAEP) {
    const params = alg.parameters ? AsnConvert.parse(alg.parameters, RsaEsOaepParams) : new RsaEsOaepParams();
    const hash = OAEP_HASHES[params.hashAlgorithm.algorithm];
    if (!hash) throw new CmsError(`RSAES-OAEP with hash ${params.hashAlgorithm.algorithm} is not supported.`, 'unsupported');
    if (params.maskGenAlgorithm.algorithm !== id_mgf1) throw new CmsError(`RSAES-OAEP mask generation ${params.maskGenAlgorithm.algorithm} is not supported.`, 'unsupported');
    const mgfHash = params.maskGenAlgorithm.parameters ? AsnConvert.parse(params.maskGenAlgorithm.parameters, AlgorithmIdentifier).algorithm : id_sha1;
    // node:crypto uses one digest for OAEP and MGF1.
    if (OAEP_HASHES[mgfHash] !== hash) throw new CmsError(`RSAES-OAEP with ${hash} and MGF1-${OAEP_HASHES[mgfHash] ?? mgfHash} is not supported.`, 'unsupported');
    let label: Buffer | undefined;
    // An absent pSourceAlgorithm parses as the library's default, whose "empty" label is encoded as
    // SHA-1("") (da39a3ee...); RFC 8017 A.2.1 means an empty label, so that default is no label.
    const isLibraryDefault = params.pSourceAlgorithm.parameters && pSpecifiedEmpty.parameters && buf(params.pSourceAlgorithm.parameters).equals(buf(pSpecifiedEmpty.parameters));
    if (params.pSourceAlgorithm.algorithm === id_pSpecified && params.pSourceAlgorithm.parameters && !isLibraryDefault) {
      const l = buf(AsnConvert.parse(params.pSourceAlgorithm.parameters, OctetString).buffer);
      if (l.length > 0) label = l;
    }
    try {
      return crypto.privateDecrypt({ key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash, oaepLabel: label }, encryptedKey);
    } catch {
      throw new CmsError(`the content key does not decrypt with this private key (RSAES-OAEP ${hash}).`, 'decrypt-failed');
    }
  }
  throw new CmsError(`key transport ${alg.algorithm} is not supported (RSAES-OAEP and RSAES-PKCS1-v1_5 are).`, 'unsupported');
}

function decryptContent(enveloped: EnvelopedData, cek: Buffer): Buffer {
  const eci = enveloped.encryptedContentInfo;
  const spec = CONTENT_CIPHERS[eci.contentEncryptionAlgorithm.algorithm];
  if (!spec) throw new CmsError(`content encryption ${eci.contentEncryptionAlgorithm.algorithm} is not supported (AES-CBC and 3DES-CBC are).`, 'unsupported');
  if (cek.length !== spec.keyBytes) throw new CmsError(`the content key has ${cek.length} bytes; ${spec.name} needs ${spec.keyBytes}.`, 'decrypt-failed');
  if (!eci.contentEncryptionAlgorithm.parameters) throw new CmsError(`${spec.name} without an IV.`, 'format');
  const iv = buf(AsnConvert.parse(eci.contentEncryptionAlgorithm.parameters, OctetString).buffer);
  const content = eci.encryptedContent;
  if (!content) throw new CmsError('the encrypted content is detached; only attached content is supported.', 'unsupported');
  const data = content.value ? buf(content.value.buffer) : Buffer.concat((content.constructedValue ?? []).map((o) => buf(o.buffer)));
  try {
    const d = crypto.createDecipheriv(spec.cipher, cek, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch {
    throw new CmsError(`the content does not decrypt (${spec.name}); the message is damaged or the key is wrong.`, 'decrypt-failed');
  }
}

/**
 * Opens an EnvelopedData with a private key. With `certificateDer`, only the
 * RecipientInfo naming that certificate is tried; without it, every
 * KeyTransRecipientInfo is tried in turn.
 */
export function decryptEnvelopedData(input: Buffer, privateKey: crypto.KeyObject, certificateDer?: Buffer): Buffer {
  const { enveloped, recipients } = parseEnvelope(input);
  const candidates = recipients.filter((r) => r.ktri && (!certificateDer || recipientMatchesCertificate(r.summary, certificateDer)));
  if (candidates.length === 0) {
    throw new CmsError(
      certificateDer ? 'the message is not encrypted to this certificate.' : 'the message has no key-transport (RSA) recipient.',
      'no-matching-recipient',
    );
  }
  let last: CmsError | undefined;
  for (const c of candidates) {
    let cek: Buffer | undefined;
    try {
      cek = decryptContentKey(c.ktri!, privateKey);
      return decryptContent(enveloped, cek);
    } catch (err) {
      if (!(err instanceof CmsError) || err.reason === 'unsupported' || err.reason === 'format') throw err;
      last = err;
    } finally {
      cek?.fill(0);
    }
  }
  throw last ?? new CmsError('the message does not decrypt with this key.', 'decrypt-failed');
}
