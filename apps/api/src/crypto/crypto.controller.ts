import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { KeyOperations } from '@keyledger/key-operations';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { dataKeySchema, decryptSchema, idSchema, parse, versionQuerySchema } from '../http/schemas';
import { CLIENTS, KEY_OPERATIONS, READERS, TenantAccess } from '../keys/tenant-access';
import { decryptAction, encryptAction, signAction, verifyAction, type CryptoDeps } from './crypto-actions';

/**
 * Signing, verification, public keys and envelope encryption on a tenant's keys. Binary values are
 * base64. sign, verify, encrypt and decrypt are served by native Fastify handlers in the running API
 * (see native-crypto-routes.ts); their methods here define and document the routes and serve them
 * when the native handlers are off.
 */
@ApiTags('crypto')
@ApiBearerAuth()
@Controller('v1')
export class CryptoController implements CryptoDeps {
  constructor(
    @Inject(KEY_OPERATIONS) readonly ops: KeyOperations,
    readonly access: TenantAccess,
  ) {}

  @Post('keys/:keyId/sign')
  @HttpCode(200)
  async sign(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown) {
    return signAction(this, p, keyId, body);
  }

  @Post('keys/:keyId/verify')
  @HttpCode(200)
  async verify(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown) {
    return verifyAction(this, p, keyId, body);
  }

  @Get('keys/:keyId/public-key')
  async publicKey(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Query() query: unknown) {
    const { version } = parse(versionQuerySchema, query);
    const tenantId = this.access.forKey(p, parse(idSchema, keyId), [...CLIENTS, ...READERS]);
    return this.ops.publicKeys.publicKey(tenantId, keyId, version);
  }

  @Get('tenants/:tenantId/jwks.json')
  async jwks(@CurrentPrincipal() p: Principal, @Param('tenantId') tenantId: string) {
    this.access.forTenant(p, parse(idSchema, tenantId), [...CLIENTS, ...READERS]);
    return this.ops.publicKeys.jwks(tenantId);
  }

  @Post('keys/:keyId/encrypt')
  @HttpCode(200)
  async encrypt(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown) {
    return encryptAction(this, p, keyId, body);
  }

  @Post('keys/:keyId/decrypt')
  @HttpCode(200)
  async decrypt(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown) {
    return decryptAction(this, p, keyId, body);
  }

  @Post('keys/:keyId/rewrap')
  @HttpCode(200)
  async rewrap(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown) {
    const input = parse(decryptSchema, body);
    const tenantId = this.access.forKey(p, parse(idSchema, keyId), CLIENTS);
    return this.ops.crypto.rewrap(tenantId, keyId, input.ciphertext, input.context);
  }

  @Post('keys/:keyId/data-key')
  @HttpCode(200)
  async dataKey(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown) {
    const input = parse(dataKeySchema, body);
    const tenantId = this.access.forKey(p, parse(idSchema, keyId), CLIENTS);
    const r = await this.ops.crypto.dataKey(tenantId, keyId, input.bits, input.includePlaintext, input.context);
    return { ciphertext: r.ciphertext, keyVersion: r.keyVersion, ...(r.plaintext ? { plaintext: r.plaintext.toString('base64') } : {}) };
  }
}
