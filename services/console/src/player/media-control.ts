/** What the player page asks of either player (screen video or terminal). */
export interface MediaControl {
  seek(sessionMs: number): void;
  play(): void;
  pause(): void;
  setRate(rate: number): void;
  setSkipIdle(skip: boolean): void;
}

export interface MediaEvents {
  /** The current session time, several times a second while playing and after a seek. */
  onTime(sessionMs: number): void;
  onPlaying(playing: boolean): void;
  onError(message: string): void;
  /** The first frame (video) or screen (terminal) is shown. */
  onReady?: () => void;
}
