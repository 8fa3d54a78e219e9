/** Prints the README's environment table: `node libs/config/dist/print-env-table.js`. */
import { envTableMarkdown } from './env-variables';

process.stdout.write(`${envTableMarkdown()}\n`);
