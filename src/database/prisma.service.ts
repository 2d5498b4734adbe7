import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { APP_CONFIG, AppConfig } from '../config/config';
import { PrismaClient } from '../generated/prisma/client';

/** The Prisma client over node-postgres. Only *.repository.ts files use it. */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({ adapter: new PrismaPg({ connectionString: config.databaseUrl, max: 20 }) });
  }

  /** Last (after onModuleDestroy): a dispatch finishing during the shutdown grace still records its outcome. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
