import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldProblem, ValidationFailed } from './errors';

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({
      field,
      message: message.startsWith('property ') ? `unknown field ${field}` : message,
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

const RESERVED_KEYS = new Set(['constructor', 'prototype', '__proto__']);

/**
 * What class-validator cannot see: a NUL character anywhere (Postgres text and
 * jsonb cannot store it) and keys such as `constructor` that every object
 * inherits, so whitelisting lets them through. Walks iteratively: a deeply
 * nested body must not exhaust the stack.
 */
export function hostileShapeProblems(value: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const stack: Array<[unknown, string, number]> = [[value, '', 0]];
  while (stack.length && problems.length < 10) {
    const [v, field, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) problems.push({ field: field || 'body', message: 'must not contain NUL (\\u0000) characters' });
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const path = field ? `${field}.${k}` : k;
        if (depth === 0 && RESERVED_KEYS.has(k)) problems.push({ field: path, message: `unknown field ${path}` });
        else if (k.includes('\u0000')) problems.push({ field: field || 'body', message: 'keys must not contain NUL (\\u0000) characters' });
        else stack.push([child, path, depth + 1]);
      }
    }
  }
  return problems;
}

class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const problems = hostileShapeProblems(value);
      if (problems.length) throw new ValidationFailed(problems);
    }
    return super.transform(value, metadata);
  }
}

/** Strict input: unknown fields are refused, and every problem names its field. */
export function strictValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailed(flatten(errors)),
  });
}
