import { Controller, Get, HttpCode } from '@nestjs/common';

/** Liveness: the process is up and serving HTTP. Readiness checks arrive with the observability lib. */
@Controller('health')
export class HealthController {
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
