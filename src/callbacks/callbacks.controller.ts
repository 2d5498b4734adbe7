import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireScopes } from '../common/auth';
import { Caller } from '../common/caller';
import { CallbacksService } from './callbacks.service';
import { DryRunService } from './dry-run.service';
import { ValidationView } from './dto/validation.view';
import { AttemptView, CallbackPage, CallbackView } from './dto/callback.view';
import { CreateCallbackDto } from './dto/create-callback.dto';
import { ListCallbacksQuery } from './dto/list-callbacks.query';
import { UpdateCallbackDto } from './dto/update-callback.dto';

@ApiTags('callbacks')
@ApiBearerAuth()
@Controller('v1/callbacks')
export class CallbacksController {
  constructor(
    private readonly callbacks: CallbacksService,
    private readonly dryRun: DryRunService,
  ) {}

  @Post('validate')
  @RequireScopes('callbacks:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Dry run: what creating this callback would do now',
    description:
      'Takes the create body and answers accepted or the error create would give, the effective dispatch time and the calling window and business hours applied. ' +
      'Stores nothing: no callback, no job, no Idempotency-Key record. Always 200; the would-be status is in `status`.',
  })
  @ApiBody({ type: CreateCallbackDto })
  @ApiOkResponse({ type: ValidationView })
  validate(@Caller() client: string, @Body() body: unknown, @Headers('idempotency-key') key: string | undefined): Promise<ValidationView> {
    return this.dryRun.validate(client, body, key);
  }

  @Post()
  @RequireScopes('callbacks:write')
  @ApiOperation({ summary: 'Ask for a callback, now or at a chosen time' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Same key + same body replays the first response for 24 h; a different body is 422' })
  @ApiBody({ type: CreateCallbackDto })
  @ApiCreatedResponse({ type: CallbackView, description: 'Created' })
  @ApiOkResponse({ type: CallbackView, description: 'onDuplicate return_existing / replace: the live callback' })
  @ApiConflictResponse({ description: 'A live callback exists for this account and phone number (error.existingId)' })
  @ApiUnprocessableEntityResponse({
    description: 'Idempotency-Key reused with a different body; outside the calling window / business hours with outsideWindow reject (error.nextOpening); timezone_required; no_opening',
  })
  async create(
    @Caller() client: string,
    @Body() dto: CreateCallbackDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CallbackView> {
    const out = await this.callbacks.create(client, dto, key);
    void reply.status(out.status);
    if (out.replayed) void reply.header('idempotent-replayed', 'true');
    return out.body;
  }

  @Get()
  @RequireScopes('callbacks:read')
  @ApiOperation({ summary: 'List callbacks, newest first, with cursor pages' })
  @ApiOkResponse({ type: CallbackPage })
  list(@Caller() client: string, @Query() q: ListCallbacksQuery): Promise<CallbackPage> {
    return this.callbacks.list(client, q);
  }

  @Get(':id')
  @RequireScopes('callbacks:read')
  @ApiOkResponse({ type: CallbackView })
  @ApiNotFoundResponse()
  get(@Caller() client: string, @Param('id') id: string): Promise<CallbackView> {
    return this.callbacks.get(client, id);
  }

  @Patch(':id')
  @RequireScopes('callbacks:write')
  @ApiOperation({ summary: 'Reschedule, or change the time zone or notes' })
  @ApiOkResponse({ type: CallbackView })
  @ApiConflictResponse({ description: 'The callback is no longer scheduled (error.currentStatus)' })
  update(@Caller() client: string, @Param('id') id: string, @Body() dto: UpdateCallbackDto): Promise<CallbackView> {
    return this.callbacks.update(client, id, dto);
  }

  @Post(':id/cancel')
  @RequireScopes('callbacks:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a callback' })
  @ApiOkResponse({ type: CallbackView })
  @ApiConflictResponse({ description: 'The callback can no longer be cancelled (error.currentStatus)' })
  cancel(@Caller() client: string, @Param('id') id: string): Promise<CallbackView> {
    return this.callbacks.cancel(client, id);
  }

  @Get(':id/attempts')
  @RequireScopes('callbacks:read')
  @ApiOperation({ summary: 'Dispatch attempts of a callback' })
  @ApiOkResponse({ type: [AttemptView] })
  attempts(@Caller() client: string, @Param('id') id: string): Promise<AttemptView[]> {
    return this.callbacks.attempts(client, id);
  }
}
