import { hostileShapeProblems } from './validation.pipe';

describe('hostileShapeProblems', () => {
  it('finds NUL characters in nested strings and keys, naming the field', () => {
    expect(hostileShapeProblems({ notes: 'a\u0000b' })).toEqual([{ field: 'notes', message: 'must not contain NUL (\\u0000) characters' }]);
    expect(hostileShapeProblems({ metadata: { x: ['ok', 'n\u0000'] } })[0].field).toBe('metadata.x.1');
    expect(hostileShapeProblems({ metadata: { 'k\u0000': 1 } })[0].field).toBe('metadata');
  });

  it('refuses inherited names as top-level fields but allows them inside free-form data', () => {
    expect(hostileShapeProblems(JSON.parse('{"constructor":{}}'))).toEqual([{ field: 'constructor', message: 'unknown field constructor' }]);
    expect(hostileShapeProblems({ metadata: { constructor: 'x' } })).toEqual([]);
  });

  it('walks very deep bodies without overflowing the stack', () => {
    let v: unknown = 'a\u0000';
    for (let i = 0; i < 100_000; i++) v = { a: v };
    expect(hostileShapeProblems(v)).toHaveLength(1);
    expect(hostileShapeProblems({ fine: 'yes', n: 1, b: null })).toEqual([]);
  });
});
