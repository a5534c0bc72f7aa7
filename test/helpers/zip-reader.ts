import * as yauzl from 'yauzl';

/** Every entry of a (small) zip, read into memory, for assertions. */
export function readZip(file: string): Promise<Map<string, Buffer>>;
/** Every entry's name; the contents only of those `want` accepts (the others map to null), for large zips. */
export function readZip(file: string, want: (name: string) => boolean): Promise<Map<string, Buffer | null>>;
export function readZip(file: string, want?: (name: string) => boolean): Promise<Map<string, Buffer | null>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, decodeStrings: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, Buffer | null>();
      zip.on('entry', (entry: yauzl.Entry) => {
        if (want && !want(entry.fileName)) {
          out.set(entry.fileName, null);
          zip.readEntry();
          return;
        }
        if (entry.fileName.endsWith('/')) {
          out.set(entry.fileName, Buffer.alloc(0));
          zip.readEntry();
          return;
        }
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}
