/**
 * HTTP and auth for one Salesforce account: the requestCallback call with its
 * bearer JWT, Content-Type and Telephony-Provider-Name headers, sent through
 * the shared VendorHttp (which classifies transport failures). One client per
 * account, so each keeps its own token and its own timeout.
 */
import type { Clock } from '../../common/clock';
import { VendorHttp, type VendorResponse } from '../http/vendor-http';
import { VendorMisconfiguredError } from '../vendor.errors';
import { SalesforceTokenSigner } from './salesforce.token';
import type { RequestCallbackBody, SalesforceSettings } from './salesforce.types';

export function productionBaseUrl(myDomain: string): string {
  return `https://${myDomain}.my.salesforce-scrt.com`;
}

export class SalesforceClient {
  private readonly http: VendorHttp;
  readonly signer: SalesforceTokenSigner;
  private readonly baseUrl: string;

  constructor(
    private readonly accountId: string,
    private readonly settings: SalesforceSettings,
    baseUrl: string | null,
    clock: Clock,
  ) {
    this.baseUrl = (baseUrl ?? productionBaseUrl(settings.myDomain)).replace(/\/$/, '');
    this.http = new VendorHttp({ timeoutMs: settings.timeoutMs });
    this.signer = new SalesforceTokenSigner(settings, clock);
  }

  requestCallbackUrl(callId: string): string {
    return `${this.baseUrl}/telephony/v1/voiceCalls/${encodeURIComponent(callId)}/requestCallback`;
  }

  async requestCallback(callId: string, body: RequestCallbackBody): Promise<VendorResponse> {
    const token = await this.bearer();
    return this.http.send({
      method: 'POST',
      url: this.requestCallbackUrl(callId),
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        'Telephony-Provider-Name': this.settings.telephonyProviderName,
      },
      body: JSON.stringify(body),
    });
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** A key that cannot sign is an account problem, reported like a refused token. */
  private async bearer(): Promise<string> {
    try {
      return await this.signer.token();
    } catch (err) {
      throw new VendorMisconfiguredError(
        `Salesforce account ${this.accountId} is misconfigured: cannot sign the JWT with the key in ${this.settings.privateKeyEnv} (${(err as Error).message})`,
      );
    }
  }
}
