/**
 * The screen locker the agent controls: a full-screen, undecorated, always-raised black
 * window with the administrator's message that grabs keyboard and pointer (Tk's global
 * grab, run by Debian's `wish`). Nothing the user types reaches an application and the
 * screen shows nothing else. The user cannot unlock it: only the agent ends it (an
 * administrator's unlock); if it is killed while the session is locked the agent starts
 * it again at once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

const LOCK_SCRIPT = String.raw`
set message [lindex $argv 0]
wm withdraw .
toplevel .lock -background black -cursor none
wm overrideredirect .lock 1
wm geometry .lock [winfo screenwidth .]x[winfo screenheight .]+0+0
label .lock.text -text $message -foreground white -background black -font {Helvetica 20} -wraplength 900
place .lock.text -relx 0.5 -rely 0.5 -anchor center
update idletasks
raise .lock
proc takeGrab {} {
  if {[catch {grab set -global .lock}]} { after 50 takeGrab; return }
  focus -force .lock
  puts stdout locked
  flush stdout
}
after idle takeGrab
proc keepOnTop {} { raise .lock; after 250 keepOnTop }
keepOnTop
fileevent stdin readable {
  if {[gets stdin line] < 0 || $line eq "unlock"} { catch {grab release .lock}; exit 0 }
}
`;

export class ScreenLock {
  private child: ChildProcess | undefined;
  private wanted = false;
  private message = '';

  constructor(
    private readonly display: string,
    private readonly workDir: string,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  get locked(): boolean {
    return this.wanted;
  }

  /** Locks the screen; resolves once the grab is held. */
  async lock(message: string): Promise<void> {
    this.wanted = true;
    this.message = message;
    await this.launch();
  }

  async unlock(): Promise<void> {
    this.wanted = false;
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin?.end('unlock\n');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  private async launch(): Promise<void> {
    const script = path.join(this.workDir, 'lock.tcl');
    await writeFile(script, LOCK_SCRIPT, { mode: 0o600 });
    const child = spawn('wish', [script, this.message], {
      env: { ...process.env, DISPLAY: this.display },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdin.on('error', () => undefined);
    const grabbed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the screen locker did not grab in 10 s')),
        10_000,
      );
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line === 'locked') {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot start the screen locker (wish): ${error.message}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the screen locker exited (${code})`));
      });
    });
    child.once('exit', () => {
      if (this.child !== child || !this.wanted) return;
      this.log('screen locker ended while locked: starting it again');
      void this.launch().catch((error: Error) => this.log(error.message));
    });
    await grabbed;
  }
}
