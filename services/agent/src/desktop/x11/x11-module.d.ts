/** The small part of the `x11` package (pure-JS X11 client, no types of its own) the agent uses. */
declare module 'x11' {
  export interface XEvent {
    readonly name?: string;
    readonly selection?: number;
    readonly owner?: number;
    readonly time?: number;
  }
  export interface XClient {
    InternAtom(
      onlyIfExists: boolean,
      name: string,
      callback: (error: unknown, atom: number) => void,
    ): void;
    require(extension: string, callback: (error: unknown, ext: unknown) => void): void;
    ChangeWindowAttributes(window: number, values: { eventMask?: number }): void;
    on(event: 'event', listener: (event: XEvent) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'end' | 'close', listener: () => void): this;
    terminate(): void;
  }
  export interface XDisplay {
    readonly client: XClient;
    readonly screen: readonly {
      readonly root: number;
      readonly pixel_width: number;
      readonly pixel_height: number;
    }[];
  }
  export function createClient(
    options: { display?: string },
    callback: (error: Error | null, display: XDisplay) => void,
  ): XClient;
}
