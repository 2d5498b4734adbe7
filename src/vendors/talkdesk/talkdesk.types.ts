/**
 * Talkdesk Scheduled Callbacks (preview API): account settings and wire shapes.
 * Only `/timeToCall`, `/timezone` and `/phoneNumber` are named by Talkdesk's
 * pages (as JSON-Patch paths); the other body field names follow the same
 * camelCase and are *unconfirmed* (see docs/vendors/talkdesk.md).
 */
export type TalkdeskRegion = 'us' | 'eu' | 'ca';

export const API_BASE: Record<TalkdeskRegion, string> = {
  us: 'https://api.talkdeskapp.com',
  eu: 'https://api.talkdeskapp.eu',
  ca: 'https://api.talkdeskappca.com',
};

export const TOKEN_HOST: Record<TalkdeskRegion, string> = {
  us: 'talkdeskid.com',
  eu: 'talkdeskid.eu',
  ca: 'talkdeskidca.com',
};

/** The statuses in which Talkdesk will still place the call: a second callback for the number would duplicate it. */
export const OPEN_STATUSES = ['UNATTEMPTED', 'TO_BE_RETRIED'] as const;

export const KNOWN_ASSIGNMENT_TYPES = ['SPECIFIC_AGENT', 'SPECIFIC_RING_GROUP', 'ANY_ELIGIBLE_AGENT'] as const;

/** Talkdesk refuses a time to call less than this far after the request. */
export const TALKDESK_MIN_LEAD_MS = 60_000;
/** Added to the minimum lead for clock skew and transit, so "the earliest time" is not refused. */
export const LEAD_SAFETY_MS = 15_000;
export const DEFAULT_HAND_OVER_AHEAD_MS = 5 * 60_000;
export const DEFAULT_SCOPES = ['schedule-callbacks:read', 'schedule-callbacks:write'];

export interface TalkdeskSettings {
  region: TalkdeskRegion;
  accountName: string | null;
  /** Token endpoint: the region's talkdeskid host for accountName, or the block's tokenUrl. */
  tokenUrl: string;
  /** Production API base for the region; account.baseUrl wins when set. */
  apiBaseUrl: string;
  /** POST path that creates a callback (*unconfirmed*, default /schedule-callbacks). */
  createPath: string;
  handOverAheadMs: number;
  scopes: string[];
  defaultCallerId: string | null;
  defaultAssignmentType: string | null;
  defaultAssignees: string[] | null;
  clientIdEnv: string;
  clientSecretEnv: string;
  /** Resolved from clientIdEnv / clientSecretEnv. Non-enumerable: never serialised or logged with the account. */
  readonly credentials: { clientId: string; clientSecret: string };
}

/** Routing after the account defaults are applied: what a create body needs. */
export interface TalkdeskRouting {
  assignmentType: string;
  assignees: string[];
  callerId: string;
  interactionId?: string;
}

/** POST body. Key order is fixed so the wire bytes are predictable. */
export interface TalkdeskCreateBody {
  phoneNumber: string;
  timeToCall: string;
  timezone: string;
  assignmentType: string;
  /** Omitted when empty (assignment types that pick among eligible agents). */
  assignees?: string[];
  callerId: string;
  dialingMode: 'PREVIEW';
  interactionId?: string;
  notes?: string;
}

export interface TalkdeskPatchOp {
  op: 'replace';
  path: string;
  value: string;
}

export interface TalkdeskCallback {
  id: string | number;
  phoneNumber?: string;
  status?: string;
  timeToCall?: string;
  timezone?: string;
  [k: string]: unknown;
}

export interface TalkdeskErrorBody {
  code?: string | number;
  message?: string;
  description?: string;
  fields?: { name?: string; description?: string }[];
}
