#!/usr/bin/env node
'use strict';
// Part of `npm run build`, after tsc: writes Ajv's standalone validator for
// config/backup-config.schema.json to dist/src/config/, so node does not
// compile the schema on every start (src/config/schema-validator.ts says why,
// and falls back to compiling when this file is missing or stale).
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { generateValidatorModule, GENERATED_VALIDATOR_FILE } = require(path.join(root, 'dist', 'src', 'config', 'schema-validator.js'));
const schemaText = fs.readFileSync(path.join(root, 'config', 'backup-config.schema.json'), 'utf8');
const out = path.join(root, 'dist', 'src', 'config', GENERATED_VALIDATOR_FILE);
const tmp = `${out}.${process.pid}.tmp`;
fs.writeFileSync(tmp, generateValidatorModule(schemaText));
fs.renameSync(tmp, out);
