/**
 * Zendesk Talk shapes: our typed account settings and the parts of Zendesk's
 * answers we read (seeds/000 callback requests, seeds/004 phone numbers).
 */
import { inspect } from 'node:util';

/** Holds a secret so that logging or serialising the settings never prints it. */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return '[redacted]';
  }

  toString(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return '[redacted]';
  }
}

/** The accounts-file block `zendesk: {...}`, validated. */
export interface ZendeskSettings {
  /** `{subdomain}.zendesk.com`; null when the account sets baseUrl instead. */
  subdomain: string | null;
  email: string;
  /** Name of the environment variable the token came from (for messages; never the token). */
  apiTokenEnv: string;
  apiToken: Secret;
  /** Used when an intent's routing names no phoneNumberId. */
  defaultPhoneNumberId: number | null;
  /** Time Zendesk has to answer once the request left. */
  timeoutMs: number;
  connectTimeoutMs: number;
  /** Check the Talk number exists and is voice-capable before each callback request (cached). */
  verifyPhoneNumber: boolean;
  /** How long a phone number check is remembered per account and number. */
  phoneNumberCacheMs: number;
}

/** Routing an intent may carry for Zendesk (camelCase on our API, snake_case on the wire). */
export interface ZendeskRouting {
  phoneNumberId?: number;
  groupIds?: number[];
}

/** Read from X-Rate-Limit / X-Rate-Limit-Remaining / Retry-After on every answer. */
export interface ZendeskRateLimitInfo {
  limit: number | null;
  remaining: number | null;
  /** Raw Retry-After header, when present. */
  retryAfter: string | null;
  at: Date;
}

/** `{"error":…,"description":…,"details":{field:[{description,error}]}}`; `error` is sometimes an object. */
export interface ZendeskErrorBody {
  error?: string | { title?: string; message?: string };
  description?: string;
  details?: Record<string, Array<{ description?: string; error?: string }> | string>;
  errors?: Array<{ code?: string; title?: string; detail?: string }>;
}

export interface ZendeskPhoneNumberCapabilities {
  sms?: boolean;
  mms?: boolean;
  voice?: boolean;
  emergency_address?: boolean;
}

/** A Talk phone number (only the fields we rely on are typed; the rest is kept). */
export interface ZendeskPhoneNumber {
  id: number;
  number?: string;
  display_number?: string;
  country_code?: string;
  nickname?: string | null;
  capabilities?: ZendeskPhoneNumberCapabilities;
  settings?: Record<string, unknown>;
  [key: string]: unknown;
}

/** An available number from the search endpoint; `token` provisions it. */
export interface ZendeskAvailablePhoneNumber {
  number: string;
  display_number?: string;
  toll_free?: boolean;
  location?: string;
  country_code?: string;
  token: string;
  price?: string;
  address_requirements?: 'none' | 'local' | 'any' | 'foreign' | string;
  [key: string]: unknown;
}

export interface ZendeskPage<T> {
  phone_numbers: T[];
  next_page: string | null;
  previous_page?: string | null;
  count?: number;
}
