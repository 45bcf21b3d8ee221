import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { STARTER_KIT } from '../players/starter-kit';
import { InventoryEntry } from './inventory-entry.entity';
import { InventoryLoader } from './inventory.loader';
import { InventoryResolver, PlayerInventoryResolver } from './inventory.resolver';
import { InventoryService } from './inventory.service';
import { InventoryStarterKit } from './starter-kit';

/**
 * Inventories. PlayersModule imports this module for STARTER_KIT; this module
 * needs only the Player entity, not PlayersModule, so there is no cycle.
 */
@Module({
  imports: [MikroOrmModule.forFeature([InventoryEntry]), EventsModule],
  providers: [
    InventoryService,
    InventoryLoader,
    InventoryResolver,
    PlayerInventoryResolver,
    { provide: STARTER_KIT, useClass: InventoryStarterKit },
  ],
  exports: [InventoryService, STARTER_KIT],
})
export class InventoryModule {}
