import { createArchive, verifyArchive } from '../src/archive';

/**
 * Child process for the bench, so /usr/bin/time measures our archive step
 * alone: `create <sourceDir> <destDir> <fileName>` or `verify <zip>`.
 */
async function main(): Promise<void> {
  const [cmd, a, b, c] = process.argv.slice(2);
  if (cmd === 'create') {
    const r = await createArchive({
      sourceDir: a,
      destinationDir: b,
      fileName: c,
      buildManifest: (entries) =>
        Buffer.from(JSON.stringify({ ArchiveEntries: entries.map((e) => ({ Path: e.archivePath, SHA256: e.sha256, SizeBytes: e.sizeBytes })) })),
    });
    console.log(JSON.stringify({ sizeBytes: r.sizeBytes, seconds: r.durationSeconds, verifySeconds: r.verification.durationSeconds, entries: r.entries.length }));
  } else if (cmd === 'verify') {
    const v = await verifyArchive(a, { requireSidecar: true });
    console.log(JSON.stringify({ ok: v.ok, seconds: v.durationSeconds, errors: v.errors.slice(0, 5) }));
    if (!v.ok) process.exitCode = 1;
  } else {
    console.error('usage: archive-cli create <src> <dest> <name> | verify <zip>');
    process.exitCode = 2;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
