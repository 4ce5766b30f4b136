import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';

/** Composition root of the scheduler. Its jobs (rotation, deletions, expiry, checkpoints) register here. */
@Module({
  imports: [ScheduleModule.forRoot()],
})
export class SchedulerModule {}
