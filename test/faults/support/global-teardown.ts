import globalTeardown from '../../support/global-teardown';
import { postgresService, redisService } from './services';

/** Whatever happened in the tests, the services are left running (then the run's database goes). */
export default async function faultsGlobalTeardown(): Promise<void> {
  try {
    await postgresService().ensureUp();
    await redisService().ensureUp();
  } finally {
    await globalTeardown();
  }
}
