/**
 * An hls.js playlist loader whose first load answers from a playlist already being fetched
 * (player-boot.ts starts it beside the page's other requests), so hls.js does not ask for
 * it again after its code has loaded; later loads (a live playlist's refreshes), and the
 * first one when that fetch failed or was for another recording, go to the network.
 */
import Hls, {
  type HlsConfig,
  type Loader,
  type LoaderCallbacks,
  type LoaderConfiguration,
  LoadStats,
  type PlaylistLoaderConstructor,
  type PlaylistLoaderContext,
} from 'hls.js/light';

type PlaylistLoader = Loader<PlaylistLoaderContext>;

export function firstPlaylistLoader(first: Promise<string | undefined>): PlaylistLoaderConstructor {
  const Base = Hls.DefaultConfig.loader as unknown as new (config: HlsConfig) => PlaylistLoader;
  let unused: Promise<string | undefined> | undefined = first;
  return class FirstPlaylistLoader extends Base {
    private gone = false;

    override load(
      context: PlaylistLoaderContext,
      config: LoaderConfiguration,
      callbacks: LoaderCallbacks<PlaylistLoaderContext>,
    ): void {
      const prefetched = unused;
      unused = undefined;
      if (!prefetched) return super.load(context, config, callbacks);
      const stats = new LoadStats();
      stats.loading.start = performance.now();
      prefetched.then(
        (text) => {
          if (this.gone) return;
          if (text === undefined) return super.load(context, config, callbacks);
          stats.loading.first = stats.loading.end = performance.now();
          stats.loaded = stats.total = text.length;
          callbacks.onSuccess({ url: context.url, data: text }, stats, context, null);
        },
        () => {
          if (!this.gone) super.load(context, config, callbacks);
        },
      );
    }

    override abort(): void {
      this.gone = true;
      super.abort();
    }

    override destroy(): void {
      this.gone = true;
      super.destroy();
    }
  };
}
