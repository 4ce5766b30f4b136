import { createHash, generateKeyPairSync } from 'node:crypto';
import { noteKeyId, noteVerifierKey, noteVerifierKeyString } from './note-keys';
import { checkpointText, nodeCryptoSigner, parseCheckpointNote, signCheckpoint, verifyCheckpointNote } from './signed-note';

const ed = generateKeyPairSync('ed25519');
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ed25519');
const root = createHash('sha256').update('root').digest();
const checkpoint = { origin: 'keyledger.example/audit', treeSize: 42, rootHash: root };

describe('signed-note checkpoints', () => {
  it('writes the C2SP body: origin, size, base64 root, then a blank line and one signature line', async () => {
    const note = await signCheckpoint(checkpoint, nodeCryptoSigner('keyledger.example/audit', ed.privateKey));
    const lines = note.split('\n');
    expect(lines.slice(0, 4)).toEqual(['keyledger.example/audit', '42', root.toString('base64'), '']);
    expect(lines[4]).toMatch(/^\u2014 keyledger\.example\/audit [A-Za-z0-9+/]+=*$/);
    expect(lines[5]).toBe('');
    const blob = Buffer.from(lines[4].split(' ')[2], 'base64');
    expect(blob.length).toBe(4 + 64);
    expect(checkpointText(checkpoint)).toBe(`keyledger.example/audit\n42\n${root.toString('base64')}\n`);
  });

  it('uses the C2SP Ed25519 key ID: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ raw key)[:4]', () => {
    const pinned = noteVerifierKey(ed.publicKey);
    const raw = pinned.spkiDer.subarray(12);
    const expected = createHash('sha256').update('n/a').update(Buffer.from([0x0a, 0x01])).update(raw).digest().subarray(0, 4);
    expect(noteKeyId('n/a', 'ED25519', pinned.spkiDer)).toEqual(expected);
  });

  it.each([
    ['Ed25519', ed],
    ['ECDSA P-256', ec],
  ])('verifies a note signed with %s against the pinned public key PEM', async (_name, pair) => {
    const note = await signCheckpoint(checkpoint, nodeCryptoSigner('audit', pair.privateKey));
    const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const verdict = verifyCheckpointNote(note, noteVerifierKey(pem));
    expect(verdict).toEqual({ ok: true, keyName: 'audit', checkpoint: { ...checkpoint, rootHash: root } });
  });

  it('verifies with the standard verifier key string, and refuses one whose key ID does not match', async () => {
    const note = await signCheckpoint(checkpoint, [nodeCryptoSigner('keyledger.example/audit', ec.privateKey), nodeCryptoSigner('keyledger.example/audit', ed.privateKey)]);
    const vkey = noteVerifierKeyString('keyledger.example/audit', noteVerifierKey(ed.publicKey).spkiDer);
    expect(verifyCheckpointNote(note, noteVerifierKey(vkey))).toMatchObject({ ok: true, keyName: 'keyledger.example/audit' });
    expect(verifyCheckpointNote(note, noteVerifierKey(`${vkey}\n`)).ok).toBe(true);
    const [id, key] = [vkey.slice(24, 32), vkey.slice(33)];
    expect(vkey.startsWith(`keyledger.example/audit+${id}+`)).toBe(true);
    expect(() => noteVerifierKey(`keyledger.example/audit+00000000+${key}`)).toThrow(expect.objectContaining({ code: 'AUDIT_FORMAT_INVALID' }));
    expect(() => noteVerifierKey(`other+${id}+${key}`)).toThrow(expect.objectContaining({ code: 'AUDIT_FORMAT_INVALID' }));
    expect(() => noteVerifierKey(`keyledger.example/audit+${id}+${Buffer.alloc(33, 2).toString('base64')}`)).toThrow(expect.objectContaining({ code: 'AUDIT_FORMAT_INVALID' }));
  });

  it('writes one signature line per signer, in order', async () => {
    const note = await signCheckpoint(checkpoint, [nodeCryptoSigner('a', ec.privateKey), nodeCryptoSigner('b', ed.privateKey)]);
    expect(parseCheckpointNote(note).signatures.map((s) => s.keyName)).toEqual(['a', 'b']);
    expect(verifyCheckpointNote(note, noteVerifierKey(ec.publicKey)).ok).toBe(true);
    expect(verifyCheckpointNote(note, noteVerifierKey(ed.publicKey)).ok).toBe(true);
    await expect(signCheckpoint(checkpoint, [])).rejects.toMatchObject({ code: 'AUDIT_FORMAT_INVALID' });
  });

  it('rejects a note signed by another key', async () => {
    const note = await signCheckpoint(checkpoint, nodeCryptoSigner('audit', other.privateKey));
    expect(verifyCheckpointNote(note, noteVerifierKey(ed.publicKey))).toEqual({ ok: false, reason: 'no signature by the pinned audit key' });
  });

  it('rejects a note whose text was changed after signing', async () => {
    const note = await signCheckpoint(checkpoint, nodeCryptoSigner('audit', ed.privateKey));
    const forged = note.replace('\n42\n', '\n43\n');
    expect(verifyCheckpointNote(forged, noteVerifierKey(ed.publicKey))).toEqual({ ok: false, reason: 'signature by audit does not verify' });
  });

  it('accepts extra signatures by unknown keys next to the pinned one', async () => {
    const note = await signCheckpoint(checkpoint, nodeCryptoSigner('audit', ed.privateKey));
    const witness = (await signCheckpoint(checkpoint, nodeCryptoSigner('witness', other.privateKey))).split('\n')[4];
    const cosigned = `${note}${witness}\n`;
    expect(parseCheckpointNote(cosigned).signatures).toHaveLength(2);
    expect(verifyCheckpointNote(cosigned, noteVerifierKey(ed.publicKey)).ok).toBe(true);
  });

  it.each([
    ['no final newline', 'o\n1\nAAAA\n\n\u2014 a AAAAAAA='],
    ['no blank line', 'o\n1\nAAAA\n'],
    ['a bad size', `o\n01\n${root.toString('base64')}\n\n\u2014 a AAAAAAA=\n`],
    ['a short root', 'o\n1\nAAAA\n\n\u2014 a AAAAAAA=\n'],
    ['a bad signature line', `o\n1\n${root.toString('base64')}\n\n- a AAAAAAA=\n`],
    ['a control character', `o\t\n1\n${root.toString('base64')}\n\n\u2014 a AAAAAAA=\n`],
  ])('refuses a note with %s', (_what, note) => {
    expect(() => parseCheckpointNote(note)).toThrow(expect.objectContaining({ code: 'AUDIT_FORMAT_INVALID' }));
    expect(verifyCheckpointNote(note, noteVerifierKey(ed.publicKey)).ok).toBe(false);
  });

  it('refuses unsupported audit keys with a typed error', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => noteVerifierKey(rsa.publicKey)).toThrow(expect.objectContaining({ code: 'AUDIT_FORMAT_INVALID' }));
    expect(() => noteVerifierKey('not a key')).toThrow(expect.objectContaining({ code: 'AUDIT_FORMAT_INVALID' }));
  });
});
