import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const root = process.env.LOREMASTER_TEST_ROOT;
  if (root) rmSync(root, { recursive: true, force: true });
  const admin = process.env.LOREMASTER_TEST_ADMIN_URL;
  const name = process.env.LOREMASTER_TEST_DB;
  if (admin && name) {
    execFileSync('psql', [admin, '-qc', `drop database if exists "${name}" with (force)`]);
  }
}
