import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs';
import { RequireScopes } from '../common/auth';
import { Caller } from '../common/caller';
import { CreateWebhookDto, DeliveryPage, ListDeliveriesQuery, WebhookView, WebhookWithSecretView } from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

/** A calling service's own status webhooks (scoped to the caller like its callbacks). */
@ApiTags('webhooks')
@ApiHeader({ name: 'X-Client-Id', required: false, description: 'The calling service (owns its webhooks)' })
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @RequireScopes('callbacks:write')
  @ApiOperation({ summary: 'Register a URL to be told when your callbacks change status; the signing secret is returned only here' })
  @ApiBody({ type: CreateWebhookDto })
  @ApiCreatedResponse({ type: WebhookWithSecretView })
  @ApiErrors(409, 413, 415)
  create(@Caller() client: string, @Body() dto: CreateWebhookDto): Promise<WebhookWithSecretView> {
    return this.webhooks.create(client, dto);
  }

  @Get()
  @RequireScopes('callbacks:read')
  @ApiOperation({ summary: 'List your webhooks' })
  @ApiOkResponse({ type: [WebhookView] })
  @ApiErrors()
  list(@Caller() client: string): Promise<WebhookView[]> {
    return this.webhooks.list(client);
  }

  @Get(':id')
  @RequireScopes('callbacks:read')
  @ApiOperation({ summary: 'Read a webhook (without its secret)' })
  @ApiOkResponse({ type: WebhookView })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The webhook id' })
  @ApiErrors(404)
  get(@Caller() client: string, @Param('id') id: string): Promise<WebhookView> {
    return this.webhooks.get(client, id);
  }

  @Delete(':id')
  @RequireScopes('callbacks:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a webhook; its pending deliveries are dropped' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The webhook id' })
  @ApiErrors(404)
  async remove(@Caller() client: string, @Param('id') id: string): Promise<void> {
    await this.webhooks.remove(client, id);
  }

  @Post(':id/rotate-secret')
  @RequireScopes('callbacks:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replace the signing secret; deliveries from now on are signed with the new one' })
  @ApiOkResponse({ type: WebhookWithSecretView })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The webhook id' })
  @ApiErrors(404)
  rotate(@Caller() client: string, @Param('id') id: string): Promise<WebhookWithSecretView> {
    return this.webhooks.rotateSecret(client, id);
  }

  @Get(':id/deliveries')
  @RequireScopes('callbacks:read')
  @ApiOperation({ summary: 'Delivery log, newest first' })
  @ApiOkResponse({ type: DeliveryPage })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The webhook id' })
  @ApiErrors(404)
  deliveries(@Caller() client: string, @Param('id') id: string, @Query() q: ListDeliveriesQuery): Promise<DeliveryPage> {
    return this.webhooks.deliveries(client, id, q);
  }
}
