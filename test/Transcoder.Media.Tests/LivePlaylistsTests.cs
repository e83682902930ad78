namespace Transcoder.Media.Tests;

public class LivePlaylistsTests
{
    private static readonly HlsSegment[] Segments = [new("chunk-0-00001.m4s", 6), new("chunk-0-00002.m4s", 6.033333)];

    [Fact]
    public void Media_WhileEncoding_IsAnOpenEventPlaylist()
    {
        var text = LivePlaylists.Media("init-0.m4s", Segments, 7, complete: false);

        Assert.Contains("#EXT-X-PLAYLIST-TYPE:EVENT\n", text, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-TARGETDURATION:7\n", text, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-MAP:URI=\"init-0.m4s\"\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("#EXT-X-ENDLIST", text, StringComparison.Ordinal);
        Assert.Equal(Segments, HlsPlaylist.ReadSegments(text));
    }

    [Fact]
    public void Media_WhenComplete_OnlyAppendsEndList()
    {
        var open = LivePlaylists.Media("init-0.m4s", Segments, 7, complete: false);
        var done = LivePlaylists.Media("init-0.m4s", Segments, 7, complete: true);

        Assert.Equal(open + "#EXT-X-ENDLIST\n", done);
    }

    [Fact]
    public void PeakBound_IsMaxrateplusBufferOverASegment() =>
        Assert.Equal(9_000_000 + 3_000_000, LivePlaylists.PeakBound(new PlannedRung("1080p", 1920, 1080, 8_000_000, 9_000_000, 18_000_000), 6));
}
