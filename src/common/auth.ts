import { SetMetadata } from '@nestjs/common';

/** What an API key may do. `admin` implies every other scope. */
export const SCOPES = ['callbacks:read', 'callbacks:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const SCOPES_KEY = 'cbo:scopes';

/** Declares the scopes a route needs; the auth guard enforces them. */
export const RequireScopes = (...scopes: Scope[]) => SetMetadata(SCOPES_KEY, scopes);
