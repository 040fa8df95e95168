import {
  Injectable,
  SetMetadata,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ANONYMOUS, hasScope, type Principal, type Scope } from '@switchyard/auth';
import { ProblemError } from '../problems/problem-error';
import type { FastifyRequest } from 'fastify';

const SCOPE = Symbol('switchyard:scope');

/** The scope a route needs; the admin scope passes every check. */
export const RequireScope = (scope: Scope) => SetMetadata(SCOPE, scope);

/** The caller of a request, as authenticated by the onRequest hook. */
export const Caller = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest<FastifyRequest>().principal ?? ANONYMOUS,
);

/** 403 when the caller's key lacks the route's scope. */
@Injectable()
export class ScopeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const scope = this.reflector.getAllAndOverride<Scope | undefined>(SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!scope) return true;
    const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
    if (principal && hasScope(principal, scope)) return true;
    throw new ProblemError(403, 'Forbidden', `this operation needs a key with the ${scope} scope`);
  }
}
