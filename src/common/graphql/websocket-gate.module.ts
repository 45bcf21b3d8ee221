import { Module } from '@nestjs/common';
import { AuthModule } from '../../modules/auth/auth.module';
import { WebSocketGate } from './websocket-gate';

/** Imported by the GraphQL module's options factory (graphql.options.ts). */
@Module({
  imports: [AuthModule],
  providers: [WebSocketGate],
  exports: [WebSocketGate],
})
export class WebSocketGateModule {}
