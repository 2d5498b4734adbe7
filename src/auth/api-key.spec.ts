import { grants, hashSecret, mintKey, parseKey, parseScopes, secretMatches } from './api-key';

describe('api keys', () => {
  it('mints keys that parse back to their id and match only their own hash', () => {
    const a = mintKey();
    const b = mintKey();
    const pa = parseKey(a.key)!;
    expect(pa.id).toBe(a.id);
    expect(secretMatches(pa.secret, a.secretHash)).toBe(true);
    expect(secretMatches(pa.secret, b.secretHash)).toBe(false);
    expect(a.key).not.toBe(b.key);
    expect(a.secretHash).toBe(hashSecret(pa.secret));
    expect(a.secretHash).not.toContain(pa.secret);
  });

  it.each(['', 'cbo_', 'Bearer x', `cbo_${'g'.repeat(12)}_${'a'.repeat(43)}`, `cbo_${'a'.repeat(12)}_${'a'.repeat(42)}`, `cbo_${'a'.repeat(12)}_${'a'.repeat(43)}x`])(
    'refuses the malformed key %j',
    (k) => expect(parseKey(k)).toBeNull(),
  );

  it('admin implies every scope; others grant only themselves', () => {
    expect(grants(['admin'], 'callbacks:write')).toBe(true);
    expect(grants(['callbacks:read'], 'callbacks:write')).toBe(false);
    expect(grants(['callbacks:read'], 'callbacks:read')).toBe(true);
    expect(grants([], 'callbacks:read')).toBe(false);
  });

  it('parses scope lists and names what is wrong', () => {
    expect(parseScopes('callbacks:read, callbacks:write').scopes).toEqual(['callbacks:read', 'callbacks:write']);
    expect(parseScopes(['admin', 'admin']).scopes).toEqual(['admin']);
    expect(parseScopes('callbacks:delete').problem).toMatch(/unknown scope "callbacks:delete"/);
    expect(parseScopes([]).problem).toMatch(/non-empty/);
    expect(parseScopes(7).problem).toMatch(/non-empty/);
  });
});
