import { runKeysCommand } from '@switchyard/auth';

process.exitCode = runKeysCommand(process.argv.slice(2));
