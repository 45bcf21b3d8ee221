import globalSetup from '../../support/global-setup';
import { postgresService, redisService } from './services';

/** A run may follow one that was killed mid-outage: bring the services back before anything else. */
export default async function faultsGlobalSetup(): Promise<void> {
  await postgresService().ensureUp();
  await redisService().ensureUp();
  await globalSetup();
}
