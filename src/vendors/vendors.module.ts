import { Global, Module } from '@nestjs/common';
import { SalesforceAdapter } from './salesforce/salesforce.adapter';
import { SimulatorAdapter } from './simulator/simulator.adapter';
import { TalkdeskAdapter } from './talkdesk/talkdesk.adapter';
import { ZendeskAdapter } from './zendesk/zendesk.adapter';
import type { VendorAdapter } from './vendor-adapter';
import { VENDOR_ADAPTERS, VendorRegistry } from './vendor.registry';

/** Every adapter is listed here once; the registry and the accounts loader find them through VENDOR_ADAPTERS. */
const ADAPTER_CLASSES = [SimulatorAdapter, ZendeskAdapter, TalkdeskAdapter, SalesforceAdapter];

@Global()
@Module({
  providers: [
    ...ADAPTER_CLASSES,
    { provide: VENDOR_ADAPTERS, useFactory: (...adapters: VendorAdapter[]) => adapters, inject: ADAPTER_CLASSES },
    { provide: VendorRegistry, useFactory: (adapters: VendorAdapter[]) => new VendorRegistry(adapters), inject: [VENDOR_ADAPTERS] },
  ],
  exports: [VENDOR_ADAPTERS, VendorRegistry, ...ADAPTER_CLASSES],
})
export class VendorsModule {}
