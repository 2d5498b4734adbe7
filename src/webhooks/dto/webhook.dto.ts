import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { STATUS_EVENTS } from '../status-events';
import { PageQuery } from '../../common/page.query';

export class CreateWebhookDto {
  @ApiProperty({ description: 'Where to POST events: https, resolving to a public address', example: 'https://billing.example.com/hooks/callbacks', maxLength: 2000 })
  @IsString()
  @MaxLength(2000)
  url!: string;

  @ApiProperty({ description: 'Status changes to be told about', enum: STATUS_EVENTS, isArray: true, example: ['dispatched', 'failed', 'cancelled', 'expired', 'unknown'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(STATUS_EVENTS.length)
  @ArrayUnique()
  @IsIn(STATUS_EVENTS, { each: true, message: `events must each be one of ${STATUS_EVENTS.join(', ')}` })
  events!: string[];
}

export class WebhookView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'https://billing.example.com/hooks/callbacks' }) url!: string;
  @ApiProperty({ enum: STATUS_EVENTS, isArray: true }) events!: string[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class WebhookWithSecretView extends WebhookView {
  @ApiProperty({ description: 'HMAC-SHA256 key for X-Signature. Shown only here: store it now.', example: 'whsec_3q2-7w…' }) secret!: string;
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

export class DeliveryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'Also sent as X-Event-Id; dedupe on it' }) eventId!: string;
  @ApiProperty({ enum: STATUS_EVENTS }) type!: string;
  @ApiProperty({ format: 'uuid' }) callbackId!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: string;
  @ApiProperty({ description: 'Tries so far' }) attempts!: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) lastHttpStatus!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) deliveredAt!: string | null;
}

export class DeliveryPage {
  @ApiProperty({ type: [DeliveryView] }) items!: DeliveryView[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor!: string | null;
}

export class ListDeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: (typeof DELIVERY_STATUSES)[number];
}
