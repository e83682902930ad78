namespace Transcoder.Media.Tests;

public class ProbeReaderTests
{
    [Fact]
    public void Parse_Landscape1080p_ReadsSizeRateDurationAndAudio()
    {
        var source = Fixture.Probe("landscape-1080p");

        Assert.Equal(1920, source.Video!.Width);
        Assert.Equal(1080, source.Video.Height);
        Assert.Equal(30, source.Video.FrameRate.ToDouble(), 3);
        Assert.Equal(10, source.Duration.TotalSeconds, 1);
        Assert.NotNull(source.Audio);
    }

    [Fact]
    public void Parse_RotatedMov_ReadsQuarterTurnAndSwapsDisplaySize()
    {
        var video = Fixture.Probe("rotated").Video!;

        Assert.Contains(video.Rotation, new[] { 90, 270 });
        Assert.Equal(720, video.DisplayWidth);
        Assert.Equal(1280, video.DisplayHeight);
    }

    [Fact]
    public void Parse_AnamorphicSource_KeepsSampleAspectRatio()
    {
        var video = Fixture.Probe("anamorphic").Video!;

        Assert.Equal(new Rational(16, 15), video.SampleAspectRatio);
        Assert.Equal(768, video.DisplayWidth, 3);
    }

    [Fact]
    public void Parse_AudioOnly_HasNoVideo()
    {
        var source = Fixture.Probe("audio");

        Assert.Null(source.Video);
        Assert.NotNull(source.Audio);
    }

    /// <summary>Every stream is read, the default chosen; cover art is not a video to transcode.</summary>
    [Fact]
    public void Read_EveryStream_PicksTheDefaultsAndLeavesCoverArtOut()
    {
        const string json = """
            {"format":{"format_name":"matroska,webm","duration":"12.5"},
             "streams":[
              {"index":0,"codec_type":"video","codec_name":"h264","width":1280,"height":720,"avg_frame_rate":"30000/1001","disposition":{"default":1}},
              {"index":1,"codec_type":"audio","codec_name":"aac","channels":2,"sample_rate":"48000","tags":{"language":"eng"},"disposition":{"default":0}},
              {"index":2,"codec_type":"audio","codec_name":"ac3","channels":6,"sample_rate":"48000","tags":{"language":"fra"},"disposition":{"default":1}},
              {"index":3,"codec_type":"subtitle","codec_name":"subrip","tags":{"language":"deu"},"disposition":{"default":0,"forced":1}},
              {"index":4,"codec_type":"video","codec_name":"mjpeg","width":600,"height":600,"disposition":{"attached_pic":1}}]}
            """;

        var source = ProbeReader.FromJson(json, 10);

        Assert.Equal([0], source.VideoStreams.Select(v => v.Index));
        Assert.Equal(new Rational(30000, 1001), source.Video!.FrameRate);
        Assert.Equal([("eng", false), ("fra", true)], source.AudioStreams.Select(a => (a.Language, a.Default)));
        Assert.Equal((2, "fra", 6), (source.Audio!.Index, source.Audio.Language, source.Audio.Channels));
        Assert.Equal(("deu", true), (source.TextStreams.Single().Language, source.TextStreams.Single().Forced));
        Assert.Equal(12.5, source.Duration.TotalSeconds);
    }

    [Fact]
    public void Parse_NotJson_ThrowsInputUnreadable()
    {
        var ex = Assert.Throws<MediaException>(() => ProbeReader.FromJson("not json", 10));
        Assert.Equal(MediaErrorKind.InputUnreadable, ex.Kind);
    }

    [Theory]
    [InlineData("12.5", 12.5)]
    [InlineData("0:00:10.000000", 10)]
    [InlineData("1:02:03.500000", 3723.5)]
    [InlineData("garbage", 0)]
    public void ParseNumberOrClock_ReadsBothSpellings(string text, double expected) =>
        Assert.Equal(expected, ProbeReader.ParseNumberOrClock(text), 6);
}

public class BenchmarkLineTests
{
    [Theory]
    [InlineData("bench: utime=12.345s stime=0.655s rtime=9.100s", 13.0)]
    [InlineData("bench: utime=0.003s stime=0.000s rtime=0.003s", 0.003)]
    public void TryParseCpuSeconds_SumsUserAndSystem(string line, double expected) =>
        Assert.Equal(expected, BenchmarkLine.TryParseCpuSeconds(line)!.Value, 6);

    [Theory]
    [InlineData("bench: maxrss=51388kB")]
    [InlineData("frame=  100 fps=50 q=28.0 size=     512kB time=00:00:03.33")]
    public void TryParseCpuSeconds_OtherLines_AreNull(string line) => Assert.Null(BenchmarkLine.TryParseCpuSeconds(line));
}
