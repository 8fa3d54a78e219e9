import { buildPlaylist, type PlaylistSegment } from './playlist';

const uris = { initUri: 'init.mp4', segmentUri: (seq: number) => `segments/${seq}.m4s` };

function seg(seq: number, startMs: number, endMs: number): PlaylistSegment {
  return { seq, startMs, endMs };
}

describe('buildPlaylist', () => {
  it('writes a VOD playlist with the init map, one EXTINF per segment and ENDLIST', () => {
    const text = buildPlaylist({
      ...uris,
      live: false,
      hasInit: true,
      segments: [seg(2, 6000, 12000), seg(1, 0, 6000), seg(3, 12000, 15500)],
    });
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-TARGETDURATION:6',
        '#EXT-X-MEDIA-SEQUENCE:0',
        '#EXT-X-PLAYLIST-TYPE:VOD',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-MAP:URI="init.mp4"',
        '#EXTINF:6.000,',
        'segments/1.m4s',
        '#EXTINF:6.000,',
        'segments/2.m4s',
        '#EXTINF:3.500,',
        'segments/3.m4s',
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
  });

  it('keeps a live playlist open as EVENT without ENDLIST', () => {
    const text = buildPlaylist({ ...uris, live: true, hasInit: true, segments: [seg(1, 0, 4000)] });
    expect(text).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(text).not.toContain('#EXT-X-ENDLIST');
  });

  it('marks missing sequence numbers and jumps in time as discontinuities', () => {
    const lines = buildPlaylist({
      ...uris,
      live: false,
      hasInit: true,
      segments: [seg(1, 0, 4000), seg(3, 8000, 12000), seg(4, 30000, 34000), seg(5, 34000, 38000)],
    }).split('\n');
    expect(lines.filter((l) => l === '#EXT-X-DISCONTINUITY')).toHaveLength(2);
    expect(lines[lines.indexOf('segments/3.m4s') - 2]).toBe('#EXT-X-DISCONTINUITY');
    expect(lines[lines.indexOf('segments/4.m4s') - 2]).toBe('#EXT-X-DISCONTINUITY');
    expect(lines[lines.indexOf('segments/5.m4s') - 2]).not.toBe('#EXT-X-DISCONTINUITY');
  });

  it('rounds the target duration up so every segment fits', () => {
    const text = buildPlaylist({
      ...uris,
      live: false,
      hasInit: true,
      segments: [seg(1, 0, 6001)],
    });
    expect(text).toContain('#EXT-X-TARGETDURATION:7');
  });

  it('lists no media before the init segment is stored', () => {
    const text = buildPlaylist({
      ...uris,
      live: true,
      hasInit: false,
      segments: [seg(1, 0, 4000)],
    });
    expect(text).not.toContain('EXT-X-MAP');
    expect(text).not.toContain('EXTINF');
  });
});
