// seq_no (spec §4.2): a content-related message (one the peer must acknowledge) gets 2n + 1 and
// then n grows by one; any other message gets 2n. n counts the content-related messages this side
// has sent in the session. A container's seq_no is taken after its messages', so it is at least
// theirs.

export class SeqNoCounter {
  #n = 0;

  /** Content-related messages sent so far. */
  get count(): number {
    return this.#n;
  }

  /**
   * Counts every content-related message up to the one numbered `seqNo` as sent (a session taken
   * over from another process goes on numbering after what that one sent).
   */
  skipPast(seqNo: number): void {
    if (!Number.isInteger(seqNo) || seqNo < 0 || seqNo > 0x7fffffff) throw new RangeError(`SeqNoCounter.skipPast: seqNo must be an int32 ≥ 0, got ${seqNo}`);
    this.#n = Math.max(this.#n, (seqNo + 1) >> 1);
  }

  next(contentRelated: boolean): number {
    if (typeof contentRelated !== 'boolean') throw new TypeError('SeqNoCounter.next: contentRelated must be a boolean');
    if (!contentRelated) return 2 * this.#n;
    if (this.#n >= 0x3fffffff) throw new RangeError('SeqNoCounter.next: seq_no would overflow an int32; start a new session');
    return 2 * this.#n++ + 1;
  }
}

/** Whether a received seq_no marks its message content-related (odd). */
export function isContentRelated(seqNo: number): boolean {
  return (seqNo & 1) === 1;
}
