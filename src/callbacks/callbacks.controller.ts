import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs';
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
  @ApiErrors(413, 415)
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
  @ApiErrors(409, 413, 415, 422)
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
  @ApiErrors()
  list(@Caller() client: string, @Query() q: ListCallbacksQuery): Promise<CallbackPage> {
    return this.callbacks.list(client, q);
  }

  @Get(':id')
  @RequireScopes('callbacks:read')
  @ApiOperation({ summary: 'Read a callback' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The callback id' })
  @ApiErrors(404)
  @ApiOkResponse({ type: CallbackView })
  get(@Caller() client: string, @Param('id') id: string): Promise<CallbackView> {
    return this.callbacks.get(client, id);
  }

  @Patch(':id')
  @RequireScopes('callbacks:write')
  @ApiOperation({ summary: 'Reschedule, or change the time zone or notes' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The callback id' })
  @ApiErrors(404, 409, 413, 415, 502, 503)
  @ApiOkResponse({ type: CallbackView })
  update(@Caller() client: string, @Param('id') id: string, @Body() dto: UpdateCallbackDto): Promise<CallbackView> {
    return this.callbacks.update(client, id, dto);
  }

  @Post(':id/cancel')
  @RequireScopes('callbacks:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a callback' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The callback id' })
  @ApiErrors(404, 409, 502, 503)
  @ApiOkResponse({ type: CallbackView })
  cancel(@Caller() client: string, @Param('id') id: string): Promise<CallbackView> {
    return this.callbacks.cancel(client, id);
  }

  @Get(':id/attempts')
  @RequireScopes('callbacks:read')
  @ApiOperation({ summary: 'Dispatch attempts of a callback' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The callback id' })
  @ApiErrors(404)
  @ApiOkResponse({ type: [AttemptView] })
  attempts(@Caller() client: string, @Param('id') id: string): Promise<AttemptView[]> {
    return this.callbacks.attempts(client, id);
  }
}
