/**
 * Preloaded by the start-up bench (NODE_OPTIONS=--require) to reproduce
 * the start-up before lazy loading: every node start loaded the AWS and
 * Azure SDKs, the MongoDB driver, nodemailer and winston, and compiled the
 * configuration schema with Ajv, whatever the command.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

for (const name of ['@aws-sdk/client-s3', '@aws-sdk/lib-storage', '@azure/storage-blob', 'mongodb', 'nodemailer', 'winston']) require(name);
const Ajv = (require('ajv') as typeof import('ajv')).default;
new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true, strictTuples: false }).compile(
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'config', 'backup-config.schema.json'), 'utf8')) as object,
);
