#!/usr/bin/env node
// `switchyard <command>`: one entry point over the built apps (run `npm run build` first).
'use strict';
const path = require('node:path');
const { spawn } = require('node:child_process');

const commands = {
  lab: ['apps/lab/src/main.js'],
  start: ['apps/stack/src/main.js'],
  demo: ['apps/stack/src/main.js', '--demo'],
  keys: ['apps/keys/src/main.js'],
};
const [command, ...args] = process.argv.slice(2);
if (!commands[command]) {
  console.error(`usage: switchyard <${Object.keys(commands).join('|')}> [options]   (switchyard lab --help)`);
  process.exit(command === undefined || command === '--help' || command === '-h' ? 0 : 2);
}
const [entry, ...fixed] = commands[command];
const script = path.join(__dirname, '..', 'dist', entry);
const child = spawn(process.execPath, [script, ...fixed, ...args], { stdio: 'inherit' });
// A terminal's Ctrl-C reaches the whole process group: the app stops cleanly by itself (the lab restores
// replicas and writes partial results), so wait for it instead of returning the prompt early.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)));
