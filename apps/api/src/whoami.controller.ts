/** GET /v1/whoami: the caller's token name and scopes (the dashboard offers only what they allow). */
import { Controller, Get, Req } from '@nestjs/common';
import { ANONYMOUS, Scopes, type AuthedRequest } from './auth.js';

@Controller('v1/whoami')
export class WhoamiController {
  @Get()
  @Scopes('read', 'releases:create', 'releases:operate')
  whoami(@Req() req: AuthedRequest) {
    return { name: req.principal?.actor ?? ANONYMOUS, scopes: [...(req.principal?.scopes ?? [])] };
  }
}
