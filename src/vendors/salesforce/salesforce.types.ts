import type { KeyObject } from 'node:crypto';

/** The audience Salesforce's Telephony Integration REST API expects (its docs say so). */
export const SALESFORCE_AUDIENCE = 'https://scrt.salesforce.com';
/** Salesforce refuses a JWT whose exp lies more than 3 minutes ahead. */
export const MAX_TOKEN_TTL_SECONDS = 180;
/** Below 3 minutes so a clock running slightly behind Salesforce's still passes. */
export const DEFAULT_TOKEN_TTL_SECONDS = 150;
/** A cached token is reused only while it has more than this left: covers the request timeout and clock skew. */
export const TOKEN_REUSE_MARGIN_SECONDS = 60;
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The `salesforce:` block of an accounts-file entry, validated, with the key resolved. */
export interface SalesforceSettings {
  /** `{myDomain}.my.salesforce-scrt.com` is the production host. */
  myDomain: string;
  /** JWT iss: the org id (00D…). */
  orgId: string;
  /** JWT sub: the CallCenter record's API name. */
  callCenterApiName: string;
  /** Sent as the Telephony-Provider-Name header. */
  telephonyProviderName: string;
  /** Name of the environment variable that held the PEM key (for messages; never the key). */
  privateKeyEnv: string;
  /** The parsed RSA private key. A KeyObject prints and serialises without its material. */
  privateKey: KeyObject;
  /** JWT aud; overridable because only the production value is documented. */
  audience: string;
  tokenTtlSeconds: number;
  /** Reuse a signed token until its margin; false = sign one per request (if Salesforce treats jti as single-use). */
  reuseToken: boolean;
  /** How long Salesforce may take to answer once the request was sent. */
  timeoutMs: number;
}

/** Routing fields an intent on a Salesforce account may carry. */
export interface SalesforceRouting {
  /** The earlier call this callback belongs to: a VoiceCall id or the telephony vendor's contact id. */
  voiceCallId: string;
  /** true: the rep reviews the ContactRequest and dials; false: Omni-Channel dials on accept. */
  isPreviewCallback?: boolean;
}

/** The body of POST …/voiceCalls/{callId}/requestCallback, in the order Salesforce documents it. */
export interface RequestCallbackBody {
  callbackNumber: string;
  isPreviewCallback: boolean;
  scheduledRoutingDateTime?: string;
}
