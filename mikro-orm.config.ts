// For the MikroORM CLI (`npx mikro-orm migration:create` and friends) against DATABASE_URL.
// The server itself builds the same options in src/infra/database/orm.options.ts.
import { loadConfig } from './src/config/env';
import { ormOptions } from './src/infra/database/orm.options';

const { config } = loadConfig();
if (!config.database.url) throw new Error('Set DATABASE_URL to use the MikroORM CLI');

export default ormOptions({ url: config.database.url, poolSize: 1 });
