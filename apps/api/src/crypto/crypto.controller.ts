import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { KeyOperations } from '@keyledger/key-operations';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { dataKeySchema, decryptSchema, encryptSchema, idSchema, parse, signSchema, verifySchema, versionQuerySchema } from '../http/schemas';
import { CLIENTS, KEY_OPERATIONS, READERS, TenantAccess } from '../keys/tenant-access';

const b64 = (s: string): Buffer => Buffer.from(s, 'base64');

/** Signing, verification, public keys and envelope encryption on a tenant's keys. Binary values are base64. */
@ApiTags('crypto')
@ApiBearerAuth()
@Controller('v1')
export class CryptoController {
  constructor(
    @Inject(KEY_OPERATIONS) private readonly ops: KeyOperations,
    private readonly access: TenantAccess,
  ) {}

  @Post('keys/:keyId/sign')
  @HttpCode(200)
  async sign(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown) {
    const input = parse(signSchema, body);
    const tenantId = this.access.forKey(p, parse(idSchema, keyId), CLIENTS);
    const what = input.digest !== undefined ? { digest: b64(input.digest) } : { message: b64(input.message as string) };
    const r = await this.ops.crypto.sign(tenantId, keyId, what);
    return { signature: r.signature.toString('base64'), keyVersion: r.keyVersion, kid: r.kid, algorithm: r.algorithm };
  }

  @Post('keys/:keyId/verify')
  @HttpCode(200)
  async verify(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown) {
    const input = parse(verifySchema, body);
    const tenantId = this.access.forKey(p, parse(idSchema, keyId), CLIENTS);
    const what = input.digest !== undefined ? { digest: b64(input.digest) } : { message: b64(input.message as string) };
    return this.ops.crypto.verify(tenantId, keyId, what, b64(input.signature), input.keyVersion);
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
    const input = parse(encryptSchema, body);
    const tenantId = this.access.forKey(p, parse(idSchema, keyId), CLIENTS);
    return this.ops.crypto.encrypt(tenantId, keyId, b64(input.plaintext), input.context);
  }

  @Post('keys/:keyId/decrypt')
  @HttpCode(200)
  async decrypt(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown) {
    const input = parse(decryptSchema, body);
    const tenantId = this.access.forKey(p, parse(idSchema, keyId), CLIENTS);
    const r = await this.ops.crypto.decrypt(tenantId, keyId, input.ciphertext, input.context);
    return { plaintext: r.plaintext.toString('base64'), keyVersion: r.keyVersion };
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
