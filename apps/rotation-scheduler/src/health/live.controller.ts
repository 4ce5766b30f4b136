import { Controller, Get, HttpCode } from '@nestjs/common';

/** Liveness of the scheduler process. */
@Controller('health')
export class LiveController {
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
