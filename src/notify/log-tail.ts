import * as fs from 'node:fs/promises';

const CHUNK = 64 * 1024;
/** Never read more than this from the end, whatever the line lengths. */
const MAX_TAIL_BYTES = 4 * 1024 * 1024;

/**
 * The last `count` lines of a text file, read backwards from its end so a
 * multi-gigabyte log costs no more than its tail. CRLF and LF both end a line;
 * a trailing newline does not make an empty last line.
 */
export async function readLastLines(filePath: string, count: number): Promise<string[]> {
  if (count <= 0) return [];
  const handle = await fs.open(filePath, 'r');
  try {
    const size = (await handle.stat()).size;
    const chunks: Buffer[] = [];
    let position = size;
    let newlines = 0;
    let read = 0;
    while (position > 0 && newlines <= count && read < MAX_TAIL_BYTES) {
      const length = Math.min(CHUNK, position);
      position -= length;
      const buf = Buffer.alloc(length);
      await handle.read(buf, 0, length, position);
      chunks.unshift(buf);
      read += length;
      for (const byte of buf) if (byte === 0x0a) newlines++;
    }
    let text = Buffer.concat(chunks).toString('utf8');
    if (position > 0) text = text.slice(text.indexOf('\n') + 1); // drop a line cut in half
    const lines = text.split(/\r?\n/);
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-count);
  } finally {
    await handle.close();
  }
}

/** The end of a file, at most `maxBytes`, starting at a line boundary: for attaching a huge log. */
export async function readTail(filePath: string, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const handle = await fs.open(filePath, 'r');
  try {
    const size = (await handle.stat()).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    let text = buf.toString('utf8');
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    return { text, truncated: start > 0 };
  } finally {
    await handle.close();
  }
}
