// Errors of the MLS layer. Programmer errors stay TypeError / RangeError; an MlsError says what a
// peer's message or a group's state got wrong. `code` is stable and machine-readable.

export class MlsError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'MlsError';
  }
}
