/** A single progress line on stderr: rewritten in place on a terminal, a line every few seconds otherwise. */
export class Progress {
  private last = 0;
  private shown = false;
  private readonly tty = process.stderr.isTTY;

  update(text: string): void {
    const now = Date.now();
    if (now - this.last < (this.tty ? 200 : 3000)) return;
    this.last = now;
    if (this.tty) {
      process.stderr.write(`\r\x1b[2K${text}`);
      this.shown = true;
    } else {
      process.stderr.write(`${text}\n`);
    }
  }

  /** Ends the current line and prints a final message for the step. */
  finish(text: string): void {
    if (this.tty && this.shown) process.stderr.write('\r\x1b[2K');
    process.stderr.write(`${text}\n`);
    this.shown = false;
    this.last = 0;
  }
}
