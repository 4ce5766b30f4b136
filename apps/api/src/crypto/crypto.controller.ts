import { Body, Controller, Get, HttpCode, Inject, Optional, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { KeyOperations } from '@keyledger/key-operations';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { idSchema, parse, versionQuerySchema } from '../http/schemas';
import { CLIENTS, KEY_OPERATIONS, READERS, TenantAccess } from '../keys/tenant-access';
import { CRYPTO_DOCS } from './crypto.openapi';
import { macAction, verifyMacAction } from './mac-actions';
import { BATCH_SETTINGS, statusOf, type BatchSettings } from './batch-answer';
import { dataKeyAction, decryptAction, encryptAction, rewrapAction, signAction, signJwtAction, verifyAction, verifyJwtAction, type CryptoAction, type CryptoDeps } from './crypto-actions';

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
    @Optional() @Inject(BATCH_SETTINGS) readonly batch?: BatchSettings,
  ) {}

  /** Runs an action and sets the status its answer asks for (a batch with a failed item). */
  private async run(action: CryptoAction, p: Principal, keyId: string, body: unknown, res: FastifyReply): Promise<object> {
    const answer = await action(this, p, keyId, body);
    void res.status(statusOf(answer));
    return answer;
  }

  @Post('keys/:keyId/sign')
  @HttpCode(200)
  @CRYPTO_DOCS.sign
  async sign(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown, @Res({ passthrough: true }) res: FastifyReply) {
    return this.run(signAction, p, keyId, body, res);
  }

  @Post('keys/:keyId/verify')
  @HttpCode(200)
  @CRYPTO_DOCS.verify
  async verify(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown, @Res({ passthrough: true }) res: FastifyReply) {
    return this.run(verifyAction, p, keyId, body, res);
  }

  @Post('keys/:keyId/mac')
  @HttpCode(200)
  @ApiOperation({ summary: 'HMAC of a message with a mac key (primary, or keyVersion ≥ minEncryptionVersion); batch form {batch: [...]}' })
  async mac(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown, @Res({ passthrough: true }) res: FastifyReply) {
    return this.run(macAction, p, keyId, body, res);
  }

  @Post('keys/:keyId/verify-mac')
  @HttpCode(200)
  @ApiOperation({ summary: 'Checks a MAC in constant time: by keyVersion, by macString, or against every verifiable version newest first; batch form {batch: [...]}' })
  async verifyMac(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown, @Res({ passthrough: true }) res: FastifyReply) {
    return this.run(verifyMacAction, p, keyId, body, res);
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
  @CRYPTO_DOCS.encrypt
  async encrypt(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown, @Res({ passthrough: true }) res: FastifyReply) {
    return this.run(encryptAction, p, keyId, body, res);
  }

  @Post('keys/:keyId/decrypt')
  @HttpCode(200)
  @CRYPTO_DOCS.decrypt
  async decrypt(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown, @Res({ passthrough: true }) res: FastifyReply) {
    return this.run(decryptAction, p, keyId, body, res);
  }

  @Post('keys/:keyId/rewrap')
  @HttpCode(200)
  @CRYPTO_DOCS.rewrap
  async rewrap(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown, @Res({ passthrough: true }) res: FastifyReply) {
    return this.run(rewrapAction, p, keyId, body, res);
  }

  @Post('keys/:keyId/data-key')
  @HttpCode(200)
  @CRYPTO_DOCS.dataKey
  async dataKey(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown, @Res({ passthrough: true }) res: FastifyReply) {
    return this.run(dataKeyAction, p, keyId, body, res);
  }

  @Post('keys/:keyId/sign-jwt')
  @HttpCode(200)
  @CRYPTO_DOCS.signJwt
  async signJwt(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown) {
    return signJwtAction(this, p, keyId, body);
  }

  @Post('keys/:keyId/verify-jwt')
  @HttpCode(200)
  @CRYPTO_DOCS.verifyJwt
  async verifyJwt(@CurrentPrincipal() p: Principal, @Param('keyId') keyId: string, @Body() body: unknown) {
    return verifyJwtAction(this, p, keyId, body);
  }
}
