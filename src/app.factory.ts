/** Builds the Nest application on Fastify for a role; main.ts and the e2e tests share it. */
import type { IncomingMessage } from 'node:http';
import helmet from '@fastify/helmet';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule, AppModuleOptions } from './app.module';
import { requestIdFor } from './common/logging';
import { strictValidationPipe } from './common/validation.pipe';
import { DispatchQueues } from './dispatch/dispatch-queues';
import { mountBullBoard } from './ops/bull-board';
import { ApiKeys } from './auth/api-keys';
import { grants } from './auth/api-key';
import { Metrics } from './ops/metrics';

export async function createApp(opts: AppModuleOptions): Promise<NestFastifyApplication> {
  const { config } = opts;
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    genReqId: (req: IncomingMessage) => requestIdFor(req),
    trustProxy: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRole(opts), adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  // JSON only: a text/plain body is refused with 415 rather than parsed.
  fastify.removeContentTypeParser('text/plain');
  // Security headers (helmet); the CSP is set per response below, strict for the JSON API,
  // left to the HTML pages (Swagger UI, Bull Board) that need their own scripts.
  await app.register(helmet as never, { contentSecurityPolicy: false, crossOriginEmbedderPolicy: false });
  fastify.addHook('onSend', async (req, reply) => {
    void reply.header('x-request-id', req.id);
    if (req.url.startsWith('/v1')) {
      void reply.header('cache-control', 'no-store');
      void reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    }
  });
  const metrics = app.get(Metrics);
  fastify.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions?.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  if (config.role !== 'worker') {
    app.useGlobalPipes(strictValidationPipe());
    const doc = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('callback-orchestrator')
        .setDescription(
          'Ask a contact center to call a customer back, now or at a chosen time. Errors always have the shape ' +
            '{"error":{"code","message","details":[{"field","message"}]},"requestId"}.',
        )
        .setVersion('1')
        .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key: cbo_<id>_<secret> (npm run keys -- create …)' })
        .build(),
      // Stable, readable operation ids for generated clients: callbacks_create, webhooks_deliveries, …
      { operationIdFactory: (controller: string, method: string) => `${controller.replace(/Controller$/, '').toLowerCase()}_${method}` },
    );
    SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs/json' });
    const keys = app.get(ApiKeys);
    await mountBullBoard(fastify as never, app.get(DispatchQueues), {
      isAdminKey: async (key) => {
        const caller = await keys.authenticate(key);
        return !!caller && grants(caller.scopes, 'admin');
      },
      readOnly: config.bullBoardReadOnly,
    });
  }
  await app.init();
  return app;
}
