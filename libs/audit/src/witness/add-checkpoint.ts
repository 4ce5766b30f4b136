/** The body of a C2SP tlog-witness `add-checkpoint` request: old size, proof lines, blank line, the note. */
export function addCheckpointBody(oldSize: number, proof: readonly Buffer[], note: string): string {
  return `old ${oldSize}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${note}`;
}
