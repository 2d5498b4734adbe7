/** Registering, listing and removing a calling service's status webhooks, and reading their delivery log. */
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DomainError, NotFound, ValidationFailed } from '../common/errors';
import { decodeCursor, encodeCursor } from '../callbacks/callbacks.service';
import { CreateWebhookDto, DeliveryPage, ListDeliveriesQuery, WebhookView, WebhookWithSecretView } from './dto/webhook.dto';
import { newWebhookSecret } from './signature';
import { checkWebhookUrl, WebhookUrlRefused } from './url-guard';
import { Subscription, WebhooksRepository } from './webhooks.repository';

/** Per calling service: enough for a few environments, not a fan-out engine. */
export const MAX_WEBHOOKS_PER_CLIENT = 10;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class TooManyWebhooks extends DomainError {
  constructor() {
    super(409, 'too_many_webhooks', `A calling service may register at most ${MAX_WEBHOOKS_PER_CLIENT} webhooks`);
  }
}

function view(s: Subscription): WebhookView {
  return { id: s.id, url: s.url, events: s.events, createdAt: s.createdAt.toISOString() };
}

@Injectable()
export class WebhooksService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: WebhooksRepository,
  ) {}

  async create(client: string, dto: CreateWebhookDto): Promise<WebhookWithSecretView> {
    let url: URL;
    try {
      url = await checkWebhookUrl(dto.url, this.config.webhooks.allowPrivateUrls);
    } catch (e) {
      if (e instanceof WebhookUrlRefused) throw new ValidationFailed([{ field: 'url', message: `url ${e.message}` }]);
      throw e;
    }
    if ((await this.repo.countSubscriptions(client)) >= MAX_WEBHOOKS_PER_CLIENT) throw new TooManyWebhooks();
    const sub = await this.repo.createSubscription({ client, url: url.toString(), events: dto.events, secret: newWebhookSecret() });
    return { ...view(sub), secret: sub.secret };
  }

  async list(client: string): Promise<WebhookView[]> {
    return (await this.repo.listSubscriptions(client)).map(view);
  }

  async get(client: string, id: string): Promise<WebhookView> {
    return view(await this.load(client, id));
  }

  async remove(client: string, id: string): Promise<void> {
    if (!UUID.test(id) || !(await this.repo.deleteSubscription(id, client))) throw new NotFound('webhook', id);
  }

  async rotateSecret(client: string, id: string): Promise<WebhookWithSecretView> {
    const sub = UUID.test(id) ? await this.repo.rotateSecret(id, client, newWebhookSecret()) : null;
    if (!sub) throw new NotFound('webhook', id);
    return { ...view(sub), secret: sub.secret };
  }

  async deliveries(client: string, id: string, q: ListDeliveriesQuery): Promise<DeliveryPage> {
    const sub = await this.load(client, id);
    const limit = q.limit ?? 50;
    const rows = await this.repo.listDeliveries(sub.id, { status: q.status, limit: limit + 1, before: q.cursor ? decodeCursor(q.cursor) : undefined });
    const page = rows.slice(0, limit);
    return {
      items: page.map((d) => ({
        id: d.id,
        eventId: d.eventId,
        type: d.event.type,
        callbackId: d.event.intentId,
        status: d.status,
        attempts: d.attempts,
        lastHttpStatus: d.lastHttpStatus,
        lastError: d.lastError,
        occurredAt: d.event.occurredAt.toISOString(),
        deliveredAt: d.deliveredAt?.toISOString() ?? null,
      })),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null,
    };
  }

  private async load(client: string, id: string): Promise<Subscription> {
    const sub = UUID.test(id) ? await this.repo.findSubscription(id, client) : null;
    if (!sub) throw new NotFound('webhook', id);
    return sub;
  }
}
