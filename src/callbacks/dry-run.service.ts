/**
 * POST /v1/callbacks/validate: what POST /v1/callbacks would answer for this
 * body right now — accepted or the error, the effective dispatch time and the
 * rules applied — without storing anything (no row, no job, no Idempotency-Key
 * record; an Idempotency-Key header is checked for form, never replayed). It runs create's own checks (CallbacksService.prepare) and reads,
 * never writes, the live callback a duplicate would collide with.
 */
import { Injectable } from '@nestjs/common';
import { DomainError, DuplicateLiveCallback, InvalidTransition } from '../common/errors';
import { toErrorBody } from '../common/http-exception.filter';
import { strictValidationPipe } from '../common/validation.pipe';
import { CallbacksRepository } from './callbacks.repository';
import { CallbacksService } from './callbacks.service';
import { CreateCallbackDto } from './dto/create-callback.dto';
import { ValidationView } from './dto/validation.view';

@Injectable()
export class DryRunService {
  private readonly pipe = strictValidationPipe();

  constructor(
    private readonly callbacks: CallbacksService,
    private readonly repo: CallbacksRepository,
  ) {}

  async validate(client: string, body: unknown, idempotencyKey?: string): Promise<ValidationView> {
    try {
      const dto = (await this.pipe.transform(body, { type: 'body', metatype: CreateCallbackDto })) as CreateCallbackDto;
      const { row, resolution } = await this.callbacks.prepare(client, dto, idempotencyKey);
      const timing = { requestedAt: resolution.requestedAt.toISOString(), scheduledAt: resolution.effectiveAt.toISOString(), asap: resolution.asap, schedule: resolution.schedule };
      const live = await this.repo.findLiveByPhone(row.account, row.phoneNumber);
      if (!live) return { accepted: true, status: 201, outcome: 'created', ...timing, existingId: null, error: null };
      const mode = dto.onDuplicate ?? 'reject';
      if (mode === 'return_existing') return { accepted: true, status: 200, outcome: 'return_existing', ...timing, existingId: live.id, error: null };
      if (mode === 'replace' && live.status === 'scheduled') return { accepted: true, status: 200, outcome: 'replace', ...timing, existingId: live.id, error: null };
      return this.refused(mode === 'replace' ? new InvalidTransition(live.status, 'replace') : new DuplicateLiveCallback(live.id));
    } catch (err) {
      if (err instanceof DomainError) return this.refused(err);
      throw err;
    }
  }

  private refused(err: DomainError): ValidationView {
    const { status, body } = toErrorBody(err, '');
    return { accepted: false, status, outcome: 'rejected', requestedAt: null, scheduledAt: null, asap: null, schedule: null, existingId: null, error: body.error };
  }
}
