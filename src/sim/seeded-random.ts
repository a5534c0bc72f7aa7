import { createCipheriv, createHash } from 'node:crypto';

/**
 * Deterministic randomness from a seed string, so `create --seed S` always
 * builds byte-identical data. Small numbers come from sfc32; bulk bytes come
 * from an AES-256-CTR keystream, which is fast and does not compress.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private readonly stream;

  constructor(seed: string, label: string) {
    const h = createHash('sha256').update(`${seed}\0${label}`).digest();
    this.a = h.readUInt32LE(0);
    this.b = h.readUInt32LE(4);
    this.c = h.readUInt32LE(8);
    this.d = h.readUInt32LE(12) | 1;
    const key = createHash('sha256').update(`bytes\0${seed}\0${label}`).digest();
    this.stream = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  bool(pTrue = 0.5): boolean {
    return this.next() < pTrue;
  }

  bytes(n: number): Buffer {
    return this.stream.update(Buffer.alloc(n));
  }

  hex(nBytes: number): string {
    return this.bytes(nBytes).toString('hex');
  }
}
