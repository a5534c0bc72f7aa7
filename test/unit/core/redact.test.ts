import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redactor } from '../../../src/core/redact';

test('registered secrets are masked wherever they appear, including JSON-escaped and URI-encoded', () => {
  const r = new Redactor(['s3cr"et/pw', 'TOKEN123']);
  assert.equal(r.text('token is TOKEN123.'), 'token is ********.');
  assert.equal(r.text(JSON.stringify({ p: 's3cr"et/pw' })), '{"p":"********"}');
  assert.equal(r.text(`x=${encodeURIComponent('s3cr"et/pw')}`), 'x=********');
});

test('credentials in mongodb URIs are masked even when not registered', () => {
  const r = new Redactor();
  assert.equal(r.text('mongodb://admin:hunter2@db1:27017/AlteryxGallery'), 'mongodb://admin:********@db1:27017/AlteryxGallery');
  assert.equal(r.text('mongodb+srv://u:p%40ss@cluster/x'), 'mongodb+srv://u:********@cluster/x');
  assert.equal(r.text('Server=x;Password=abc;User=y'), 'Server=x;Password=********;User=y');
});

test('value() builds a redacted copy and never mutates the input', () => {
  const r = new Redactor(['topsecret']);
  const input = { a: 'has topsecret inside', nested: [{ Password: 'other' }], when: new Date(0), n: 3 };
  const frozen = JSON.stringify(input);
  const out = r.value(input);
  assert.equal(JSON.stringify(input), frozen);
  assert.notEqual(out, input);
  assert.equal(out.a, 'has ******** inside');
  assert.equal(out.nested[0].Password, '********');
  assert.equal(out.n, 3);
  assert.ok(out.when instanceof Date);
});

test('longer secrets are masked before shorter ones they contain', () => {
  const r = new Redactor(['abc', 'abcdef']);
  assert.equal(r.text('abcdef abc'), '******** ********');
});
