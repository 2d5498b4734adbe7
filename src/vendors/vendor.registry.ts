import type { Account } from '../config/accounts';
import type { VendorAdapter, VendorKind } from './vendor-adapter';

/** DI token: the array of every vendor adapter (ghostfolio's array-token pattern). */
export const VENDOR_ADAPTERS = Symbol('VENDOR_ADAPTERS');

/** Picks the adapter that owns an account. */
export class VendorRegistry {
  readonly byKind: Map<VendorKind, VendorAdapter>;

  constructor(adapters: VendorAdapter[]) {
    this.byKind = new Map(adapters.map((a) => [a.vendor, a]));
  }

  forAccount(account: Account): VendorAdapter {
    const adapter = this.byKind.get(account.vendor);
    if (!adapter) throw new Error(`no adapter for vendor ${account.vendor}`);
    return adapter;
  }
}
